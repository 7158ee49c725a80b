import { MAX_FILTER_NESTING, tooDeep, type CompareOp } from '../../domain/shared/filter.js';
import { invalidFilter } from '../scim.errors.js';

/**
 * A recursive-descent parser for the filter grammar of RFC 7644 §3.4.2.2 (and the PATCH path
 * grammar of §3.5.2, which reuses it). Keywords and operators are case-insensitive; precedence is
 * `not` over `and` over `or`, with parentheses for grouping. Attribute names are kept as written
 * here; the translator resolves them against the attribute registry.
 *
 * Beyond the ABNF, `emails[type eq "work"].value eq "x"` (a value path followed by a
 * sub-attribute comparison) is accepted: Microsoft Entra ID sends it when it matches users by a
 * filtered e-mail address (docs/entra.md#the-conversation, step 2).
 */

export type CompValue = string | number | boolean | null;

export interface AttrRef {
  /** `[urn:...:]name[.sub]` as written. */
  readonly text: string;
  /** Offset of the attribute in the filter text, for messages. */
  readonly pos: number;
}

export type ScimFilter =
  | { readonly kind: 'and' | 'or'; readonly filters: readonly ScimFilter[] }
  | { readonly kind: 'not'; readonly filter: ScimFilter }
  | { readonly kind: 'cmp'; readonly attr: AttrRef; readonly op: CompareOp; readonly value: CompValue }
  | { readonly kind: 'pr'; readonly attr: AttrRef }
  /** `attr[filter]`, optionally followed by `.sub op value` or `.sub pr`. */
  | {
      readonly kind: 'valuePath';
      readonly attr: AttrRef;
      readonly filter: ScimFilter;
      readonly then?: { readonly sub: AttrRef; readonly op: CompareOp | 'pr'; readonly value: CompValue };
    };

/** A PATCH target (RFC 7644 §3.5.2): `attrPath` or `valuePath [subAttr]`. */
export interface PatchPath {
  readonly attr: AttrRef;
  readonly filter: ScimFilter | null;
  readonly sub: AttrRef | null;
}

