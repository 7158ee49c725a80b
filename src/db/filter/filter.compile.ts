import { canonicalId, isUuid } from '../../domain/shared/id.js';
import type { CompareOp, FieldCatalog, FieldDef, Filter, FilterValue } from '../../domain/shared/filter.js';
import { escapeLike } from '../sql.js';

/**
 * Compiles a domain filter (docs/architecture.md#filter-language) to a parameterised SQL condition. Values only ever travel
 * as bound parameters; field names are looked up in a fixed map, never copied into SQL.
 */

/** Where a multi-valued attribute lives: an EXISTS over its rows, and its sub-fields' columns. */
export interface MultiMapping {
  /** SQL of `exists (select 1 ... where <link> and (%s))`, with `%s` where the sub-condition goes. */
  readonly exists: (alias: string) => { readonly sql: string; readonly params: readonly unknown[] };
  readonly columns: (alias: string) => Readonly<Record<string, string>>;
}

export interface TableMapping {
  readonly columns: Readonly<Record<string, string>>;
  readonly multi: Readonly<Record<string, MultiMapping>>;
}

export interface Compiled {
  readonly sql: string;
  readonly params: unknown[];
}

export function compileFilter(filter: Filter, catalog: FieldCatalog, mapping: TableMapping): Compiled {
  const params: unknown[] = [];
  let aliases = 0;

  const node = (n: Filter, defs: Readonly<Record<string, FieldDef>>, columns: Readonly<Record<string, string>>, top: boolean): string => {
    switch (n.op) {
      case 'and':
      case 'or':
        return `(${n.filters.map((c) => node(c, defs, columns, top)).join(n.op === 'and' ? ' and ' : ' or ')})`;
      case 'not':
        return `(not ${node(n.filter, defs, columns, top)})`;
      case 'some': {
        const m = mapping.multi[n.field]!;
        const alias = `m${++aliases}`;
        const ex = m.exists(alias);
        params.push(...ex.params);
        const inner = node(n.filter, catalog.multi[n.field]!, m.columns(alias), false);
        return ex.sql.replace('%s', () => inner);
      }
      case 'pr': {
        if (top && mapping.multi[n.field] && !defs[n.field]) {
          const ex = mapping.multi[n.field]!.exists(`m${++aliases}`);
          params.push(...ex.params);
          return ex.sql.replace('%s', () => 'true');
        }
        const col = columns[n.field]!;
        return defs[n.field]!.type === 'string' ? `(${col} is not null and ${col} <> '')` : `(${col} is not null)`;
      }
      default:
        return compare(columns[n.field]!, defs[n.field]!, n.op, n.value, params);
    }
  };

  const sql = node(filter, catalog.simple, mapping.columns, true);
  return { sql, params };
}

const SQL_OP: Record<'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

/**
 * One comparison. Each is written to be false, never NULL, when the column is NULL, so that
 * `not (...)` includes resources that lack the attribute (RFC 7644 §3.4.2.2).
 */
function compare(col: string, def: FieldDef, op: CompareOp, value: FilterValue, params: unknown[]): string {
  if (value === null) return op === 'eq' ? `(${col} is null)` : `(${col} is not null)`;
  if (op === 'co' || op === 'sw' || op === 'ew') {
    const raw = String(value);
    const pattern = op === 'co' ? `%${escapeLike(raw)}%` : op === 'sw' ? `${escapeLike(raw)}%` : `%${escapeLike(raw)}`;
    params.push(pattern);
    const target = def.type === 'id' ? `${col}::text` : col;
    return def.caseExact && def.type !== 'id'
      ? `(${target} is not null and ${target} like ? escape '\\')`
      : `(${target} is not null and lower(${target}) like lower(?) escape '\\')`;
  }
  const sqlOp = SQL_OP[op];
  if (def.type === 'id') {
    const s = canonicalId(String(value));
    if (!isUuid(s)) {
      // Not an id at all: nothing equals it; compare as text for ordering operators.
      if (op === 'eq') return 'false';
      if (op === 'ne') return `(${col} is not null)`;
      params.push(s);
      return `(${col} is not null and ${col}::text ${sqlOp} ?)`;
    }
    params.push(s);
    return op === 'ne' ? `(${col} is null or ${col} <> ?::uuid)` : `(${col} is not null and ${col} ${sqlOp} ?::uuid)`;
  }
  params.push(value);
  const ci = def.type === 'string' && !def.caseExact;
  const lhs = ci ? `lower(${col})` : col;
  const rhs = ci ? 'lower(?)' : def.type === 'dateTime' ? '?::timestamptz' : '?';
  return op === 'ne' ? `(${col} is null or ${lhs} <> ${rhs})` : `(${col} is not null and ${lhs} ${sqlOp} ${rhs})`;
}
