import type { FieldCatalog } from '../../domain/shared/filter.js';
import type { ResourceMeta } from '../../domain/shared/resource.js';
import { readableExtensions } from '../../domain/shared/validate.js';
import { jsonParam, toDateOrNull } from '../sql.js';

/**
 * One description per table (docs/architecture.md#data-model): every column's SQL name and type
 * and where its value lives on the domain object. The filter column map, the insert and update
 * statements, the row mapper, the sort keys and the MikroORM entity properties are derived from
 * it, so a column is declared once.
 */

export type SqlType = 'uuid' | 'text' | 'boolean' | 'integer' | 'timestamptz' | 'jsonb' | 'json';

/** A field of the domain object, or a field of one of its plain sub-objects (`name.givenName`). */
export type DomainPath<T> = {
  [K in keyof T & string]: K | (T[K] extends Date | readonly unknown[] | null ? never : T[K] extends object ? `${K}.${keyof T[K] & string}` : never);
}[keyof T & string];

export interface Column<T> {
  /** The SQL column name (`name_given_name`). */
  readonly sql: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  /** Where the value lives on the domain object; filters and sorting name the field so. */
  readonly domain: DomainPath<T>;
  /** Whether an update writes it; the id, the tenant and the creation time are written once. */
  readonly updatable: boolean;
  /** How a stored value reads back, when not as it is (timestamps always become Dates). */
  readonly read?: (stored: unknown) => unknown;
  /** What a JSON column stores of the domain value, when not the value as it is. */
  readonly write?: (value: never) => unknown;
  /** The column's SQL default, for rows inserted by SQL that does not name it. */
  readonly sqlDefault?: string;
}

/** How a sortable field orders: an SQL expression that is never NULL, and its SQL type. */
export interface SortKey {
  readonly expr: string;
  readonly cast: 'text' | 'timestamptz' | 'uuid';
}

export interface Table<T> {
  /** The table's name and the alias statements give it: `users u`. */
  readonly name: string;
  readonly alias: string;
  /** The domain's catalog of filterable and sortable fields (docs/architecture.md#filter-language). */
  readonly catalog: FieldCatalog;
  readonly columns: readonly Column<T>[];
  /** Domain field → qualified column, for filters. */
  readonly columnMap: Readonly<Record<string, string>>;
  /** Domain field → sort expression, for the catalog's sortable fields. */
  readonly sortKeys: Readonly<Record<string, SortKey>>;
  /** The domain fields a row holds. */
  fromRow(row: Readonly<Record<string, unknown>>): T;
  /**
   * The row of alias `a` as one `json` array of its columns, in the order of `columns`
   * (docs/architecture.md#row-documents); `fromArray` reads it.
   */
  rowArray(a: string): string;
  /** The domain fields of a row read as `rowArray`. */
  fromArray(values: readonly unknown[]): T;
  /** `insert into <table> (every column) values (...)` with its parameters. */
  insert(d: T): { readonly sql: string; readonly params: unknown[] };
  /**
   * The rows of `ds` in one insert whose text is the same however many there are: they are one
   * JSON array parameter, read with `json_to_recordset` (`json`, not `jsonb`, so that the JSON
   * columns keep the text they would have from `insert`).
   */
  insertAll(ds: readonly T[]): { readonly sql: string; readonly params: unknown[] };
  /** `update <table> set <updatable columns> where tenant_id = ? and id = ?` with its parameters. */
  update(d: T & { readonly tenantId: string; readonly id: string }): { readonly sql: string; readonly params: unknown[] };
  /**
   * The updates of many rows in one statement whose text is the same however many there are (as
   * `insertAll`), each row changed only if it still holds the version and owner it replaces.
   */
  updateAll(changes: readonly { readonly next: T; readonly previous: Guard }[]): { readonly sql: string; readonly params: unknown[] };
}

/** What a guarded update expects of the row it replaces (docs/architecture.md#optimistic-writes). */
export interface Guard {
  readonly version: number;
  readonly managedBy: string | null;
}

const placeholder = <T>(c: Column<T>): string => (c.type === 'jsonb' || c.type === 'json' ? `?::${c.type}` : '?');

function read<T>(c: Column<T>, v: unknown): unknown {
  if (c.read) return c.read(v);
  return c.type === 'timestamptz' ? toDateOrNull(v as string | Date | null) : v;
}

