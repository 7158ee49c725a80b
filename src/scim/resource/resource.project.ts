import { allAttributes, resolveAttribute, schemaByUrn, type Resolved, type ResourceTypeSpec } from '../registry/attribute.registry.js';
import { isObject, type Json } from './resource.normalise.js';
import { copyData } from '../../domain/shared/equal.js';

/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9), driven by the registry's
 * `returned` characteristic: "always" attributes are always there, "never" ones never, and an
 * excluded attribute loses its key entirely (docs/entra.md#tolerance-rules: `excludedAttributes=members` → no key).
 * Names the resource type does not define are ignored.
 */

type Entry = { kind: 'schema'; urn: string } | Resolved;

export interface Projection {
  readonly attributes: readonly Entry[] | null;
  readonly excluded: readonly Entry[];
}

function entries(rt: ResourceTypeSpec, raw: string | readonly string[] | undefined): Entry[] {
  const items = (typeof raw === 'string' ? raw.split(',') : (raw ?? [])).map((s) => String(s).trim()).filter(Boolean);
  const out: Entry[] = [];
  for (const text of items) {
    const schema = schemaByUrn(rt, text);
    if (schema) out.push({ kind: 'schema', urn: schema.id });
    else {
      const r = resolveAttribute(rt, text);
      if (r) out.push(r);
      // A URN Roster has no schema for may name a whole extension document it keeps verbatim.
      if (/^urn:/i.test(text) && r?.kind !== 'known') out.push({ kind: 'schema', urn: text });
    }
  }
  return out;
}

export function parseProjection(rt: ResourceTypeSpec, attributes?: string | readonly string[], excluded?: string | readonly string[]): Projection {
  const a = entries(rt, attributes);
  const hasAttributes = typeof attributes === 'string' ? attributes.trim() !== '' : (attributes?.length ?? 0) > 0;
  return { attributes: hasAttributes ? a : null, excluded: entries(rt, excluded) };
}

/** Whether the top-level attribute `name` of the core schema will be in the response. */
export function includes(p: Projection, name: string): boolean {
  const names = (list: readonly Entry[]) => list.some((e) => e.kind === 'known' && !e.extension && e.attr.name === name && !e.sub);
  if (p.excluded.length && names(p.excluded)) return false;
  if (p.attributes) return p.attributes.some((e) => e.kind === 'known' && !e.extension && e.attr.name === name);
  return true;
}

function holderKey(e: Resolved): { urn: string | null; name: string; sub: string | null } {
  if (e.kind === 'unknownExtension') return { urn: e.urn, name: e.name, sub: e.sub };
  return { urn: e.extension ? e.schema!.id : null, name: e.attr.name, sub: e.sub?.name ?? null };
}

const pick = (v: unknown, sub: string): unknown =>
  Array.isArray(v) ? v.map((el) => (isObject(el) && sub in el ? { [sub]: el[sub] } : {})) : isObject(v) && sub in v ? { [sub]: v[sub] } : undefined;

function mergeValue(prev: unknown, next: unknown): unknown {
  if (Array.isArray(prev) && Array.isArray(next)) return prev.map((p, i) => ({ ...(p as Json), ...(next[i] as Json) }));
  if (isObject(prev) && isObject(next)) return { ...prev, ...next };
  return next;
}

function copy(from: Json, to: Json, e: Entry): void {
  if (e.kind === 'schema') {
    if (from[e.urn] !== undefined) to[e.urn] = from[e.urn];
    return;
  }
  const k = holderKey(e);
  const src = k.urn ? from[k.urn] : from;
  if (!isObject(src) || src[k.name] === undefined) return;
  const value = k.sub ? pick(src[k.name], k.sub) : src[k.name];
  if (value === undefined) return;
  const dest = k.urn ? ((to[k.urn] ??= {}) as Json) : to;
  dest[k.name] = mergeValue(dest[k.name], value);
}

function remove(from: Json, e: Entry): void {
  if (e.kind === 'schema') {
    delete from[e.urn];
    return;
  }
  if (e.kind === 'known' && (e.sub ?? e.attr).returned === 'always') return;
  const k = holderKey(e);
  const holder = k.urn ? from[k.urn] : from;
  if (!isObject(holder)) return;
  if (!k.sub) {
    delete holder[k.name];
  } else {
    const v = holder[k.name];
    for (const el of Array.isArray(v) ? v : [v]) if (isObject(el)) delete el[k.sub];
  }
  if (k.urn && Object.keys(holder).length === 0) delete from[k.urn];
}

/** Applies the projection to a full representation; with nothing asked for or excluded, that is the representation itself. */
export function project(rt: ResourceTypeSpec, p: Projection, full: Json): Json {
  let out: Json;
  if (p.attributes) {
    out = { schemas: full.schemas };
    for (const { schema, attr } of allAttributes(rt)) {
      if (attr.returned !== 'always') continue;
      const src = schema && schema !== rt.schema ? full[schema.id] : full;
      if (isObject(src) && src[attr.name] !== undefined) out[attr.name] = src[attr.name];
    }
    for (const e of p.attributes) copy(full, out, e);
  } else if (p.excluded.length === 0) {
    return full;
  } else {
    out = copyData(full);
  }
  for (const e of p.excluded) remove(out, e);
  return out;
}
