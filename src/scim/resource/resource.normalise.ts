import { kindOf } from '../../domain/shared/validate.js';
import {
  resolveAttribute,
  schemaByUrn,
  subAttribute,
  type AttributeSpec,
  type ResolvedAttribute,
  type ResourceTypeSpec,
} from '../registry/attribute.registry.js';
import { invalidSyntax, invalidValue } from '../scim.errors.js';

/**
 * Request bodies in the canonical shape the mappings read: attribute names as the registry spells
 * them (RFC 7643 §2.1: names are case-insensitive), extension attributes under their schema URN,
 * values of the registry's types (Entra's "True"/"False" strings become booleans), read-only
 * attributes and `null`s dropped (docs/entra.md#tolerance-rules), unknown extension schemas kept as sent.
 */
export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `schemas`, `id`, `meta` and other read-only attributes a client may echo back; ignored. */
const IGNORED_KEYS = new Set(['schemas']);

/** Coerces one value to the type of `spec`; `null` means "no value". */
export function coerceValue(spec: AttributeSpec, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return null;
  if (spec.multiValued) {
    const items = Array.isArray(value) ? value : value === '' ? [] : [value];
    return items.map((item, i) => coerceSingle(spec, item, `${path}[${i}]`, true)).filter((v) => v !== null);
  }
  return coerceSingle(spec, value, path, false);
}

/**
 * Coerces one value. It never recurses deeper than one complex attribute and its simple
 * sub-attributes (RFC 7643 §2.3.8: sub-attributes are not complex), whatever the body holds.
 */
function coerceSingle(spec: AttributeSpec, value: unknown, path: string, element: boolean): unknown {
  if (value === null || value === undefined) return null;
  switch (spec.type) {
    case 'complex': {
      // docs/entra.md#further-patch-shapes: manager may arrive as a bare id, as {"value": id} or as a one-element array.
      if (!element && Array.isArray(value) && value.length <= 1) value = value.length ? value[0] : null;
      if (value === '' || value === null || value === undefined) return null;
      if (typeof value === 'string' && subAttribute(spec, 'value') !== null) value = { value };
      if (!isObject(value)) throw invalidValue(`"${path}" must be an object with the sub-attributes of ${spec.name}, not ${kindOf(value)}`);
      const out: Json = {};
      for (const [k, v] of Object.entries(rolesString(spec, value))) {
        const sub = subAttribute(spec, k);
        if (!sub || sub.mutability === 'readOnly') continue;
        if (sub.type === 'complex') throw invalidValue(`"${path}.${sub.name}" cannot be set`);
        const c = coerceSingle(sub, v, `${path}.${sub.name}`, false);
        if (c !== null) out[sub.name] = c;
      }
      // An element is kept even when empty, so that a member or e-mail without a value is refused, not dropped.
      return Object.keys(out).length || element ? out : null;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Entra's default PATCH dialect sends "True"/"False" (docs/entra.md#two-patch-dialects).
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      if (value === '') return null;
      throw invalidValue(`"${path}" must be true or false, not ${kindOf(value)}`);
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number') throw invalidValue(`"${path}" must be a number, not ${kindOf(value)}`);
      return value;
    default:
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') throw invalidValue(`"${path}" must be a string, not ${kindOf(value)}`);
      // docs/entra.md#further-patch-shapes: an empty string clears the attribute.
      return value === '' ? null : value;
  }
}

/**
 * Entra sends app roles as a JSON document inside `value`
 * (`{"value": "{\"id\":\"..\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}`); unwrap it.
 */
function rolesString(spec: AttributeSpec, v: Json): Json {
  if (spec.name !== 'roles' || typeof v.value !== 'string' || !v.value.trimStart().startsWith('{')) return v;
  try {
    const inner = JSON.parse(v.value) as unknown;
    if (!isObject(inner) || inner.value === undefined) return v;
    const { value, displayName, display, type, primary } = inner;
    return { ...v, value, display: display ?? displayName ?? v.display, type: type ?? v.type, primary: primary ?? v.primary };
  } catch {
    return v;
  }
}

/** Puts one attribute at its place: top level, or under its schema URN for an extension. */
function place(out: Json, r: ResolvedAttribute, value: unknown): void {
  const holder = r.extension ? ((out[r.schema!.id] ??= {}) as Json) : out;
  if (value === null) delete holder[r.attr.name];
  else holder[r.attr.name] = value;
}

function mergeInto(rt: ResourceTypeSpec, out: Json, key: string, value: unknown, topLevel = true): void {
  const schema = topLevel && /^urn:/i.test(key) ? schemaByUrn(rt, key) : null;
  if (schema) {
    // A whole schema's attributes under its URN: {"urn:...:enterprise:2.0:User": {...}}; one level only.
    if (value === null) return;
    if (!isObject(value)) throw invalidValue(`"${key}" must be an object holding that schema's attributes, not ${kindOf(value)}`);
    for (const [k, v] of Object.entries(value)) mergeInto(rt, out, schema === rt.schema ? k : `${schema.id}:${k}`, v, false);
    return;
  }
  const r = resolveAttribute(rt, key);
  if (!r || (r.kind === 'unknownExtension' && isObject(value))) {
    if (/^urn:/i.test(key) && isObject(value)) {
      // An extension schema Roster does not know, as RFC 7643 §3.3 nests it: kept verbatim (docs/architecture.md#unknown-extension-attributes).
      out[key] = value;
    }
    // Anything else is an attribute no schema of this resource type defines: ignored (RFC 7644 §3.3).
    return;
  }
  if (r.kind === 'unknownExtension') {
    if (value === null) return;
    const ext = (out[r.urn] ??= {}) as Json;
    if (r.sub) ((ext[r.name] ??= {}) as Json)[r.sub] = value;
    else ext[r.name] = value;
    return;
  }
  if (r.attr.mutability === 'readOnly') return; // id, meta, groups: ignored when a client echoes them
  if (r.sub) {
    mergeInto(rt, out, r.extension ? `${r.schema!.id}:${r.attr.name}` : r.attr.name, { [r.sub.name]: value }, false);
    return;
  }
  const coerced = coerceValue(r.attr, value, r.path);
  const holder = r.extension ? ((out[r.schema!.id] as Json | undefined) ?? {}) : out;
  const prev = holder[r.attr.name];
  // Sub-attributes given in several keys ("name.givenName" and "name.familyName") build one object.
  place(out, r, isObject(prev) && isObject(coerced) ? { ...prev, ...coerced } : coerced);
}

/** The canonical form of a POST or PUT body for `rt`. */
export function normaliseResource(rt: ResourceTypeSpec, body: unknown): Json {
  if (!isObject(body)) throw invalidSyntax('the request body must be a JSON object representing the resource');
  const out: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if (IGNORED_KEYS.has(key.toLowerCase())) continue;
    mergeInto(rt, out, key, value);
  }
  return out;
}

/** Keys of a canonical resource that hold extension schemas Roster does not know. */
export const unknownExtensionKeys = (rt: ResourceTypeSpec, r: Json): string[] =>
  Object.keys(r).filter((k) => /^urn:/i.test(k) && !schemaByUrn(rt, k) && isObject(r[k]));
