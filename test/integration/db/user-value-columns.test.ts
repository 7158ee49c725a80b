import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { migrationsList } from '../../../src/db/migrations/index.js';
import { openOrm } from '../../../src/db/orm.js';
import { createUserRepository } from '../../../src/db/repositories/user.repository.js';
import { query } from '../../../src/db/sql.js';
import type { Ctx } from '../../../src/domain/context.js';
import { createEmptyTestDatabase } from '../../support/db.js';
import { email, profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

const MIGRATION = 'Migration20261207090000_user_value_columns';

let empty: { url: string; drop(): Promise<void> };
let orm: MikroORM;
beforeAll(async () => {
  empty = await createEmptyTestDatabase();
  orm = await openOrm({ url: empty.url, poolMax: 4, acquireTimeoutMs: 30_000, statementTimeoutMs: 60_000 });
});
afterAll(async () => {
  await orm.close(true);
  await empty.drop();
});

describe('the migration that keeps multi-valued attributes on the users row', () => {
  it('fills them for existing users from their value and address rows, in the order sent', async () => {
    const before = migrationsList[migrationsList.findIndex((m) => m.name === MIGRATION) - 1]!.name;
    await orm.getMigrator().up({ to: before });
    const em = orm.em.fork();
    const tenantId = randomUUID();
    const [ada, bob] = [randomUUID(), randomUUID()];
    await query(em, `insert into tenants (id, name, created_at, updated_at) values (?, 'migrated', now(), now())`, [tenantId]);
    for (const [id, name] of [[ada, 'ada'], [bob, 'bob']] as const) {
      await query(
        em,
        `insert into users (id, tenant_id, user_name, login_name, active, extensions, version, created_at, updated_at) values (?, ?, ?, ?, true, '{}', 1, now(), now())`,
        [id, tenantId, name, name],
      );
    }
    // Inserted out of order: the column follows position, not insertion.
    await query(
      em,
      `insert into user_values (tenant_id, user_id, attribute, position, value, type, "primary", display) values
        (?, ?, 'emails', 1, 'ada@home.example', 'home', null, null),
        (?, ?, 'emails', 0, 'ada@work.example', 'work', true, 'Work'),
        (?, ?, 'x509Certificates', 0, 'MIIB', null, false, null),
        (?, ?, 'phoneNumbers', 0, '+44 20 7946 0000', 'work', null, null)`,
      [tenantId, ada, tenantId, ada, tenantId, ada, tenantId, ada],
    );
    await query(
      em,
      `insert into user_addresses (tenant_id, user_id, position, type, "primary", formatted, street_address, locality, region, postal_code, country)
       values (?, ?, 0, 'work', true, null, '1 Analytical Row', 'London', null, 'N1 9GU', 'GB')`,
      [tenantId, ada],
    );

    await orm.getMigrator().up();

    const users = createUserRepository(orm.em.fork());
    const migrated = await users.get(tenantId, ada);
    expect(migrated).toMatchObject({
      emails: [
        { value: 'ada@work.example', type: 'work', primary: true, display: 'Work' },
        { value: 'ada@home.example', type: 'home', primary: null, display: null },
      ],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work', primary: null, display: null }],
      x509Certificates: [{ value: 'MIIB', type: null, primary: false, display: null }],
      ims: [],
      photos: [],
      roles: [],
      entitlements: [],
      addresses: [{ type: 'work', primary: true, formatted: null, streetAddress: '1 Analytical Row', locality: 'London', region: null, postalCode: 'N1 9GU', country: 'GB' }],
    });
    const none = await users.get(tenantId, bob);
    expect(none).toMatchObject({ emails: [], phoneNumbers: [], ims: [], photos: [], roles: [], entitlements: [], x509Certificates: [], addresses: [] });
  });
});

describe('a user written through the domain', () => {
  let h: Harness;
  let ctx: Ctx;
  beforeAll(async () => {
    h = await startHarness();
    ctx = await h.tenant();
  });
  afterAll(async () => {
    await h.close();
  });

  /** The user's emails as its row holds them and as its value rows hold them, each in the order sent. */
  async function emailsBothWays(id: string): Promise<{ column: unknown; rows: unknown }> {
    const [row] = await query<{ column: unknown; rows: unknown }>(
      h.db.orm.em.fork(),
      `select u.emails as "column",
         (select coalesce(json_agg(json_build_object('value', v.value, 'type', v.type, 'primary', v."primary", 'display', v.display) order by v.position), '[]')
            from user_values v where v.user_id = u.id and v.attribute = 'emails') as "rows"
       from users u where u.id = ?`,
      [id],
    );
    return row!;
  }

  it('keeps the row and the value rows alike through a create, a change of its emails and a change of something else', async () => {
    const created = await h.services.users.create(ctx, profile('grace', { emails: [email('grace@work.example', 'work', true), email('grace@home.example', 'home')] }));
    const id = created.user.id;
    const first = await emailsBothWays(id);
    expect(first.column).toEqual([
      { value: 'grace@work.example', type: 'work', primary: true, display: null },
      { value: 'grace@home.example', type: 'home', primary: null, display: null },
    ]);
    expect(first.rows).toEqual(first.column);

    await h.services.users.update(ctx, id, (u) => ({ ...u, emails: [email('grace@new.example', 'other', true)] }));
    const second = await emailsBothWays(id);
    expect(second.column).toEqual([{ value: 'grace@new.example', type: 'other', primary: true, display: null }]);
    expect(second.rows).toEqual(second.column);
    // A filter searches the value rows; a read takes the row's column: both find the new address.
    const found = await h.services.users.list(ctx, {
      filter: { op: 'some', field: 'emails', filter: { op: 'eq', field: 'value', value: 'grace@new.example' } },
      sort: null,
      page: { mode: 'offset', offset: 0, limit: 10 },
      withTotal: false,
    });
    expect(found.items.map((i) => i.node.emails)).toEqual([[email('grace@new.example', 'other', true)]]);

    await h.services.users.update(ctx, id, (u) => ({ ...u, title: 'Rear Admiral' }));
    expect(await emailsBothWays(id)).toEqual(second);
    expect((await h.services.users.get(ctx, id)).emails).toEqual([email('grace@new.example', 'other', true)]);
  });
});
