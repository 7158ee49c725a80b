import { f, type CompareOp, type FieldDef, type Filter, type FilterValue } from '../../domain/shared/filter.js';
import { resolveAttribute, subAttribute, type AttributeSpec, type ResolvedAttribute, type ResourceTypeSpec } from '../registry/attribute.registry.js';
import { invalidFilter } from '../scim.errors.js';
import type { AttrRef, CompValue, ScimFilter } from './filter.parse.js';

/**
 * Translates a parsed SCIM filter into the domain filter language (docs/architecture.md#filter-language), resolving every
 * attribute through the registry. What the domain cannot filter on is refused here, with the SCIM
 * name of the attribute and where it stands in the filter (RFC 7644 §3.4.2.2, invalidFilter).
 */
export function translateFilter(rt: ResourceTypeSpec, filter: ScimFilter): Filter {
  return node(rt, filter);
}

function at(ref: AttrRef): string {
  return `"${ref.text}" (position ${ref.pos + 1})`;
}

function resolveKnown(rt: ResourceTypeSpec, ref: AttrRef): ResolvedAttribute {
  const r = resolveAttribute(rt, ref.text);
  if (!r) throw invalidFilter(`unknown attribute ${at(ref)} for ${rt.name} resources`);
  if (r.kind === 'unknownExtension') throw invalidFilter(`attribute ${at(ref)} belongs to an extension schema Roster does not index; it cannot be filtered`);
  return r;
}

const notFilterable = (ref: AttrRef): never => {
  throw invalidFilter(`attribute ${at(ref)} cannot be used in a filter`);
};

/** Converts a filter literal to the type of the domain field it is compared with. */
function convert(ref: AttrRef, def: FieldDef, value: CompValue): FilterValue {
  if (value === null) return null;
  switch (def.type) {
    case 'boolean':
      // Some clients quote booleans ("True"); the meaning is unambiguous.
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      if (typeof value !== 'boolean') throw invalidFilter(`${at(ref)} is a boolean; compare it with true or false`);
      return value;
    case 'dateTime': {
      const d = typeof value === 'string' ? new Date(value) : null;
      if (!d || Number.isNaN(d.getTime())) throw invalidFilter(`${at(ref)} is a dateTime; compare it with a quoted ISO 8601 timestamp such as "2024-01-31T12:00:00Z"`);
      return d;
    }
    case 'integer':
      if (typeof value !== 'number') throw invalidFilter(`${at(ref)} is an integer; compare it with a number`);
      return value;
    default:
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') throw invalidFilter(`${at(ref)} is a string; compare it with a "quoted string"`);
      return value;
  }
}

function compare(ref: AttrRef, field: string, def: FieldDef | undefined, op: CompareOp | 'pr', value: CompValue): Filter {
  if (!def) return notFilterable(ref);
  return op === 'pr' ? f.pr(field) : f.cmp(field, op, convert(ref, def, value));
}

/** A comparison on a sub-attribute of a multi-valued attribute, inside its `some` scope. */
function inElement(rt: ResourceTypeSpec, multiField: string, ref: AttrRef, sub: AttributeSpec | null, op: CompareOp | 'pr', value: CompValue): Filter {
  if (!sub) throw invalidFilter(`unknown sub-attribute ${at(ref)}`);
  return compare(ref, sub.name, rt.catalog.multi[multiField]?.[sub.name], op, value);
}