/** A key of an object a builder makes: a field, or a field of one of its plain sub-objects. */
interface Key {
  readonly head: string;
  readonly sub: string | undefined;
}

/** A column with the domain path of its value split once: `name.givenName` is head `name`, sub `givenName`. */
interface ColumnPath<T> extends Key {
  readonly column: Column<T>;
}

const pathOf = <T>(column: Column<T>): ColumnPath<T> => {
  const [head, sub] = column.domain.split('.') as [string, string | undefined];
  return { column, head, sub };
};

function valueAt<T>(d: T, p: ColumnPath<T>): unknown {
  const v = (d as Record<string, unknown>)[p.head];
  return p.sub === undefined ? v : (v as Record<string, unknown>)[p.sub];
}

/** What a column stores of the domain value, before it is bound. */
function stored<T>(p: ColumnPath<T>, d: T): unknown {
  const v = valueAt(d, p);
  return p.column.write ? p.column.write(v as never) : v;
}

function param<T>(p: ColumnPath<T>, d: T): unknown {
  const t = p.column.type;
  return t === 'jsonb' || t === 'json' ? jsonParam(stored(p, d)) : valueAt(d, p);
}

/** The order a sortable column gives, from its type and case rules; NULL sorts as the empty string. */
function sortKey(col: string, type: SqlType, nullable: boolean, caseExact: boolean): SortKey {
  if (type === 'uuid' || type === 'timestamptz') return { expr: col, cast: type };
  const expr = caseExact ? col : `lower(${col})`;
  return { expr: nullable ? `coalesce(${expr}, '')` : expr, cast: 'text' };
}

/**
 * A function that makes an object of these keys as one object literal, each key's value
 * `value(i, arg)` for the i-th key; the keys of one head make one sub-object. V8 gives every object
 * made by one literal the same fixed layout. Set one by one under names a loop computes, an object
 * with more than about a dozen keys becomes a hash table (several times the memory, slower to read
 * in everything after), and one copied from a template gets a layout of its own, which makes every
 * function that reads such objects slow (docs/architecture.md#allocation-per-request). The source
 * is made once per table from its description's names, never from a value.
 */
function objectBuilder<A>(keys: readonly Key[], value: (i: number, arg: A) => unknown): (arg: A) => Record<string, unknown> {
  const heads = new Map<string, string[]>();
  keys.forEach(({ head, sub }, i) => {
    if (head === '__proto__' || sub === '__proto__') throw new Error('a table key may not be __proto__');
    const parts = heads.get(head) ?? [];
    parts.push(sub === undefined ? `v(${i}, a)` : `${JSON.stringify(sub)}: v(${i}, a)`);
    heads.set(head, parts);
  });
  const sub = new Set(keys.filter((k) => k.sub !== undefined).map((k) => k.head));
  const fields = [...heads].map(([head, parts]) => `${JSON.stringify(head)}: ${sub.has(head) ? `{ ${parts.join(', ')} }` : parts[0]}`);
  // Made from the table description's names, see above.
  return new Function('v', `return (a) => ({ ${fields.join(', ')} });`)(value) as (arg: A) => Record<string, unknown>;
}

