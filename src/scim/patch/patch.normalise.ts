import { kindOf } from '../../domain/shared/validate.js';
import { parsePatchPath, type ScimFilter } from '../filter/filter.parse.js';
import { resolveAttribute, schemaByUrn, subAttribute, type AttributeSpec, type Resolved, type ResourceTypeSpec } from '../registry/attribute.registry.js';
import { isObject } from '../resource/resource.normalise.js';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget, ScimError } from '../scim.errors.js';

/**
 * PATCH requests (RFC 7644 §3.5.2) in one canonical shape, whatever the dialect (docs/architecture.md#patch-as-commands,
 * docs/entra.md#two-patch-dialects): op names in lower case; every path parsed and resolved through the registry; a
 * path-less add/replace split into one operation per attribute, with its dotted
 * (`name.givenName`) and URN-qualified keys resolved like paths. Values are coerced later, against
 * the attribute they land in.
 */

export type PatchOpName = 'add' | 'replace' | 'remove';

/** A whole extension schema named by its URN (`remove` of `urn:...:enterprise:2.0:User`). */
export interface SchemaTarget {
  readonly kind: 'schema';
  /** The URN as the registry spells it. */
  readonly urn: string;
  readonly path: string;
}

export interface PatchTarget {
  /** The path as the client wrote it (or the key of a path-less value), for messages. */
  readonly text: string;
  readonly resolved: Resolved | SchemaTarget;
  /** `emails[type eq "work"]`: selects elements of a complex attribute. */
  readonly filter: ScimFilter | null;
  /** The sub-attribute addressed: `name.givenName`, or `emails[type eq "work"].value`. */
  readonly sub: AttributeSpec | null;
}

export interface PatchOperation {
  readonly index: number;
  readonly op: PatchOpName;
  readonly target: PatchTarget;
  /** `undefined` when the operation has no value (a remove). */
  readonly value: unknown;
}

export const MAX_OPERATIONS = 1000;
const OP_NAMES: readonly string[] = ['add', 'replace', 'remove'];
/** Read-only attributes a client may echo inside a path-less value; ignored (docs/entra.md#tolerance-rules). */
const IGNORED_KEYS = new Set(['schemas', 'id', 'meta']);

function checkFilterNames(parent: AttributeSpec, f: ScimFilter, text: string): void {
  switch (f.kind) {
    case 'and':
    case 'or':
      f.filters.forEach((c) => checkFilterNames(parent, c, text));
      return;
    case 'not':
      checkFilterNames(parent, f.filter, text);
      return;
    case 'valuePath':
      throw invalidPath(`path "${text}": a value filter cannot contain another "["`);
    default: {
      const local = f.attr.text.slice(f.attr.text.lastIndexOf('.') + 1);
      if (!subAttribute(parent, local)) throw invalidPath(`path "${text}": "${parent.name}" has no sub-attribute "${f.attr.text}"`);
    }
  }
}

/** Resolves one PATCH path (RFC 7644 §3.5.2 PATH = attrPath / valuePath [subAttr]). */
export function resolveTarget(rt: ResourceTypeSpec, text: string, op: PatchOpName): PatchTarget {
  let parsed;
  try {
    parsed = parsePatchPath(text);
  } catch (e) {
    // A malformed path is an invalid path, wherever in it the mistake is.
    if (e instanceof ScimError) throw invalidPath(`path "${text}": ${e.detail}`);
    throw e;
  }
  const resolved = resolveAttribute(rt, parsed.attr.text);
  if (!resolved) throw invalidPath(`path "${text}": ${rt.name} resources have no attribute "${parsed.attr.text}"`);
  if (resolved.kind === 'unknownExtension') {
    if (parsed.filter) throw invalidPath(`path "${text}": value filters are not supported on attributes of unknown extension schemas`);
    return { text, resolved, filter: null, sub: null };
  }
  let sub = resolved.sub;
  if (parsed.filter) {
    if (resolved.sub || resolved.attr.type !== 'complex') throw invalidPath(`path "${text}": "[...]" needs a complex attribute such as emails or members`);
    checkFilterNames(resolved.attr, parsed.filter, text);
    if (parsed.sub) {
      sub = subAttribute(resolved.attr, parsed.sub.text);
      if (!sub) throw invalidPath(`path "${text}": "${resolved.attr.name}" has no sub-attribute "${parsed.sub.text}"`);
    }
  }
  const targeted = sub ?? resolved.attr;
  // RFC 7644 §3.5.2: changing a readOnly attribute is a mutability error.
  if (resolved.attr.mutability === 'readOnly' || targeted.mutability === 'readOnly') {
    throw mutability(`"${sub ? `${resolved.attr.name}.${sub.name}` : resolved.attr.name}" is read-only and cannot be changed (${op})`);
  }
  return { text, resolved, filter: parsed.filter, sub };
}

