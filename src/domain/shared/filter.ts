import { InvalidFilterError } from '../errors.js';
import { characterProblem } from './validate.js';

/**
 * The one filter language of the domain (docs/architecture.md#filter-language): a boolean tree of comparisons over the
 * fields of a resource, plus "some element of a multi-valued attribute matches a sub-filter".
 * GraphQL builds it from typed inputs, SCIM parses RFC 7644 filter strings into it, and the
 * database layer compiles it to one parameterised SQL statement.
 */
/** The comparison operators, the same as RFC 7644 §3.4.2.2's. */
export const COMPARE_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export type FilterValue = string | number | boolean | Date | null;

export type Filter =
  | { readonly op: 'and'; readonly filters: readonly Filter[] }
  | { readonly op: 'or'; readonly filters: readonly Filter[] }
  | { readonly op: 'not'; readonly filter: Filter }
  | { readonly op: CompareOp; readonly field: string; readonly value: FilterValue }
  | { readonly op: 'pr'; readonly field: string }
  /** Some element of the multi-valued `field` matches `filter` (whose fields are the element's). */
  | { readonly op: 'some'; readonly field: string; readonly filter: Filter };

export type FieldType = 'string' | 'boolean' | 'dateTime' | 'integer' | 'id';

export interface FieldDef {
  readonly type: FieldType;
  /** Whether string comparisons respect case (RFC 7643 §2.2 `caseExact`). */
  readonly caseExact: boolean;
  /** Whether lists may be ordered by this field. */
  readonly sortable?: boolean;
  /** Whether no two resources of a tenant hold the same value, compared as filters compare it (a unique index backs it). */
  readonly unique?: boolean;
}

/** The fields of one resource that filters may name: simple fields and multi-valued ones. */
export interface FieldCatalog {
  readonly simple: Readonly<Record<string, FieldDef>>;
  readonly multi: Readonly<Record<string, Readonly<Record<string, FieldDef>>>>;
}

export const f = {
  and: (...filters: Filter[]): Filter => ({ op: 'and', filters }),
  or: (...filters: Filter[]): Filter => ({ op: 'or', filters }),
  not: (filter: Filter): Filter => ({ op: 'not', filter }),
  cmp: (field: string, op: CompareOp, value: FilterValue): Filter => ({ op, field, value }),
  eq: (field: string, value: FilterValue): Filter => ({ op: 'eq', field, value }),
  pr: (field: string): Filter => ({ op: 'pr', field }),
  some: (field: string, filter: Filter): Filter => ({ op: 'some', field, filter }),
};

/**
 * Whether a filter can match at most one resource: it is, or is a conjunct of its top-level
 * `and`, an `eq` on a unique field with a value. A list for it needs no order
 * (docs/architecture.md#statements-per-request).
 */
export function atMostOne(filter: Filter, catalog: FieldCatalog): boolean {
  if (filter.op === 'and') return filter.filters.some((c) => atMostOne(c, catalog));
  return filter.op === 'eq' && filter.value !== null && catalog.simple[filter.field]?.unique === true;
}

/**
 * The budget of one filter (docs/architecture.md#filter-language): how many comparisons it may
 * hold and how deep its boolean tree may nest. Configured (FILTER_MAX_TERMS, FILTER_MAX_DEPTH).
 */
export interface FilterBudget {
  readonly maxTerms: number;
  readonly maxDepth: number;
}

/**
 * Nesting every filter parser refuses beyond while it parses (SCIM filter text, GraphQL filter
 * inputs), so that none recurses without bound; FILTER_MAX_DEPTH may only lower it.
 */
export const MAX_FILTER_NESTING = 64;

export const tooDeep = (levels: number | string, max: number): InvalidFilterError =>
  new InvalidFilterError(`filter too complex: nested ${levels} levels deep, at most ${max}`, 'filter');

