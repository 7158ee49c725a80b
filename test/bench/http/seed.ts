/**
 * Seeds the benchmark's data: N users and their groups in Roster through SCIM (as an identity
 * provider would), the same users' documents in the floor's table, and a group of 100,000
 * members in a second tenant, seeded directly in SQL (seeding speed is not what is measured).
 */
import pg from 'pg';
import { runCliProcess } from '../../support/server-process.js';
import { client, inParallel, type Call } from './client.js';
import { FLOOR_TABLE, floorSchema } from './floor.js';

export const BIG_GROUP_MEMBERS = 100_000;
/** Users of the big group's tenant that are not members, for the add-member scenario. */
const BIG_GROUP_SPARE = 40_000;
const CHUNK = 1000;
const WIDTH = 16;

export const userName = (i: number) => `user${i}@example.com`;
export const externalId = (i: number) => `ext-${i}`;

/** A user as Entra's default mapping sends it, with an enterprise manager when given. */
export function userBody(name: string, external: string, managerValue: string | null): Record<string, unknown> {
  const [given, family] = ['Ada', name.split('@')[0]!];
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    userName: name,
    externalId: external,
    active: true,
    displayName: `${given} ${family}`,
    name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
    title: 'Engineer',
    preferredLanguage: 'en-GB',
    emails: [{ value: name, type: 'work', primary: true }],
    phoneNumbers: [
      { value: '+44 20 7946 0000', type: 'work' },
      { value: '+44 7700 900000', type: 'mobile' },
    ],
    addresses: [{ type: 'work', streetAddress: '1 Analytical Row', locality: 'London', region: 'London', postalCode: 'N1 9GU', country: 'GB' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
      employeeNumber: external,
      department: 'Analytics',
      ...(managerValue ? { manager: { value: managerValue } } : {}),
    },
  };
}

export interface Tenant {
  readonly tenantId: string;
  readonly token: string;
}

