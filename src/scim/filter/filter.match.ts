import { subAttribute, type AttributeSpec } from '../registry/attribute.registry.js';
import type { Json } from '../resource/resource.normalise.js';
import type { CompValue, ScimFilter } from './filter.parse.js';

/**
 * Evaluates a value filter (the `[...]` of a PATCH path, RFC 7644 §3.5.2) against one element of
 * a complex attribute held in memory, honouring each sub-attribute's caseExact (RFC 7643 §2.2).
 * The parent's sub-attribute names have been checked by the PATCH normaliser.
 */
export function matchesElement(parent: AttributeSpec, f: ScimFilter, el: Json): boolean {
  switch (f.kind) {
    case 'and':
      return f.filters.every((c) => matchesElement(parent, c, el));
    case 'or':
      return f.filters.some((c) => matchesElement(parent, c, el));
    case 'not':
      return !matchesElement(parent, f.filter, el);
    case 'pr': {
      const v = el[subName(parent, f.attr.text)];
      return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
    }
    case 'cmp': {
      const sub = subAttribute(parent, subName(parent, f.attr.text));
      return compare(sub, el[sub?.name ?? f.attr.text], f.op, f.value);
    }
    case 'valuePath':
      return false;
  }
}

/** `type` or the qualified `emails.type`. */
function subName(parent: AttributeSpec, text: string): string {
  const local = text.includes('.') ? text.slice(text.lastIndexOf('.') + 1) : text;
  return subAttribute(parent, local)?.name ?? local;
}

function compare(sub: AttributeSpec | null, actual: unknown, op: string, expected: CompValue): boolean {
  if (expected === null) return op === 'eq' ? actual === undefined || actual === null : actual !== undefined && actual !== null;
  if (actual === undefined || actual === null) return op === 'ne';
  if (typeof actual === 'boolean' || sub?.type === 'boolean') {
    const e = typeof expected === 'string' ? expected.toLowerCase() === 'true' : expected === true;
    return op === 'eq' ? actual === e : op === 'ne' ? actual !== e : false;
  }
  const fold = (v: unknown) => (sub?.caseExact ? String(v) : String(v).toLowerCase());
  const a = fold(actual);
  const b = fold(expected);
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'co': return a.includes(b);
    case 'sw': return a.startsWith(b);
    case 'ew': return a.endsWith(b);
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    default: return false;
  }
}

/**
 * The element a filter describes when it is nothing but `eq` tests joined by `and`
 * (`type eq "work"`): Entra's filtered paths create the element when none matches (docs/entra.md#further-patch-shapes).
 * Null when the filter cannot be read as a description.
 */
export function elementOf(parent: AttributeSpec, f: ScimFilter): Json | null {
  if (f.kind === 'cmp' && f.op === 'eq' && f.value !== null) {
    const sub = subAttribute(parent, subName(parent, f.attr.text));
    return sub ? { [sub.name]: f.value } : null;
  }
  if (f.kind === 'and') {
    const parts = f.filters.map((c) => elementOf(parent, c));
    return parts.every((p) => p !== null) ? Object.assign({}, ...parts) as Json : null;
  }
  return null;
}