/** Expands one path-less add/replace value into one operation per attribute. */
function expand(rt: ResourceTypeSpec, index: number, op: PatchOpName, value: Record<string, unknown>, prefix: string | null, out: PatchOperation[]): void {
  for (const [key, v] of Object.entries(value)) {
    if (prefix === null && IGNORED_KEYS.has(key.toLowerCase())) continue;
    const schema = /^urn:/i.test(key) ? schemaByUrn(rt, key) : null;
    if (schema && prefix === null) {
      // {"urn:...:enterprise:2.0:User": {"department": "x"}}: that schema's attributes.
      if (!isObject(v)) throw invalidValue(`Operations[${index}]: "${key}" must be an object holding that schema's attributes`);
      expand(rt, index, op, v, schema === rt.schema ? '' : schema.id, out);
      continue;
    }
    const path = prefix ? `${prefix}:${key}` : key;
    const resolved = resolveAttribute(rt, path);
    if (!resolved || (resolved.kind === 'unknownExtension' && prefix === null && isObject(v))) {
      // An unknown URN holding an object is an extension Roster does not know: kept verbatim.
      if (/^urn:/i.test(key) && isObject(v)) {
        for (const [k, inner] of Object.entries(v)) out.push({ index, op, target: resolveTarget(rt, `${key}:${k}`, op), value: inner });
      }
      continue; // RFC 7644 §3.5.2.1: unknown attributes in a path-less value are ignored, like on POST
    }
    if (resolved.kind === 'known' && (resolved.attr.mutability === 'readOnly' || resolved.sub?.mutability === 'readOnly')) continue;
    out.push({ index, op, target: resolveTarget(rt, path, op), value: v });
  }
}

/** What was sent, for a message: a short string as such, anything else by its kind (never serialised whole). */
const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : kindOf(v ?? null));

export function normalisePatch(rt: ResourceTypeSpec, body: unknown): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('the PATCH body must be a JSON object with "schemas" and "Operations" (RFC 7644 §3.5.2)');
  const opsKey = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const ops = opsKey ? body[opsKey] : undefined;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax('"Operations" must be a non-empty array of operations');
  if (ops.length > MAX_OPERATIONS) throw invalidValue(`at most ${MAX_OPERATIONS} operations may be sent in one PATCH`);
  const out: PatchOperation[] = [];
  ops.forEach((raw, index) => {
    if (!isObject(raw)) throw invalidSyntax(`Operations[${index}] must be an object with "op", "path" and "value"`);
    const get = (k: string) => raw[Object.keys(raw).find((x) => x.toLowerCase() === k) ?? k];
    const opRaw = get('op');
    const op = typeof opRaw === 'string' ? opRaw.toLowerCase() : '';
    // Entra's default dialect capitalises op names (docs/entra.md#two-patch-dialects); RFC 7644 §3.5.2 spells them lower case.
    if (!OP_NAMES.includes(op)) throw invalidSyntax(`Operations[${index}].op must be "add", "remove" or "replace", not ${shown(opRaw)}`);
    const name = op as PatchOpName;
    const path = get('path');
    const hasValue = Object.keys(raw).some((k) => k.toLowerCase() === 'value');
    const value = get('value');
    if (path !== undefined && path !== null && typeof path !== 'string') throw invalidPath(`Operations[${index}].path must be a string`);
    if (typeof path !== 'string' || path.trim() === '') {
      // RFC 7644 §3.5.2.2: a remove without a path has no target.
      if (name === 'remove') throw noTarget(`Operations[${index}]: "remove" needs a "path" naming what to remove`);
      if (!isObject(value)) throw invalidValue(`Operations[${index}]: without a "path", "value" must be an object of attributes to ${name}`);
      expand(rt, index, name, value, null, out);
      return;
    }
    if (name === 'add' && !hasValue) throw invalidValue(`Operations[${index}]: "add" needs a "value"`);
    const schema = schemaByUrn(rt, path.trim());
    if (name !== 'remove' && schema) {
      // A schema's URN as the path: its attributes in the value, as if sent without a path under that URN.
      if (!isObject(value)) throw invalidValue(`Operations[${index}]: with the path "${path.trim()}", "value" must be an object of that schema's attributes`);
      expand(rt, index, name, { [schema.id]: value }, null, out);
      return;
    }
    if (name === 'remove' && schema && schema !== rt.schema) {
      // RFC 7644 §3.5.2.2: removing an extension's URN removes all of that extension's attributes.
      out.push({ index, op: name, target: { text: path.trim(), resolved: { kind: 'schema', urn: schema.id, path: schema.id }, filter: null, sub: null }, value: undefined });
      return;
    }
    if (name === 'remove' && !schema && /^urn:[^\s[\]"]+$/i.test(path.trim()) && !resolveAttribute(rt, path.trim())) {
      // The URN of an extension Roster does not know (it keeps those as sent): removed whole if the resource has it.
      const urn = path.trim();
      out.push({ index, op: name, target: { text: urn, resolved: { kind: 'unknownExtension', urn, name: '', sub: null, path: urn }, filter: null, sub: null }, value: undefined });
      return;
    }
    out.push({ index, op: name, target: resolveTarget(rt, path.trim(), name), value: hasValue ? value : undefined });
  });
  return out;
}
