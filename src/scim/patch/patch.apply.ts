import { copyData, sameData } from '../../domain/shared/equal.js';
import { elementOf, matchesElement } from '../filter/filter.match.js';
import { subAttribute, type AttributeSpec, type ResolvedAttribute } from '../registry/attribute.registry.js';
import { coerceValue, isObject, type Json } from '../resource/resource.normalise.js';
import { noTarget } from '../scim.errors.js';
import type { PatchOperation } from './patch.normalise.js';

/**
 * Applies normalised PATCH operations, in order, to a resource's canonical representation held in
 * memory (docs/architecture.md#patch-as-commands: a user is small). RFC 7644 §3.5.2.1-3 semantics, with the Entra behaviours of
 * docs/entra.md#further-patch-shapes: `add` and `replace` alike on single values; filtered paths update the matching element
 * or create it from the filter when none matches; an empty string or null clears; `remove` with a
 * value removes only those values. Group membership never comes here (see group.patch).
 */
export function applyPatch(resource: Json, ops: readonly PatchOperation[]): Json {
  const res = copyData(resource);
  for (const op of ops) applyOne(res, op);
  return res;
}

const asElement = (attr: AttributeSpec): AttributeSpec => ({ ...attr, multiValued: false });
const isEmpty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

function setOrDelete(holder: Json, key: string, value: unknown): void {
  if (isEmpty(value)) delete holder[key];
  else holder[key] = value;
}

/** RFC 7644 §3.5.2: a value set primary makes every other primary value of the attribute `primary: false`. */
function onePrimary(list: Json[], keep: Json): void {
  if (keep.primary !== true) return;
  for (const el of list) if (el !== keep && el.primary === true) el.primary = false;
}

/** Two elements are the same value when their `value` sub-attributes are equal (caseExact-aware). */
function sameValue(attr: AttributeSpec, a: Json, b: Json): boolean {
  const sub = subAttribute(attr, 'value');
  if (!sub || a.value === undefined || b.value === undefined) return sameData(a, b);
  return sub.caseExact ? a.value === b.value : String(a.value).toLowerCase() === String(b.value).toLowerCase();
}

function applyOne(res: Json, o: PatchOperation): void {
  const t = o.target;
  if (t.resolved.kind === 'schema') {
    delete res[t.resolved.urn];
    return;
  }
  if (t.resolved.kind === 'unknownExtension') {
    const whole = o.op === 'remove' ? Object.keys(res).find((k) => k.toLowerCase() === t.text.toLowerCase() && isObject(res[k])) : undefined;
    if (whole !== undefined) {
      // The URN of an extension Roster does not know, removed whole as for a known one (RFC 7644 §3.5.2.2).
      delete res[whole];
      return;
    }
    if (t.resolved.name === '') return; // an unknown extension URN the resource does not have: nothing to remove
    // Extension schemas Roster does not know are stored as sent (docs/architecture.md#unknown-extension-attributes).
    const { urn, name, sub } = t.resolved;
    const ext = (isObject(res[urn]) ? res[urn] : (res[urn] = {})) as Json;
    const value = o.op === 'remove' ? null : o.value;
    if (sub) {
      const inner = (isObject(ext[name]) ? ext[name] : (ext[name] = {})) as Json;
      setOrDelete(inner, sub, value);
      if (isEmpty(inner)) delete ext[name];
    } else {
      setOrDelete(ext, name, value === '' ? null : value);
    }
    if (isEmpty(ext)) delete res[urn];
    return;
  }
  const r = t.resolved;
  const holder = r.extension ? ((isObject(res[r.schema!.id]) ? res[r.schema!.id] : (res[r.schema!.id] = {})) as Json) : res;
  if (r.attr.multiValued) applyMulti(holder, r, o);
  else applySingle(holder, r, o);
  if (r.extension && isEmpty(holder)) delete res[r.schema!.id];
}

