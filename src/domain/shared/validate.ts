import { InvalidValueError } from '../errors.js';
import { isUuid } from './id.js';

/**
 * The one validation at the boundary of the domain (docs/architecture.md#robustness): both front
 * doors hand the domain services typed-looking values, and this module checks that they really
 * have the type the domain says, fit the configured bounds (docs/architecture.md#limits), and hold
 * only characters PostgreSQL can store. Every failure is an InvalidValueError naming the attribute,
 * so nothing a write accepts can fail in SQL or break a later read.
 */

/** The configured bounds on what one write may store. */
export interface InputLimits {
  /** Largest string attribute, in UTF-8 bytes. */
  readonly maxStringBytes: number;
  /** Most values of one multi-valued attribute (emails, addresses, ...). */
  readonly maxValuesPerAttribute: number;
  /** Deepest nesting of objects and arrays inside one extension document. */
  readonly maxExtensionDepth: number;
  /** Largest JSON text of all extension documents of a resource, in UTF-8 bytes. */
  readonly maxExtensionBytes: number;
}

/**
 * Values resources are looked up by (userName, externalId, a group's displayName, the values of
 * multi-valued attributes) are indexed, and a PostgreSQL btree entry holds at most 2,704 bytes
 * after lower-casing, which may grow UTF-8 text by half. Whatever the configuration says, such a
 * value stays within this many bytes (docs/architecture.md#limits).
 */
export const MAX_KEY_BYTES = 1536;

/** What a value must look like; a shape is data, so the checks below never recurse without bound. */
export type Shape =
  | { readonly kind: 'string'; readonly required: boolean; readonly key: boolean }
  | { readonly kind: 'id'; readonly of: string }
  | { readonly kind: 'boolean'; readonly nullable: boolean }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Shape>> }
  | { readonly kind: 'list'; readonly of: Shape }
  /** Extension documents by schema URN, kept verbatim (docs/architecture.md#unknown-extension-attributes). */
  | { readonly kind: 'extensions' };

export const shape = {
  text: (o: { required?: boolean; key?: boolean } = {}): Shape => ({ kind: 'string', required: o.required ?? false, key: o.key ?? false }),
  /** The id of a resource; `of` says of what, for messages ("a user"). */
  id: (of: string): Shape => ({ kind: 'id', of }),
  /** `nullable`: null means "not given", a third value kept apart from false. */
  boolean: (o: { nullable?: boolean } = {}): Shape => ({ kind: 'boolean', nullable: o.nullable ?? false }),
  object: (fields: Record<string, Shape>): Shape => ({ kind: 'object', fields }),
  list: (of: Shape): Shape => ({ kind: 'list', of }),
  extensions: (): Shape => ({ kind: 'extensions' }),
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const fail = (field: string, problem: string): never => {
  throw new InvalidValueError(`"${field}" ${problem}`, field);
};

/**
 * Characters PostgreSQL text cannot hold: U+0000, and UTF-16 surrogates without their pair
 * (which have no UTF-8 form and would be stored as U+FFFD, a different value).
 */
export function characterProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains the character U+0000 (NUL), which cannot be stored; remove it';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate, which is not a character; send valid Unicode text';
  return null;
}

/** What keeps `s` from being stored as a string of at most `maxBytes`, or null. */
function stringProblem(s: string, maxBytes: number): string | null {
  const problem = characterProblem(s);
  if (problem) return problem;
  // Most strings are short: count bytes only when the length alone cannot rule the limit out.
  if (s.length * 3 > maxBytes && Buffer.byteLength(s, 'utf8') > maxBytes) return `is longer than ${maxBytes} bytes (UTF-8)`;
  return null;
}

function checkString(field: string, s: string, maxBytes: number): void {
  const problem = stringProblem(s, maxBytes);
  if (problem) fail(field, problem);
}

/** "a string", "a list", ... for messages that say what was sent instead. */
export const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/**
 * Extension documents: an object of schema URN → object. Walked with an explicit stack, so a
 * document nested thousands of levels deep is refused, not a stack overflow; keys and strings are
 * checked like every other string.
 */
