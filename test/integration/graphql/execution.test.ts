import type { Ctx } from '../../../src/domain/context.js';
import { emptyProfile } from '../../../src/domain/user/user.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, graphqlExecutions, type Json } from '../../support/graphql.js';

/**
 * Compiled queries (src/graphql/executor.ts, docs/architecture.md#graphql-execution-cost): a
 * query runs as compiled code, and graphql-js executes it where the compiled form would answer
 * differently. The metric `roster_graphql_executions_total` tells which ran.
 */
let h: Harness;
let ctx: Ctx;
let ada: string;
let team: string;

beforeAll(async () => {
  h = await startHarness();
  ctx = await h.tenant('execution');
  const boss = (await h.services.users.create(ctx, emptyProfile('boss@example.com'))).user.id;
  const profile = { ...emptyProfile('ada@example.com'), enterprise: { ...emptyProfile('').enterprise, managerValue: boss } };
  ada = (await h.services.users.create(ctx, profile)).user.id;
  team = (await h.services.groups.create(ctx, { displayName: 'team', externalId: null, extensions: {} }, [{ id: ada }])).id;
});
afterAll(async () => {
  await h.close();
});

/** Runs `op` and returns how many operations each executor ran for it. */
async function counted<T>(op: () => Promise<T>): Promise<{ result: T; compiled: number; graphqlJs: number }> {
  const before = await graphqlExecutions(h);
  const result = await op();
  const after = await graphqlExecutions(h);
  return { result, compiled: after.compiled - before.compiled, graphqlJs: after.graphqlJs - before.graphqlJs };
}

const PAGE = `query Page($tenantId: ID!) {
  tenant(id: $tenantId) {
    users(first: 10) { edges { node { userName groups { displayName } enterprise { manager { userName } } } } }
  }
}`;