function applySingle(holder: Json, r: ResolvedAttribute, o: PatchOperation): void {
  const { attr } = r;
  const t = o.target;
  const name = attr.name;
  if (t.filter) {
    // A filter on a single complex value (manager[value eq "..."]) selects it or nothing.
    const current = isObject(holder[name]) ? (holder[name] as Json) : null;
    const matched = current !== null && matchesElement(attr, t.filter, current);
    if (o.op === 'remove') {
      if (matched && t.sub) delete current[t.sub.name];
      else if (matched) delete holder[name];
      if (isEmpty(holder[name])) delete holder[name];
      return;
    }
    if (!matched) throw noTarget(`path "${t.text}" matches no value`);
    if (t.sub) setOrDelete(current, t.sub.name, coerceValue(t.sub, o.value, t.text));
    else setOrDelete(holder, name, mergeComplex(current, coerceValue(attr, o.value, t.text)));
    if (isEmpty(holder[name])) delete holder[name];
    return;
  }
  if (t.sub) {
    const current = (isObject(holder[name]) ? holder[name] : {}) as Json;
    setOrDelete(current, t.sub.name, o.op === 'remove' ? null : coerceValue(t.sub, o.value, t.text));
    setOrDelete(holder, name, current);
    return;
  }
  if (o.op === 'remove') {
    delete holder[name];
    return;
  }
  const value = coerceValue(attr, o.value, t.text);
  // RFC 7644 §3.5.2.3: replacing a complex attribute replaces the sub-attributes given and keeps the rest.
  setOrDelete(holder, name, attr.type === 'complex' && value !== null ? mergeComplex(holder[name], value) : value);
}

function mergeComplex(current: unknown, next: unknown): unknown {
  return isObject(current) && isObject(next) ? { ...current, ...next } : next;
}

function applyMulti(holder: Json, r: ResolvedAttribute, o: PatchOperation): void {
  const { attr } = r;
  const t = o.target;
  const name = attr.name;
  const list: Json[] = Array.isArray(holder[name]) ? (holder[name] as Json[]) : [];
  const done = () => setOrDelete(holder, name, list);

  if (t.filter || t.sub) {
    const matched = t.filter ? list.filter((el) => matchesElement(attr, t.filter!, el)) : list;
    if (o.op === 'remove') {
      for (const el of matched) {
        // Without its value an element means nothing: removing `value` removes the element.
        if (t.sub && t.sub.name !== 'value') delete el[t.sub.name];
        else list.splice(list.indexOf(el), 1);
      }
      return done();
    }
    const value = t.sub ? coerceValue(t.sub, o.value, t.text) : coerceValue(asElement(attr), o.value, t.text);
    if (matched.length === 0) {
      // docs/entra.md#further-patch-shapes: emails[type eq "work"].value creates the work e-mail when there is none; a
      // filter that does not describe an element has no target (RFC 7644 §3.5.2.3).
      const base = t.filter ? elementOf(attr, t.filter) : {};
      if (!base) throw noTarget(`path "${t.text}" matches no value, and its filter does not describe one to create`);
      if (value === null) return done();
      const created: Json = t.sub ? { ...base, [t.sub.name]: value } : { ...base, ...(value as Json) };
      list.push(created);
      onePrimary(list, created);
      return done();
    }
    for (const el of matched) {
      if (t.sub) setOrDelete(el, t.sub.name, value);
      else if (value === null) list.splice(list.indexOf(el), 1);
      else Object.assign(el, value);
      onePrimary(list, el);
    }
    // An element left without its value is dropped (e.g. emails[type eq "work"].value set to "").
    for (const el of [...list]) if (subAttribute(attr, 'value') && el.value === undefined) list.splice(list.indexOf(el), 1);
    return done();
  }

  if (o.op === 'remove') {
    if (o.value === undefined || o.value === null) return setOrDelete(holder, name, []);
    // Entra's default dialect: {"op":"Remove","path":"emails","value":[{"value":"x"}]} removes only those.
    const gone = coerceValue(attr, o.value, t.text) as Json[];
    return setOrDelete(holder, name, list.filter((el) => !gone.some((g) => sameValue(attr, el, g))));
  }
  // null (unassigned, RFC 7643 §2.5): a replace clears the attribute, an add adds nothing, as for a group's members.
  const values = coerceValue(attr, o.value, t.text) as Json[] | null;
  if (o.op === 'replace') {
    // RFC 7644 §3.5.2.3: without a filter, replace sets the whole multi-valued attribute.
    return setOrDelete(holder, name, values);
  }
  // RFC 7644 §3.5.2.1: add appends; a value already present is not duplicated.
  for (const v of values ?? []) {
    const same = list.find((el) => sameValue(attr, el, v));
    if (same) Object.assign(same, v);
    else list.push(v);
    onePrimary(list, same ?? v);
  }
  return done();
}