const OPS: readonly string[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const ATTR_CHAR = /[A-Za-z0-9:._$-]/;
// Sticky patterns match at a position of the whole text: parsing stays linear in its length.
const WORD = /[A-Za-z]+/y;
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_LENGTH = 4096;

class Parser {
  private i = 0;
  /** Open parentheses, `not (` and `[` around the current position. */
  private depth = 0;
  constructor(private readonly s: string) {}

  /** Parses what stands inside a bracket one level deeper; the parser recurses at most this deep. */
  private nested<T>(inner: () => T): T {
    if (++this.depth > MAX_FILTER_NESTING) throw invalidFilter(tooDeep(`more than ${MAX_FILTER_NESTING}`, MAX_FILTER_NESTING).message);
    const out = inner();
    this.depth -= 1;
    return out;
  }

  private fail(what: string, at = this.i): never {
    const near = this.s.slice(at, at + 20);
    throw invalidFilter(`${what} at position ${at + 1}${near ? ` (near "${near}")` : ' (at the end of the filter)'}`);
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i += 1;
  }

  private atEnd(): boolean {
    this.ws();
    return this.i >= this.s.length;
  }

  /** Matches a sticky pattern at the current position without copying the rest of the text. */
  private match(re: RegExp): string {
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    return m ? m[0] : '';
  }

  /** Reads a keyword-like word (letters only) without consuming it when `peek`. */
  private word(peek = false): string {
    this.ws();
    const w = this.match(WORD);
    // A keyword must end at a boundary: "order" is not "or".
    const next = this.s[this.i + w.length];
    if (next !== undefined && ATTR_CHAR.test(next)) return '';
    if (!peek) this.i += w.length;
    return w.toLowerCase();
  }

  private expect(ch: string, what: string): void {
    this.ws();
    if (this.s[this.i] !== ch) this.fail(`expected ${what}`);
    this.i += 1;
  }

  parseFilter(): ScimFilter {
    const f = this.or(false);
    if (!this.atEnd()) this.fail('unexpected text; expected "and", "or" or the end of the filter');
    return f;
  }

  parsePath(): PatchPath {
    const attr = this.attrPath();
    this.ws();
    let filter: ScimFilter | null = null;
    let sub: AttrRef | null = null;
    if (this.s[this.i] === '[') {
      this.i += 1;
      filter = this.nested(() => this.or(true));
      this.expect(']', 'a closing "]"');
      if (this.s[this.i] === '.') {
        this.i += 1;
        sub = this.attrPath();
        if (sub.text.includes('.') || sub.text.includes(':')) this.fail('a sub-attribute name', sub.pos);
      }
    }
    if (!this.atEnd()) this.fail('unexpected text after the attribute path');
    return { attr, filter, sub };
  }

  private or(inValue: boolean): ScimFilter {
    const parts = [this.and(inValue)];
    while (this.word(true) === 'or') {
      this.word();
      parts.push(this.and(inValue));
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', filters: parts };
  }

  private and(inValue: boolean): ScimFilter {
    const parts = [this.unary(inValue)];
    while (this.word(true) === 'and') {
      this.word();
      parts.push(this.unary(inValue));
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', filters: parts };
  }

  private unary(inValue: boolean): ScimFilter {
    this.ws();
    if (this.i >= this.s.length) this.fail('expected an attribute, "not" or "("');
    if (this.word(true) === 'not') {
      const save = this.i;
      this.word();
      this.ws();
      if (this.s[this.i] === '(') {
        this.i += 1;
        const inner = this.nested(() => this.or(inValue));
        this.expect(')', 'a closing ")"');
        return { kind: 'not', filter: inner };
      }
      // "not" may also be an attribute name that happens to be spelled so; go back.
      this.i = save;
    }
    if (this.s[this.i] === '(') {
      this.i += 1;
      const inner = this.nested(() => this.or(inValue));
      this.expect(')', 'a closing ")"');
      return inner;
    }
    return this.attrExp(inValue);
  }

  private attrPath(): AttrRef {
    this.ws();
    const start = this.i;
    while (this.i < this.s.length && ATTR_CHAR.test(this.s[this.i]!)) this.i += 1;
    const text = this.s.slice(start, this.i);
    if (!text) this.fail('expected an attribute name', start);
    // RFC 7644 §3.10: ATTRNAME = ALPHA *(nameChar); a URN prefix ends at the last colon.
    const local = text.slice(text.lastIndexOf(':') + 1);
    if (!/^[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$/.test(local)) this.fail(`"${text}" is not a valid attribute path`, start);
    return { text, pos: start };
  }

  private operator(attr: AttrRef): CompareOp | 'pr' {
    const at = (this.ws(), this.i);
    const w = this.word();
    if (w === 'pr' || OPS.includes(w)) return w as CompareOp | 'pr';
    return this.fail(`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "${attr.text}"`, at);
  }

  private attrExp(inValue: boolean): ScimFilter {
    const attr = this.attrPath();
    this.ws();
    if (this.s[this.i] === '[') {
      if (inValue) this.fail('a value filter cannot contain another "["');
      this.i += 1;
      const filter = this.nested(() => this.or(true));
      this.expect(']', 'a closing "]"');
      if (this.s[this.i] !== '.') return { kind: 'valuePath', attr, filter };
      this.i += 1;
      const sub = this.attrPath();
      const op = this.operator(sub);
      const value = op === 'pr' ? null : this.value(op);
      return { kind: 'valuePath', attr, filter, then: { sub, op, value } };
    }
    const op = this.operator(attr);
    if (op === 'pr') return { kind: 'pr', attr };
    return { kind: 'cmp', attr, op, value: this.value(op) };
  }

  private value(op: string): CompValue {
    this.ws();
    const start = this.i;
    const c = this.s[this.i];
    if (c === undefined) this.fail(`expected a value after "${op}"`);
    if (c === '"') {
      // A JSON string (RFC 7644 §3.4.2.2: compValue strings are JSON strings).
      let j = this.i + 1;
      while (j < this.s.length && this.s[j] !== '"') j += this.s[j] === '\\' ? 2 : 1;
      if (j >= this.s.length) this.fail('unterminated string; close it with a double quote', start);
      const raw = this.s.slice(this.i, j + 1);
      this.i = j + 1;
      try {
        return JSON.parse(raw) as string;
      } catch {
        return this.fail('invalid escape in string', start);
      }
    }
    const num = this.match(NUMBER);
    if (num) {
      this.i += num.length;
      return Number(num);
    }
    const w = this.word();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    return this.fail(`expected a value (a "quoted string", a number, true, false or null) after "${op}"`, start);
  }
}

/** Parses a filter of at most `maxLength` characters; the time it takes grows linearly with the text. */
export function parseFilter(text: string, maxLength = MAX_LENGTH): ScimFilter {
  if (typeof text !== 'string' || text.trim() === '') throw invalidFilter('the filter is empty');
  if (text.length > maxLength) throw invalidFilter(`the filter is longer than ${maxLength} characters`);
  return new Parser(text).parseFilter();
}

/** Parses a PATCH `path`; syntax errors inside `[...]` are filter errors (RFC 7644 §3.12). */
export function parsePatchPath(text: string): PatchPath {
  if (text.length > MAX_LENGTH) throw invalidFilter(`the path is longer than ${MAX_LENGTH} characters`);
  return new Parser(text).parsePath();
}
