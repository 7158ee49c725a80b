import type { Filter } from '../../domain/shared/filter.js';
import type { SortSpec } from '../../domain/ports.js';
import { parseFilter } from '../filter/filter.parse.js';
import { translateFilter } from '../filter/filter.translate.js';
import { allAttributes, resolveAttribute, type ResourceTypeSpec } from '../registry/attribute.registry.js';
import { invalidValue } from '../scim.errors.js';
import { kindOf } from '../../domain/shared/validate.js';
import { parseProjection, type Projection } from './resource.project.js';

/**
 * The query of a list or search (RFC 7644 §3.4.2, §3.4.3): from GET query parameters or a
 * SearchRequest body, with parameter names matched case-insensitively.
 */
export interface ListParams {
  readonly filter?: string;
  readonly startIndex?: string | number;
  readonly count?: string | number;
  readonly sortBy?: string;
  readonly sortOrder?: string;
  readonly attributes?: string | readonly string[];
  readonly excludedAttributes?: string | readonly string[];
}

const KNOWN = ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes'] as const;
type Known = (typeof KNOWN)[number];

/** Checks one parameter's type: a query string or SearchRequest body value (RFC 7644 §3.4.3). */
function paramValue(name: Known, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  switch (name) {
    case 'attributes':
    case 'excludedAttributes':
      if (typeof v === 'string') return v;
      if (Array.isArray(v) && v.every((a) => typeof a === 'string')) return v;
      throw invalidValue(`"${name}" must be a comma-separated string or a list of attribute names, not ${kindOf(v)}`);
    case 'startIndex':
    case 'count':
      if (typeof v === 'string' || typeof v === 'number') return v;
      throw invalidValue(`"${name}" must be a whole number, not ${kindOf(v)}`);
    default:
      if (typeof v === 'string') return v;
      throw invalidValue(`"${name}" must be a string, not ${kindOf(v)}`);
  }
}

/**
 * Picks the known parameters out of a query (`fromQuery`) or a SearchRequest body; unknown ones
 * (aadOptscim062020) are ignored.
 */
export function pickListParams(source: Record<string, unknown>, fromQuery = true): ListParams {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    const name = KNOWN.find((n) => n.toLowerCase() === k.toLowerCase());
    if (!name) continue;
    // A query parameter given twice counts once, the last time (its lists are comma-separated).
    const repeated = fromQuery && Array.isArray(v) && name !== 'attributes' && name !== 'excludedAttributes';
    out[name] = paramValue(name, repeated ? v[v.length - 1] : v);
  }
  return out as ListParams;
}

function integer(name: string, v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : /^[-+]?\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n)) throw invalidValue(`"${name}" must be a whole number, got ${JSON.stringify(v)}`);
  return n;
}

/** RFC 7644 §3.4.2.3: sortBy names one attribute; the domain tells which fields can be sorted. */
export function resolveSort(rt: ResourceTypeSpec, sortBy: string | undefined, sortOrder: string | undefined): SortSpec | null {
  let direction: 'asc' | 'desc' = 'asc';
  if (sortOrder !== undefined && sortOrder !== '') {
    const o = sortOrder.toLowerCase();
    if (o !== 'ascending' && o !== 'descending') throw invalidValue(`"sortOrder" must be "ascending" or "descending", got "${sortOrder}"`);
    direction = o === 'descending' ? 'desc' : 'asc';
  }
  if (sortBy === undefined || sortBy === '') return null;
  const r = resolveAttribute(rt, sortBy);
  const field = r?.kind === 'known' && !r.attr.multiValued ? (r.sub ?? r.attr).domain : undefined;
  if (!field || !rt.catalog.simple[field]?.sortable) {
    throw invalidValue(`${rt.name} resources cannot be sorted by "${sortBy}"; sortable attributes: ${sortableAttributes(rt).join(', ')}`);
  }
  return { field, direction };
}

/** The SCIM paths of the sortable attributes, from the registry and the domain catalog. */
export function sortableAttributes(rt: ResourceTypeSpec): string[] {
  const out: string[] = [];
  for (const { schema, attr } of allAttributes(rt)) {
    if (attr.multiValued) continue;
    const prefix = schema && schema !== rt.schema ? `${schema.id}:` : '';
    for (const [a, name] of attr.subAttributes ? attr.subAttributes.map((s) => [s, `${attr.name}.${s.name}`] as const) : [[attr, attr.name] as const]) {
      if (a.domain && rt.catalog.simple[a.domain]?.sortable) out.push(prefix + name);
    }
  }
  return out;
}

export interface ListQueryParts {
  readonly filter: Filter | null;
  readonly sort: SortSpec | null;
  /** 0-based. */
  readonly offset: number;
  readonly limit: number;
  /** 1-based, as RFC 7644 returns it. */
  readonly startIndex: number;
  readonly projection: Projection;
}

export function listQuery(rt: ResourceTypeSpec, p: ListParams, limits: { defaultCount: number; maxResults: number }): ListQueryParts {
  if (p.filter !== undefined && typeof p.filter !== 'string') throw invalidValue('"filter" must be a string');
  const filter = p.filter !== undefined && p.filter.trim() !== '' ? translateFilter(rt, parseFilter(p.filter)) : null;
  // RFC 7644 §3.4.2.4: startIndex below 1 means 1; a negative count means 0; count is capped.
  const startIndex = Math.max(1, integer('startIndex', p.startIndex) ?? 1);
  if (startIndex > Number.MAX_SAFE_INTEGER) throw invalidValue(`"startIndex" must be at most ${Number.MAX_SAFE_INTEGER}`);
  const count = Math.min(limits.maxResults, Math.max(0, integer('count', p.count) ?? limits.defaultCount));
  return {
    filter,
    sort: resolveSort(rt, p.sortBy, p.sortOrder),
    offset: startIndex - 1,
    limit: count,
    startIndex,
    projection: parseProjection(rt, p.attributes, p.excludedAttributes),
  };
}