function checkExtensions(field: string, value: unknown, limits: InputLimits): void {
  if (!isPlainObject(value)) fail(field, `must be an object of extension documents by schema URN, not ${kindOf(value)}`);
  const stack: { v: unknown; path: string; depth: number }[] = [];
  for (const [urn, doc] of Object.entries(value as Record<string, unknown>)) {
    const path = `${field}.${urn}`;
    checkString(path, urn, MAX_KEY_BYTES);
    if (!/^urn:[^\s]+$/i.test(urn)) fail(path, 'is not a schema URN; extension documents are keyed by their schema URN (urn:...)');
    if (!isPlainObject(doc)) fail(path, `must be an object holding that schema's attributes, not ${kindOf(doc)}`);
    stack.push({ v: doc, path, depth: 1 });
  }
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      checkString(path, v, limits.maxStringBytes);
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(path, 'must be a finite number');
      continue;
    }
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v !== 'object') fail(path, `must be a JSON value, not ${kindOf(v)}`);
    if (depth > limits.maxExtensionDepth) {
      fail(field, `nests objects and arrays more than ${limits.maxExtensionDepth} levels deep (at "${path}")`);
    }
    if (Array.isArray(v)) {
      v.forEach((el, i) => stack.push({ v: el, path: `${path}[${i}]`, depth: depth + 1 }));
    } else {
      for (const [k, el] of Object.entries(v as Record<string, unknown>)) {
        checkString(`${path}.${k}`, k, MAX_KEY_BYTES);
        stack.push({ v: el, path: `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
  // Safe to serialise now: the depth is bounded.
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > limits.maxExtensionBytes) fail(field, `are ${bytes} bytes of JSON, more than ${limits.maxExtensionBytes}`);
}

/**
 * Checks `value` against `s`; `field` is the attribute's domain path, used in the message and as
 * the error's field. A missing optional value is null (or undefined); a missing list is empty.
 */
export function validateShape(s: Shape, value: unknown, limits: InputLimits, field: string): void {
  check(s, value, limits, field, null);
}

/** The path of a value: `parent`, its element `[key]` or its field `.key`. */
const pathOf = (parent: string, key: string | number | null): string => (key === null ? parent : typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`);

/**
 * validateShape on the value at `key` of `parent`: the path is spelt out only for a message, or
 * once for a list or object whose values it checks, not for each value that passes (this runs for
 * every attribute of every write).
 */
function check(s: Shape, value: unknown, limits: InputLimits, parent: string, key: string | number | null): void {
  switch (s.kind) {
    case 'string': {
      if (value === null || value === undefined) {
        if (s.required) fail(pathOf(parent, key), 'is required');
        return;
      }
      if (typeof value !== 'string') return fail(pathOf(parent, key), `must be a string, not ${kindOf(value)}`);
      if (s.required && value.trim() === '') fail(pathOf(parent, key), 'must not be empty');
      const problem = stringProblem(value, s.key ? Math.min(MAX_KEY_BYTES, limits.maxStringBytes) : limits.maxStringBytes);
      if (problem) fail(pathOf(parent, key), problem);
      return;
    }
    case 'id':
      if (value === null || value === undefined) return;
      if (typeof value !== 'string' || !isUuid(value)) fail(pathOf(parent, key), `must be the id of ${s.of} (a UUID)`);
      return;
    case 'boolean':
      if (s.nullable && (value === null || value === undefined)) return;
      if (typeof value !== 'boolean') fail(pathOf(parent, key), `must be true or false, not ${kindOf(value)}`);
      return;
    case 'object': {
      const field = pathOf(parent, key);
      if (!isPlainObject(value)) return fail(field, `must be an object, not ${kindOf(value)}`);
      for (const k in s.fields) check(s.fields[k]!, value[k], limits, field, k);
      return;
    }
    case 'list': {
      const field = pathOf(parent, key);
      if (!Array.isArray(value)) return fail(field, `must be a list, not ${kindOf(value)}`);
      if (value.length > limits.maxValuesPerAttribute) fail(field, `has ${value.length} values, more than ${limits.maxValuesPerAttribute}`);
      for (let i = 0; i < value.length; i++) check(s.of, value[i], limits, field, i);
      return;
    }
    case 'extensions':
      checkExtensions(pathOf(parent, key), value, limits);
      return;
  }
}

/** Checks every field of a resource's profile; the fields are top-level attributes, named bare. */
export function validateFields(fields: Readonly<Record<string, Shape>>, value: unknown, limits: InputLimits): void {
  if (!isPlainObject(value)) throw new InvalidValueError(`the resource must be an object, not ${kindOf(value)}`);
  for (const k in fields) check(fields[k]!, value[k], limits, k, null);
}

/**
 * Deepest extension document a read hands out. Writes refuse far less (MAX_EXTENSION_DEPTH); a
 * deeper document can only have been stored before that check existed, and is left out of reads
 * so that it cannot break every listing that finds its resource (docs/architecture.md#robustness).
 */
export const MAX_READ_DEPTH = 256;

/** Whether `value` nests objects and arrays at most `max` levels deep (measured without recursion). */
export function nestsWithin(value: unknown, max: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return false;
    for (const el of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: el, depth: depth + 1 });
  }
  return true;
}

/** Stored extension documents as reads may hand them out (see MAX_READ_DEPTH). */
export function readableExtensions(stored: Readonly<Record<string, unknown>> | null): Record<string, unknown> {
  if (!stored) return {};
  return Object.fromEntries(Object.entries(stored).filter(([, doc]) => nestsWithin(doc, MAX_READ_DEPTH)));
}