/** A tenant and a SCIM connection for it, made with the command line as an operator would. */
export async function createTenant(databaseUrl: string, name: string): Promise<Tenant> {
  const env = { DATABASE_URL: databaseUrl };
  const cli = async (args: string[]) => {
    const r = await runCliProcess(['--json', ...args], env);
    if (r.code !== 0) throw new Error(`roster ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, string>;
  };
  const tenant = await cli(['tenant', 'create', '--name', name]);
  const connection = await cli(['connection', 'create', '--tenant', tenant.id!, '--name', 'bench']);
  return { tenantId: tenant.id!, token: connection.token! };
}

export interface Seeded extends Tenant {
  /** Ids of the seeded users, in the order of their userNames (user0, user1, ...). */
  readonly userIds: readonly string[];
  /** A group of BIG_GROUP_MEMBERS in another tenant, with users that may join it; null when not seeded. */
  readonly big: (Tenant & { readonly groupId: string; readonly spareUserIds: readonly string[] }) | null;
}

export const expect2xx = (what: string, r: { status: number; body: unknown }) => {
  if (r.status < 200 || r.status > 299) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
};

export async function seed(o: { rosterUrl: string; rosterDb: string; floorDb: string; users: number; bigGroup: boolean; log: (s: string) => void }): Promise<Seeded> {
  const tenant = await createTenant(o.rosterDb, 'bench');
  const scim: Call = client(`${o.rosterUrl}/scim/v2`, tenant.token, WIDTH);
  const floor = new pg.Client({ connectionString: o.floorDb });
  await floor.connect();
  await floor.query(floorSchema);

  // One user in a hundred is a manager, created first; everyone else reports to one of them.
  const managers = Math.max(1, Math.ceil(o.users / 100));
  const ids: string[] = new Array<string>(o.users);
  const t0 = Date.now();
  const createUsers = async (from: number, to: number) => {
    const docs: { userName: string; doc: unknown }[] = [];
    await inParallel(to - from, WIDTH, async (k) => {
      const i = from + k;
      const r = await scim('POST', '/Users', userBody(userName(i), externalId(i), i < managers ? null : ids[i % managers]!));
      expect2xx('seeding POST /Users', r);
      ids[i] = r.body.id as string;
      docs.push({ userName: userName(i), doc: r.body });
    });
    await floor.query(`insert into ${FLOOR_TABLE} (user_name, doc) select * from unnest($1::text[], $2::jsonb[])`, [
      docs.map((d) => d.userName),
      docs.map((d) => JSON.stringify(d.doc)),
    ]);
  };
  await createUsers(0, managers);
  for (let from = managers; from < o.users; from += CHUNK) {
    const to = Math.min(o.users, from + CHUNK);
    await createUsers(from, to);
    if (Math.floor(to / 10_000) > Math.floor(from / 10_000)) o.log(`  ${to} users (${((to * 1000) / (Date.now() - t0)).toFixed(0)}/s)`);
  }
  await floor.query(`vacuum analyze ${FLOOR_TABLE}`);
  await floor.end();

  // Groups of a hundred members each, as Entra creates them.
  await inParallel(Math.ceil(o.users / 100), WIDTH, async (g) => {
    const members = ids.slice(g * 100, g * 100 + 100).map((value) => ({ value }));
    expect2xx('seeding POST /Groups', await scim('POST', '/Groups', { displayName: `group ${g}`, externalId: `group-ext-${g}`, members }));
  });
  o.log(`seeded ${o.users} users and ${Math.ceil(o.users / 100)} groups through SCIM in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const t1 = Date.now();
  const big = o.bigGroup ? await seedBigGroup(o.rosterUrl, o.rosterDb) : null;
  if (big) o.log(`seeded a group of ${BIG_GROUP_MEMBERS} members in a second tenant in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  const t2 = Date.now();
  const db = new pg.Client({ connectionString: o.rosterDb });
  await db.connect();
  await db.query('vacuum analyze');
  await db.end();
  o.log(`vacuum analyze in ${((Date.now() - t2) / 1000).toFixed(0)} s`);
  return { ...tenant, userIds: ids, big };
}

/** A second tenant with BIG_GROUP_MEMBERS + BIG_GROUP_SPARE users, the first BIG_GROUP_MEMBERS in one SCIM-managed group. */
async function seedBigGroup(rosterUrl: string, rosterDb: string): Promise<NonNullable<Seeded['big']>> {
  const tenant = await createTenant(rosterDb, 'bench big group');
  const scim = client(`${rosterUrl}/scim/v2`, tenant.token, 1);
  const group = await scim('POST', '/Groups', { displayName: 'bench big group' });
  expect2xx('POST /Groups', group);
  const db = new pg.Client({ connectionString: rosterDb });
  await db.connect();
  try {
    await db.query(
      `insert into users (id, tenant_id, user_name, login_name, external_id, display_name, active, extensions, version, created_at, updated_at)
       select gen_random_uuid(), $1, 'big' || g || '@example.com', 'big' || g || '@example.com', 'big-' || g, 'Big ' || g, true, '{}', 1, now(), now()
       from generate_series(1, $2::int) g`,
      [tenant.tenantId, BIG_GROUP_MEMBERS + BIG_GROUP_SPARE],
    );
    await db.query(`analyze users`);
    // The first BIG_GROUP_MEMBERS users by id join the group; the rest may join it later.
    const ids = (await db.query<{ id: string }>(`select id from users where tenant_id = $1 order by id`, [tenant.tenantId])).rows.map((r) => r.id);
    await db.query(
      `insert into memberships (tenant_id, group_id, member_user_id, created_at) select $1, $2, unnest($3::uuid[]), now()`,
      [tenant.tenantId, group.body.id, ids.slice(0, BIG_GROUP_MEMBERS)],
    );
    const spare = ids.slice(BIG_GROUP_MEMBERS);
    return { ...tenant, groupId: group.body.id as string, spareUserIds: spare };
  } finally {
    await db.end();
  }
}
