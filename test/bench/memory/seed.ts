/**
 * Seeds a tenant with many users directly in SQL (seeding speed is not what is measured): one
 * user is created through SCIM with Entra's body, and its rows in users, user_values and
 * user_addresses are copied, the copy's number written wherever the template's was. The rows are
 * then exactly what Roster stores for such a user; only the audit and change events of the
 * creates are absent, which listing never reads.
 */
import pg from 'pg';
import { client } from '../http/client.js';
import { createTenant, expect2xx, userBody, type Tenant } from '../http/seed.js';

/** The n-th seeded user's userName (its email too); n = 0 is the template. */
export const pagedUserName = (n: number) => `paged-${n}@example.com`;
const TOKEN = 'paged-0';
const CHUNK = 50_000;

/** Every column of `table` as the copy's expression: its own id, the number in place of the template's, the rest as is. */
async function copyList(db: pg.Client, table: string, idColumn: string): Promise<{ columns: string; values: string }> {
  const { rows } = await db.query<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns
     where table_schema = current_schema() and table_name = $1 and is_generated = 'NEVER' and column_default is distinct from 'nextval(''' || $1 || '_id_seq''::regclass)'
     order by ordinal_position`,
    [table],
  );
  const renumber = (col: string) => `replace(t.${col}, '${TOKEN}', 'paged-' || n.g)`;
  const values = rows.map(({ column_name: c, data_type: type }) => {
    const col = `"${c}"`;
    if (c === idColumn) return 'n.id';
    if (type === 'text' || type === 'character varying') return renumber(col);
    if (type === 'jsonb' || type === 'json') return `${renumber(`${col}::text`)}::${type}`;
    return `t.${col}`;
  });
  return { columns: rows.map((r) => `"${r.column_name}"`).join(', '), values: values.join(', ') };
}

type Doc = Record<string, unknown> & { id: string; meta: Record<string, unknown> };

/** Checks that Roster serves the last copy as it serves the template, but for its number, id and location. */
async function sameAsTemplate(rosterUrl: string, token: string, template: Doc, n: number): Promise<void> {
  const r = await client(`${rosterUrl}/scim/v2`, token, 1)('GET', `/Users?filter=${encodeURIComponent(`userName eq "${pagedUserName(n)}"`)}`);
  const copy = r.body?.Resources?.[0] as Doc | undefined;
  if (!copy) throw new Error(`the seeded user ${pagedUserName(n)} is not found: HTTP ${r.status}`);
  // Keys in order: a POST answers an address's attributes in the order sent, a GET in the order stored.
  const sorted = (_: string, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
  const comparable = (d: Doc) => JSON.stringify({ ...d, id: null, meta: { ...d.meta, location: null } }, sorted);
  const expected = comparable(template).replaceAll(TOKEN, `paged-${n}`);
  if (comparable(copy) !== expected) throw new Error(`the seeded user differs from the template:\n${comparable(copy)}\n${expected}`);
}

/**
 * A tenant with `users` users (the template and users - 1 copies of it), its SCIM connection's token,
 * and the template's id. Ids are UUIDv7 like Roster's, ordered by their number.
 */
export async function seedUsers(o: { rosterUrl: string; rosterDb: string; users: number; log: (s: string) => void }): Promise<Tenant & { templateId: string }> {
  const tenant = await createTenant(o.rosterDb, 'bench memory');
  const created = await client(`${o.rosterUrl}/scim/v2`, tenant.token, 1)('POST', '/Users', userBody(pagedUserName(0), TOKEN, null));
  expect2xx('POST /Users (the template)', created);
  const templateId = created.body.id as string;
  const db = new pg.Client({ connectionString: o.rosterDb });
  await db.connect();
  try {
    const users = await copyList(db, 'users', 'id');
    const values = await copyList(db, 'user_values', 'user_id');
    const addresses = await copyList(db, 'user_addresses', 'user_id');
    const [vals, addrs] = await Promise.all(
      ['user_values', 'user_addresses'].map(async (t) => Number((await db.query<{ n: string }>(`select count(*) as n from ${t} where user_id = $1`, [templateId])).rows[0]!.n)),
    );
    if (vals === 0 || addrs === 0) throw new Error(`the template user has ${vals} values and ${addrs} addresses; expected some of each`);
    const t0 = Date.now();
    const firstMs = Date.now() - o.users;
    for (let from = 1; from < o.users; from += CHUNK) {
      const to = Math.min(o.users - 1, from + CHUNK - 1);
      await db.query(
        `with n as materialized (
           select g, encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send($3::bigint + g) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid as id
           from generate_series($1::int, $2::int) g),
         u as (insert into users (${users.columns}) select ${users.values} from n cross join users t where t.id = $4),
         v as (insert into user_values (${values.columns}) select ${values.values} from n cross join user_values t where t.user_id = $4 order by n.g, t.id),
         a as (insert into user_addresses (${addresses.columns}) select ${addresses.values} from n cross join user_addresses t where t.user_id = $4 order by n.g, t.id)
         select 1`,
        [from, to, firstMs, templateId],
      );
      if (Math.floor(to / 200_000) > Math.floor((from - 1) / 200_000) || to === o.users - 1) o.log(`  ${to + 1} users`);
    }
    await db.query('vacuum analyze users, user_values, user_addresses');
    o.log(`seeded ${o.users} users in SQL in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (o.users > 1) await sameAsTemplate(o.rosterUrl, tenant.token, created.body as Doc, o.users - 1);
    return { ...tenant, templateId };
  } finally {
    await db.end();
  }
}