/** Counts comparisons and measures depth; stops descending past the budget's depth. */
function measure(filter: Filter, budget: FilterBudget): number {
  let terms = 0;
  const walk = (node: Filter, depth: number): void => {
    if (depth > budget.maxDepth) throw tooDeep(`more than ${budget.maxDepth}`, budget.maxDepth);
    switch (node.op) {
      case 'and':
      case 'or':
        for (const c of node.filters) walk(c, depth + 1);
        return;
      case 'not':
      case 'some':
        walk(node.filter, depth + 1);
        return;
      default:
        terms += 1;
    }
  };
  walk(filter, 1);
  return terms;
}

/**
 * Checks a filter against a catalog: the tree fits the budget, every field exists, every operator
 * suits the field's type, and every value has the field's type and holds storable text.
 */
export function validateFilter(filter: Filter, catalog: FieldCatalog, budget: FilterBudget): void {
  const terms = measure(filter, budget);
  if (terms > budget.maxTerms) throw new InvalidFilterError(`filter too complex: ${terms} terms, at most ${budget.maxTerms}`, 'filter');
  const walk = (node: Filter, fields: Readonly<Record<string, FieldDef>>, inMulti: string | null): void => {
    switch (node.op) {
      case 'and':
      case 'or':
        if (node.filters.length === 0) throw new InvalidFilterError(`"${node.op}" needs at least one operand`);
        for (const c of node.filters) walk(c, fields, inMulti);
        return;
      case 'not':
        walk(node.filter, fields, inMulti);
        return;
      case 'some': {
        if (inMulti !== null) {
          throw new InvalidFilterError(`"${node.field}" cannot be filtered inside "${inMulti}"`, node.field);
        }
        const sub = catalog.multi[node.field];
        if (!sub) throw new InvalidFilterError(`"${node.field}" is not a multi-valued attribute`, node.field);
        walk(node.filter, sub, node.field);
        return;
      }
      case 'pr': {
        if (!fields[node.field] && !(inMulti === null && catalog.multi[node.field])) {
          throw unknownField(node.field, inMulti);
        }
        return;
      }
      default: {
        const def = fields[node.field];
        if (!def) throw unknownField(node.field, inMulti);
        checkValue(node.field, def, node.op, node.value);
      }
    }
  };
  walk(filter, catalog.simple, null);
}

function unknownField(field: string, inMulti: string | null): InvalidFilterError {
  return new InvalidFilterError(
    inMulti ? `"${inMulti}" has no sub-attribute "${field}"` : `unknown attribute "${field}"`,
    field,
  );
}

function checkValue(field: string, def: FieldDef, op: CompareOp, value: FilterValue): void {
  const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  const textual = op === 'co' || op === 'sw' || op === 'ew';
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') {
      throw new InvalidFilterError(`"${op}" cannot compare "${field}" with null`, field);
    }
    return;
  }
  switch (def.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidFilterError(`"${field}" is a boolean; compare it with true or false`, field);
      if (ordering || textual) throw new InvalidFilterError(`"${op}" is not defined for the boolean "${field}"`, field);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new InvalidFilterError(`"${field}" is an integer; compare it with a whole number`, field);
      }
      if (textual) throw new InvalidFilterError(`"${op}" is not defined for the integer "${field}"`, field);
      return;
    case 'dateTime':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
        throw new InvalidFilterError(`"${field}" is a dateTime; compare it with an ISO 8601 timestamp such as "2024-01-31T12:00:00Z"`, field);
      }
      // Years PostgreSQL and ISO 8601 without an expanded year agree on.
      if (value.getUTCFullYear() < 1 || value.getUTCFullYear() > 9999) {
        throw new InvalidFilterError(`"${field}" is a dateTime; compare it with a timestamp between the years 1 and 9999`, field);
      }
      if (textual) throw new InvalidFilterError(`"${op}" is not defined for the dateTime "${field}"`, field);
      return;
    case 'id':
    case 'string':
      if (typeof value !== 'string') throw new InvalidFilterError(`"${field}" is a string; compare it with a quoted string`, field);
      if (characterProblem(value)) throw new InvalidFilterError(`the value compared with "${field}" ${characterProblem(value)}`, field);
      return;
  }
}