describe('compiled execution', () => {
  it('runs a page of users as compiled code, with its groups and managers, from the second time it is sent', async () => {
    for (let i = 0; i < 3; i++) {
      const { result, compiled, graphqlJs } = await counted(() => gqlOk(h, PAGE, { tenantId: ctx.tenantId }));
      expect({ compiled, graphqlJs }).toEqual(i === 0 ? { compiled: 0, graphqlJs: 1 } : { compiled: 1, graphqlJs: 0 });
      const users = result.tenant.users.edges.map((e: { node: unknown }) => e.node);
      expect(users).toEqual([
        { userName: 'boss@example.com', groups: [], enterprise: { manager: null } },
        { userName: 'ada@example.com', groups: [{ displayName: 'team' }], enterprise: { manager: { userName: 'boss@example.com' } } },
      ]);
    }
  });

  it('runs a query with a filter variable through graphql-js every time, and one with the filter written in it compiled', async () => {
    const withVariable = 'query($f: UserFilter) { tenant(id: "' + ctx.tenantId + '") { users(filter: $f) { totalCount } } }';
    for (let i = 0; i < 3; i++) {
      const { result, compiled, graphqlJs } = await counted(() => gqlOk(h, withVariable, { f: { not: { userName: { eq: 'boss@example.com' } } } }));
      expect({ compiled, graphqlJs, total: result.tenant.users.totalCount }).toEqual({ compiled: 0, graphqlJs: 1, total: 1 });
    }
    const written = '{ tenant(id: "' + ctx.tenantId + '") { users(filter: { not: { userName: { eq: "boss@example.com" } } }) { totalCount } } }';
    await gqlOk(h, written);
    const { result, compiled } = await counted(() => gqlOk(h, written));
    expect({ compiled, total: result.tenant.users.totalCount }).toEqual({ compiled: 1, total: 1 });
  });

  it('tells the type of an interface and a union synchronously: node(id) and group members', async () => {
    const q = `query($u: ID!, $g: ID!) {
      u: node(id: $u) { __typename id ... on User { userName } }
      g: node(id: $g) { __typename ... on Group { displayName members(first: 5) { edges { node { __typename ... on User { userName } } } } } }
    }`;
    await gqlOk(h, q, { u: ada, g: team });
    const { result, compiled } = await counted(() => gqlOk(h, q, { u: ada, g: team }));
    expect(compiled).toBe(1);
    expect(result.u).toEqual({ __typename: 'User', id: ada, userName: 'ada@example.com' });
    expect(result.g).toEqual({ __typename: 'Group', displayName: 'team', members: { edges: [{ node: { __typename: 'User', userName: 'ada@example.com' } }] } });
  });

  it("answers a resolver's error from the compiled run as graphql-js would: code, path and locations", async () => {
    const q = '{\n  tenant(id: "' + ctx.tenantId + '") {\n    users(first: 1001) { totalCount }\n  }\n}';
    await gql(h, q);
    const { result: r, compiled, graphqlJs } = await counted(() => gql(h, q));
    expect({ compiled, graphqlJs }).toEqual({ compiled: 1, graphqlJs: 0 });
    expect(r.status).toBe(200);
    expect(r.errors).toEqual([
      expect.objectContaining({ path: ['tenant', 'users'], locations: [{ line: 3, column: 5 }], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    // users and tenant are both non-null: the null reaches the root.
    expect(r.data).toBeNull();
  });

  it("applies a required input field's default through graphql-js, which the compiled form does not", async () => {
    const q = 'query($tenantId: ID!, $order: UserOrder) { tenant(id: $tenantId) { users(first: 5, orderBy: $order) { edges { node { userName } } } } }';
    const names = (d: Json): string[] => d.tenant.users.edges.map((e: { node: { userName: string } }) => e.node.userName);
    const omitted = await counted(() => gqlOk(h, q, { tenantId: ctx.tenantId, order: { field: 'USER_NAME' } }));
    expect({ compiled: omitted.compiled, graphqlJs: omitted.graphqlJs }).toEqual({ compiled: 0, graphqlJs: 1 });
    expect(names(omitted.result)).toEqual(['ada@example.com', 'boss@example.com']);
    // The same query with the field given runs compiled.
    const given = await counted(() => gqlOk(h, q, { tenantId: ctx.tenantId, order: { field: 'USER_NAME', direction: 'DESC' } }));
    expect({ compiled: given.compiled, graphqlJs: given.graphqlJs }).toEqual({ compiled: 1, graphqlJs: 0 });
    expect(names(given.result)).toEqual(['boss@example.com', 'ada@example.com']);
  });

  it('leaves a query longer than GRAPHQL_COMPILE_MAX_BYTES to graphql-js, however often it is sent', async () => {
    // The page above with aliases enough to pass the default 8,192 characters.
    const fields = Array.from({ length: 130 }, (_, i) => `a${i}: users(first: 1) { edges { node { userName emails { value } } } }`).join('\n');
    const q = `query Long($tenantId: ID!) {\n  tenant(id: $tenantId) {\n${fields}\n  }\n}`;
    expect(q.length).toBeGreaterThan(8192);
    for (let i = 0; i < 3; i++) {
      const { result, compiled, graphqlJs } = await counted(() => gqlOk(h, q, { tenantId: ctx.tenantId }));
      expect({ compiled, graphqlJs }).toEqual({ compiled: 0, graphqlJs: 1 });
      expect(result.tenant.a129.edges).toEqual([{ node: { userName: 'boss@example.com', emails: [] } }]);
    }
  });

  it('leaves mutations to graphql-js', async () => {
    const create = 'mutation($input: CreateUserInput!) { createUser(input: $input) { user { userName active } } }';
    const { result, compiled, graphqlJs } = await counted(() => gqlOk(h, create, { input: { tenantId: ctx.tenantId, userName: 'grace@example.com' } }));
    expect(result.createUser.user).toEqual({ userName: 'grace@example.com', active: true });
    expect({ compiled, graphqlJs }).toEqual({ compiled: 0, graphqlJs: 1 });
  });

  it("refuses variables with graphql-js's message, status 400 and BAD_USER_INPUT, running nothing", async () => {
    const q = 'query($tenantId: ID!, $first: Int) { tenant(id: $tenantId) { users(first: $first) { totalCount } } }';
    const { result: r, graphqlJs } = await counted(() => gql(h, q, { tenantId: ctx.tenantId, first: 'ten' }));
    expect(graphqlJs).toBe(1);
    expect(r.status).toBe(400);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toBe('Variable "$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"');
    expect(r.data).toBeUndefined();
  });
});
