import type { Ctx } from '../../../src/domain/context.js';
import { normalisePolicies } from '../../../src/domain/connection/connection.js';
import { DomainError } from '../../../src/domain/errors.js';
import { f } from '../../../src/domain/shared/filter.js';
import { profile } from '../../support/fixtures.js';
import { startHarness, type Harness } from '../../support/harness.js';

/** docs/architecture.md#provisioning-policies: login names derived by the connection's policy; userName stays exactly as sent. */
let h: Harness;
let ctx: Ctx;
beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant();
});
afterAll(async () => {
  await h.close();
});

const localPart = (onLoginNameCollision: 'reject' | 'suffix') => normalisePolicies({ loginName: 'localPart', onLoginNameCollision });

describe('login names', () => {
  it('mirror the userName by default, and keep mirroring it when it changes', async () => {
    const { user } = await h.services.users.create(ctx, profile('Mirror@Example.com'));
    expect(user.loginName).toBe('Mirror@Example.com');
    const renamed = await h.services.users.update(ctx, user.id, (u) => ({ ...u, userName: 'mirror2@example.com' }));
    expect(renamed.loginName).toBe('mirror2@example.com');
  });

  it('take the part before "@" under the localPart policy, keeping userName as sent', async () => {
    const { user } = await h.services.users.create(ctx, profile('alice@contoso.com'), { policies: localPart('reject') });
    expect(user).toMatchObject({ userName: 'alice@contoso.com', loginName: 'alice' });
    const found = await h.services.users.list(ctx, { filter: f.eq('loginName', 'ALICE'), sort: null, page: { mode: 'offset', offset: 0, limit: 5 }, withTotal: false });
    expect(found.items.map((i) => i.node.id)).toEqual([user.id]);
  });

  it('reject a taken login name with a conflict under "reject"', async () => {
    const err = await h.services.users.create(ctx, profile('ALICE@fabrikam.com'), { policies: localPart('reject') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('login name') });
  });

  it('add a numeric suffix under "suffix", four tries, then a random one', async () => {
    const names: string[] = [];
    for (const domain of ['a.com', 'b.com', 'c.com', 'd.com', 'e.com', 'f.com']) {
      const { user } = await h.services.users.create(ctx, profile(`bob@${domain}`), { policies: localPart('suffix') });
      names.push(user.loginName);
    }
    expect(names.slice(0, 5)).toEqual(['bob', 'bob1', 'bob2', 'bob3', 'bob4']);
    expect(names[5]).toMatch(/^bob-[0-9a-f]{6}$/);
  });

  it('stay as derived when the userName changes', async () => {
    const { user } = await h.services.users.create(ctx, profile('carol@contoso.com'), { policies: localPart('reject') });
    const renamed = await h.services.users.update(ctx, user.id, (u) => ({ ...u, userName: 'carol.smith@contoso.com' }));
    expect(renamed.loginName).toBe('carol');
  });
});