export function defineTable<T>(spec: { name: string; alias: string; catalog: FieldCatalog; columns: readonly Column<T>[] }): Table<T> {
  const { name, alias, catalog, columns } = spec;
  const qualified = (c: Column<T>) => `${alias}.${c.sql}`;
  // The paths split, and every statement's text built, once: they are the same for every row.
  const paths = columns.map(pathOf);
  const updatable = paths.filter((p) => p.column.updatable);
  const recordset = (more: readonly string[] = []) => `x(${[...columns.map((c) => `"${c.sql}" ${c.type}`), ...more].join(', ')})`;
  const names = columns.map((c) => `"${c.sql}"`).join(', ');
  const insertSql = `insert into ${name} (${columns.map((c) => c.sql).join(', ')}) values (${columns.map(placeholder).join(', ')})`;
  const insertAllSql = `insert into ${name} (${names}) select ${names} from json_to_recordset(?::json) as ${recordset()}`;
  const updateSql = `update ${name} set ${updatable.map((p) => `${p.column.sql} = ${placeholder(p.column)}`).join(', ')} where tenant_id = ? and id = ?`;
  const updateAllSql = `update ${name} ${alias} set ${updatable.map((p) => `${p.column.sql} = x."${p.column.sql}"`).join(', ')}
          from json_to_recordset(?::json) as ${recordset(['previous_version integer', 'previous_managed_by uuid'])}
          where ${alias}.tenant_id = x.tenant_id and ${alias}.id = x.id and ${alias}.version = x.previous_version and ${alias}.managed_by is not distinct from x.previous_managed_by`;
  // A row as `insertAll` and `updateAll` read it from their JSON array, and the domain object a row read gives.
  const columnKeys = columns.map((c): Key => ({ head: c.sql, sub: undefined }));
  const insertRecord = objectBuilder(columnKeys, (i, d: T) => stored(paths[i]!, d));
  const updateRecord = objectBuilder(
    [...columnKeys, { head: 'previous_version', sub: undefined }, { head: 'previous_managed_by', sub: undefined }],
    (i, c: { readonly next: T; readonly previous: Guard }) => (i < paths.length ? stored(paths[i]!, c.next) : i === paths.length ? c.previous.version : c.previous.managedBy),
  );
  const fromValues = objectBuilder(paths, (i, values: readonly unknown[]) => read(paths[i]!.column, values[i]));
  const fromNamed = objectBuilder(paths, (i, row: Readonly<Record<string, unknown>>) => read(paths[i]!.column, row[paths[i]!.column.sql]));
  const sortKeys: Record<string, SortKey> = {};
  for (const c of columns) {
    const def = catalog.simple[c.domain];
    if (def?.sortable) sortKeys[c.domain] = sortKey(qualified(c), c.type, c.nullable, def.caseExact);
  }
  return {
    name,
    alias,
    catalog,
    columns,
    columnMap: Object.fromEntries(columns.map((c) => [c.domain, qualified(c)])),
    sortKeys,
    // Run for every row read (a page of users is hundreds of rows).
    fromRow: (row) => fromNamed(row) as T,
    rowArray: (a) => `json_build_array(${columns.map((c) => `${a}.${c.sql}`).join(', ')})`,
    fromArray: (values) => fromValues(values) as T,
    insert(d) {
      return { sql: insertSql, params: paths.map((p) => param(p, d)) };
    },
    insertAll(ds) {
      return { sql: insertAllSql, params: [jsonParam(ds.map(insertRecord))] };
    },
    updateAll(changes) {
      return { sql: updateAllSql, params: [jsonParam(changes.map(updateRecord))] };
    },
    update(d) {
      return { sql: updateSql, params: [...updatable.map((p) => param(p, d)), d.tenantId, d.id] };
    },
  };
}

/**
 * The columns of what Roster owns on every user and group (ResourceMeta) and of the extension
 * documents both keep verbatim (docs/architecture.md#unknown-extension-attributes).
 */
export function resourceColumns<T extends ResourceMeta & { readonly extensions: unknown }>(): Column<T>[] {
  const of = (sql: string, type: SqlType, domain: keyof ResourceMeta | 'extensions', o: Parameters<typeof col.of>[3] = {}) => col.of<T>(sql, type, domain as DomainPath<T>, o);
  return [
    of('id', 'uuid', 'id', { updatable: false }),
    of('tenant_id', 'uuid', 'tenantId', { updatable: false }),
    of('managed_by', 'uuid', 'managedBy', { nullable: true }),
    of('extensions', 'jsonb', 'extensions', { read: (v) => readableExtensions(v as Record<string, unknown> | null) }),
    of('version', 'integer', 'version'),
    of('created_at', 'timestamptz', 'createdAt', { updatable: false }),
    of('updated_at', 'timestamptz', 'updatedAt'),
  ];
}

/** Column shorthands: most columns are nullable text an update may change. */
export const col = {
  text: <T>(sql: string, domain: DomainPath<T>): Column<T> => ({ sql, type: 'text', nullable: true, domain, updatable: true }),
  of: <T>(
    sql: string,
    type: SqlType,
    domain: DomainPath<T>,
    o: Partial<Pick<Column<T>, 'nullable' | 'updatable' | 'read' | 'write' | 'sqlDefault'>> = {},
  ): Column<T> => ({
    sql,
    type,
    domain,
    nullable: o.nullable ?? false,
    updatable: o.updatable ?? true,
    ...(o.read ? { read: o.read } : {}),
    ...(o.write ? { write: o.write } : {}),
    ...(o.sqlDefault ? { sqlDefault: o.sqlDefault } : {}),
  }),
};