function attrExp(rt: ResourceTypeSpec, ref: AttrRef, op: CompareOp | 'pr', value: CompValue): Filter {
  const r = resolveKnown(rt, ref);
  const { attr, sub } = r;
  if (attr.multiValued) {
    const field = attr.domain ?? notFilterable(ref);
    // RFC 7644 §3.4.2.2: a multi-valued attribute without a sub-attribute compares its "value";
    // "pr" asks whether it has any value at all.
    if (!sub && op === 'pr') return f.pr(field);
    const target = sub ?? subAttribute(attr, 'value');
    if (!target) throw invalidFilter(`${at(ref)} has no "value"; name a sub-attribute, such as ${attr.name}.${attr.subAttributes![0]!.name}`);
    return f.some(field, inElement(rt, field, ref, target, op, value));
  }
  if (attr.type === 'complex') {
    if (sub) return compare(ref, sub.domain ?? notFilterable(ref), sub.domain ? rt.catalog.simple[sub.domain] : undefined, op, value);
    const mapped = (attr.subAttributes ?? []).filter((s) => s.domain && rt.catalog.simple[s.domain]);
    if (op === 'pr' && mapped.length) return mapped.length === 1 ? f.pr(mapped[0]!.domain!) : f.or(...mapped.map((s) => f.pr(s.domain!)));
    const v = subAttribute(attr, 'value');
    if (v?.domain) return compare(ref, v.domain, rt.catalog.simple[v.domain], op, value);
    throw invalidFilter(`${at(ref)} is complex; compare one of its sub-attributes, such as ${attr.name}.${attr.subAttributes![0]!.name}`);
  }
  const field = attr.domain ?? notFilterable(ref);
  return compare(ref, field, rt.catalog.simple[field], op, value);
}

/** The filter inside `attr[...]`: its attribute names are sub-attributes of `attr`. */
function valueFilter(rt: ResourceTypeSpec, parent: ResolvedAttribute, parentRef: AttrRef, n: ScimFilter): Filter {
  const { attr } = parent;
  const subOf = (ref: AttrRef): AttributeSpec | null => {
    // Accept the plain sub-attribute name, and also the qualified form (emails.type).
    const direct = subAttribute(attr, ref.text);
    if (direct) return direct;
    const r = resolveAttribute(rt, ref.text);
    return r?.kind === 'known' && r.attr === attr ? r.sub : null;
  };
  const leaf = (ref: AttrRef, op: CompareOp | 'pr', value: CompValue): Filter => {
    const sub = subOf(ref);
    if (!sub) throw invalidFilter(`"${attr.name}" has no sub-attribute ${at(ref)}`);
    if (attr.multiValued) return inElement(rt, attr.domain!, ref, sub, op, value);
    return compare(ref, sub.domain ?? notFilterable(ref), sub.domain ? rt.catalog.simple[sub.domain] : undefined, op, value);
  };
  switch (n.kind) {
    case 'and':
    case 'or':
      return { op: n.kind, filters: n.filters.map((c) => valueFilter(rt, parent, parentRef, c)) };
    case 'not':
      return f.not(valueFilter(rt, parent, parentRef, n.filter));
    case 'cmp':
      return leaf(n.attr, n.op, n.value);
    case 'pr':
      return leaf(n.attr, 'pr', null);
    case 'valuePath':
      throw invalidFilter(`a value filter inside "${parentRef.text}[...]" cannot contain another "["`);
  }
}

function node(rt: ResourceTypeSpec, n: ScimFilter): Filter {
  switch (n.kind) {
    case 'and':
    case 'or':
      return { op: n.kind, filters: n.filters.map((c) => node(rt, c)) };
    case 'not':
      return f.not(node(rt, n.filter));
    case 'cmp':
      return attrExp(rt, n.attr, n.op, n.value);
    case 'pr':
      return attrExp(rt, n.attr, 'pr', null);
    case 'valuePath': {
      const r = resolveKnown(rt, n.attr);
      if (r.sub || r.attr.type !== 'complex') throw invalidFilter(`${at(n.attr)} is not a complex attribute; "[...]" needs one such as emails`);
      if (r.attr.multiValued && !r.attr.domain) notFilterable(n.attr);
      const inner = valueFilter(rt, r, n.attr, n.filter);
      const parts = [inner];
      if (n.then) parts.push(valueFilter(rt, r, n.attr, n.then.op === 'pr' ? { kind: 'pr', attr: n.then.sub } : { kind: 'cmp', attr: n.then.sub, op: n.then.op, value: n.then.value }));
      const body = parts.length === 1 ? inner : f.and(...parts);
      return r.attr.multiValued ? f.some(r.attr.domain!, body) : body;
    }
  }
}
