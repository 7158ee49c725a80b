import { InvalidValueError } from '../../domain/errors.js';
import type { ListQuery, ListResult, VisibleTo } from '../../domain/ports.js';
import { keysetCursor, keysetPosition } from '../../domain/shared/cursor.js';
import { atMostOne } from '../../domain/shared/filter.js';
import { isUuid } from '../../domain/shared/id.js';
import { characterProblem } from '../../domain/shared/validate.js';
import { compileFilter, type TableMapping } from '../filter/filter.compile.js';
import { query, type Db } from '../sql.js';
import type { SortKey, Table } from '../tables/table.js';
import type { Condition } from './visibility.js';

/** What a listing reads: a table (its filter columns and sort keys derive from its description), a select list, and its multi-valued attributes. */
export interface ListSource {
  readonly table: Pick<Table<unknown>, 'name' | 'alias' | 'catalog' | 'columnMap' | 'sortKeys'>;
  /** The select list (may hold sub-selects). */
  readonly select: string;
  /** Parameters of the select list's sub-selects, bound before the rest. */
  readonly selectParams?: readonly unknown[];
  /** Multi-valued attributes filters may name, each an EXISTS over its rows (of what the caller sees). */
  readonly multi: (visibleTo: VisibleTo | undefined) => TableMapping['multi'];
  /** The rows a connection sees (docs/architecture.md#provisioning-policies). */
  readonly visible: (alias: string, visibleTo: VisibleTo | undefined) => Condition;
}

/** Whether a decoded sort value can be bound as the sort key's SQL type without the database refusing it. */
function sortValueFits(v: unknown, cast: SortKey['cast']): v is string {
  if (typeof v !== 'string' || characterProblem(v) !== null) return false;
  if (cast === 'uuid') return isUuid(v);
  if (cast === 'timestamptz') {
    const d = new Date(v);
    return !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999;
  }
  return true;
}

/** The cursor of a row in the order by `field`: the field, its sort key's value and its id. */
const cursorOf = (field: string, r: { readonly id: string; readonly _sort: unknown }): string =>
  keysetCursor(field, r._sort instanceof Date ? r._sort.toISOString() : r._sort, r.id);

/**
 * An item of a page whose cursor is made when read: a GraphQL page that asks only for its nodes,
 * or for the cursor of its last edge, does not encode one per row.
 */
class PageItem<T> {
  constructor(
    readonly node: T,
    private readonly field: string,
    private readonly row: { readonly id: string; readonly _sort: unknown },
  ) {}

  get cursor(): string {
    return cursorOf(this.field, this.row);
  }
}

/** Whether a value fits the sort key's SQL type: anything else is refused before it reaches SQL. */
const fitsKey =
  (cast: SortKey['cast']) =>
  (v: unknown): v is string =>
    sortValueFits(v, cast);

/**
 * One listing statement (plus one count when asked): filter compiled to SQL, keyset or offset
 * paging, a stable order (sort key, then id). Memory stays flat however deep the paging goes.
 */
export async function listRows<Row extends { readonly id: string }, T>(
  db: Db,
  src: ListSource,
  tenantId: string,
  q: ListQuery,
  toDomain: (row: Row) => T,
): Promise<ListResult<T>> {
  const { table } = src;
  const a = table.alias;
  const from = `${table.name} ${a}`;
  const visible = src.visible(a, q.visibleTo);
  // Part of the statement, not a filter over its pages: totals and paging stay exact.
  const where: string[] = [`${a}.tenant_id = ?`, visible.sql];
  const params: unknown[] = [tenantId, ...visible.params];
  if (q.filter) {
    const c = compileFilter(q.filter, table.catalog, { columns: table.columnMap, multi: src.multi(q.visibleTo) });
    where.push(c.sql);
    params.push(...c.params);
  }
  const field = q.sort?.field ?? 'id';
  const key = table.sortKeys[field];
  if (!key) throw new InvalidValueError(`cannot sort by "${field}"`, 'sortBy');
  const desc = q.sort?.direction === 'desc';
  const countParams = [...params];
  const countWhere = [...where];

  let backward = false;
  let limit: number;
  let offset = 0;
  if (q.page.mode === 'keyset') {
    backward = q.page.direction === 'backward';
    limit = q.page.limit;
    // An empty string is a cursor too, and not one this API returns: it is refused, never read as none.
    if (q.page.cursor !== null) {
      // A position in this sort field only: the value of another is no position in this one (docs/architecture.md#paging-cursors).
      const [v, id] = keysetPosition(q.page.cursor, field, fitsKey(key.cast));
      // Forward in ascending order means "after"; flip for descending order and for backward paging.
      const greater = desc === backward;
      where.push(`(${key.expr}, ${a}.id) ${greater ? '>' : '<'} (?::${key.cast}, ?::uuid)`);
      params.push(v, id);
    }
  } else {
    limit = q.page.limit;
    offset = q.page.offset;
  }
  const dir = desc !== backward ? 'desc' : 'asc';
  const order = `order by ${key.expr} ${dir}, ${a}.id ${dir}`;
  // Past an offset, the page's ids are found first and only its rows read whole: the ids come from
  // an index that carries what a connection's view filters on, so skipped rows are not read at all,
  // and the page's rows are then fetched by id, one index probe each, as an array the subquery
  // fills once: a join on the ids may be planned as a scan of the whole tenant
  // (docs/architecture.md#offset-pages).
  // From the first row there is no OFFSET at all: a bound offset makes the planner cost a generic
  // plan for skipping rows, so it would plan every lookup anew (docs/architecture.md#statements-per-request).
  // A filter that pins a unique field (`userName eq "…"`, Entra's matching query) finds at most one
  // row: from the first position it needs no order, which would cost PostgreSQL a sort of that row.
  const one = offset === 0 && !(q.page.mode === 'keyset' && q.page.cursor !== null) && q.filter !== null && atMostOne(q.filter, table.catalog);
  const sql =
    offset > 0
      ? `select ${src.select}, ${key.expr} as "_sort" from ${from} where ${a}.tenant_id = ? and ${a}.id = any(array(select ${a}.id from ${from} where ${where.join(' and ')} ${order} limit ? offset ?)) ${order}`
      : `select ${src.select}, ${key.expr} as "_sort" from ${from} where ${where.join(' and ')}${one ? '' : ` ${order}`} limit ?`;
  const rows = await query<Row & { _sort: unknown }>(
    db,
    sql,
    offset > 0 ? [...(src.selectParams ?? []), tenantId, ...params, limit + 1, offset] : [...(src.selectParams ?? []), ...params, limit + 1],
  );
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backward) page.reverse();

  let total: number | null = null;
  // A page that holds the last match proves the total without a count (docs/architecture.md#statements-per-request):
  // from the first position, or from an offset with a row at it, every earlier position holds a match too.
  const fromStart = q.page.mode === 'keyset' ? q.page.cursor === null : offset === 0 || page.length > 0;
  if (q.withTotal && !hasMore && fromStart) total = offset + page.length;
  else if (q.withTotal) {
    const [row] = await query<{ n: string }>(db, `select count(*) as n from ${from} where ${countWhere.join(' and ')}`, countParams);
    total = Number(row?.n ?? 0);
  }
  return {
    // A cursor is made only where one is read: SCIM pages by position, a GraphQL page may ask for none.
    items: page.map((r) => new PageItem(toDomain(r), field, r)),
    total,
    hasMore,
  };
}
