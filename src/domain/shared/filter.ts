import { InvalidFilterError } from '../errors.js';

/**
 * The one filter language of the domain (docs/architecture.md#filter-language): a boolean tree of comparisons over the
 * fields of a resource, plus "some element of a multi-valued attribute matches a sub-filter".
 * GraphQL builds it from typed inputs, SCIM parses RFC 7644 filter strings into it, and the
 * database layer compiles it to one parameterised SQL statement.
 */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

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

/** Largest nesting and size of a filter tree; deeper or larger ones are refused. */
export const FILTER_LIMITS = { maxDepth: 16, maxNodes: 200 } as const;

/**
 * Checks a filter against a catalog: every field exists, every operator suits the field's type,
 * every value has the field's type, and the tree stays within FILTER_LIMITS.
 */
export function validateFilter(filter: Filter, catalog: FieldCatalog): void {
  let nodes = 0;
  const walk = (node: Filter, fields: Readonly<Record<string, FieldDef>>, depth: number, inMulti: string | null): void => {
    nodes += 1;
    if (depth > FILTER_LIMITS.maxDepth) {
      throw new InvalidFilterError(`filter is nested more than ${FILTER_LIMITS.maxDepth} levels deep`);
    }
    if (nodes > FILTER_LIMITS.maxNodes) {
      throw new InvalidFilterError(`filter has more than ${FILTER_LIMITS.maxNodes} terms`);
    }
    switch (node.op) {
      case 'and':
      case 'or':
        if (node.filters.length === 0) throw new InvalidFilterError(`"${node.op}" needs at least one operand`);
        for (const c of node.filters) walk(c, fields, depth + 1, inMulti);
        return;
      case 'not':
        walk(node.filter, fields, depth + 1, inMulti);
        return;
      case 'some': {
        if (inMulti !== null) {
          throw new InvalidFilterError(`"${node.field}" cannot be filtered inside "${inMulti}"`, node.field);
        }
        const sub = catalog.multi[node.field];
        if (!sub) throw new InvalidFilterError(`"${node.field}" is not a multi-valued attribute`, node.field);
        walk(node.filter, sub, depth + 1, node.field);
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
  walk(filter, catalog.simple, 1, null);
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
      if (textual) throw new InvalidFilterError(`"${op}" is not defined for the dateTime "${field}"`, field);
      return;
    case 'id':
    case 'string':
      if (typeof value !== 'string') throw new InvalidFilterError(`"${field}" is a string; compare it with a quoted string`, field);
      return;
  }
}
