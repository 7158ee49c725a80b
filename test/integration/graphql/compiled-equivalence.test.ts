import {
  execute,
  getNamedType,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { createGraphQLContext } from '../../../src/graphql/context.js';
import { buildRosterSchema } from '../../../src/graphql/schema.js';
import { startHarness, scimTenant, type Harness } from '../../support/harness.js';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA } from '../../support/scim.js';
import { gql, graphqlExecutions, type Json } from '../../support/graphql.js';

/**
 * The compiled form of a query (src/graphql/executor.ts) answers what graphql-js answers. Each
 * query selects every field a type has that takes no required argument, several levels deep,
 * with inline fragments on every possible type of an interface or a union; the answer over HTTP
 * (compiled) is compared with graphql-js's `execute` of the same document, on the same schema and
 * the same key, as JSON. Leaf values go through the same serialisation (timestamps, JSON objects,
 * enums), nulls through the same propagation.
 */
let h: Harness;
let schema: GraphQLSchema;
let tenantId: string;
let userId: string;
let groupId: string;

beforeAll(async () => {
  // Deep selections of every field cost more than the default limit allows.
  h = await startHarness({ GRAPHQL_MAX_COMPLEXITY: '10000000', GRAPHQL_MAX_DEPTH: '30', GRAPHQL_COMPILE_MAX_BYTES: '1048576' });
  schema = buildRosterSchema();
  const scim = await scimTenant(h);
  tenantId = scim.ctx.tenantId;
  const boss = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'boss@example.com', externalId: 'b-1', active: true });
  const user = await scim.post('/Users', {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName: 'ada@example.com',
    externalId: 'a-1',
    name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
    displayName: 'Ada',
    title: 'Engineer',
    emails: [{ value: 'ada@example.com', type: 'work', primary: true }, { value: 'ada@home.example', type: 'home' }],
    phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
    addresses: [{ type: 'work', locality: 'London', country: 'GB', primary: true }],
    roles: [{ value: 'engineer' }],
    [ENTERPRISE]: { employeeNumber: 'E1', department: 'Analytics', manager: { value: boss.body.id } },
    'urn:example:ext': { shoe: 42 },
  });
  userId = user.body.id as string;
  const inner = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'inner', members: [{ value: userId }] });
  const outer = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'outer', members: [{ value: inner.body.id }, { value: boss.body.id }] });
  groupId = outer.body.id as string;
  // A user Roster's admins manage, next to the SCIM-managed ones.
  await gql(h, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { tenantId, userName: 'grace@example.com', active: false } });
});
afterAll(async () => {
  await h.close();
});

/** Every field of `type` without required arguments, `depth` levels of objects deep; connections read 3. */
function selectAll(type: GraphQLNamedType, depth: number): string {
  if (isLeafType(type)) return '';
  if (isAbstractType(type)) {
    if (depth === 0) return '{ __typename }';
    const parts = schema.getPossibleTypes(type).map((t) => `... on ${t.name} ${selectAll(t, depth)}`);
    return `{ __typename ${parts.join(' ')} }`;
  }
  if (!isObjectType(type)) return '';
  const fields = Object.values(type.getFields()).filter((f: GraphQLField<unknown, unknown>) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined));
  const out: string[] = [];
  for (const f of fields) {
    const named = getNamedType(f.type);
    const args = f.args.some((a) => a.name === 'first') ? '(first: 3)' : '';
    // Aliased by type: fragments on different types may hold fields of one name and other types.
    const field = `${type.name}_${f.name}: ${f.name}`;
    if (isLeafType(named)) out.push(field);
    else if (depth > 0) out.push(`${field}${args} ${selectAll(named, depth - 1)}`);
  }
  return `{ __typename ${out.join(' ')} }`;
}

async function graphqlJs(query: string, variables: Record<string, unknown>): Promise<Json> {
  const log = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
  const contextValue = await createGraphQLContext({ services: h.services, limits: { maxPageSize: h.config.maxPageSize }, authorization: `Bearer ${h.adminKey}`, requestId: 'equivalence', log: log as never });
  const result = await execute({ schema, document: parse(query), contextValue, variableValues: variables });
  return JSON.parse(JSON.stringify(result)) as Json;
}

/** The answer over HTTP, which must have run compiled (a query is compiled the second time it is sent). */
async function compiled(query: string, variables: Record<string, unknown>): Promise<Json> {
  await gql(h, query, variables);
  const before = (await graphqlExecutions(h)).compiled;
  const r = await gql(h, query, variables);
  expect((await graphqlExecutions(h)).compiled).toBe(before + 1);
  return { ...(r.errors ? { errors: r.errors } : {}), data: r.data };
}

describe('compiled queries answer as graphql-js does', () => {
  const cases: [string, () => { query: string; variables: Record<string, unknown> }][] = [
    ['a tenant, three levels deep', () => ({ query: `query($t: ID!) { tenant(id: $t) ${selectAll(schema.getType('Tenant')!, 3)} }`, variables: { t: tenantId } })],
    ['a user, four levels deep', () => ({ query: `query($id: ID!) { node(id: $id) ${selectAll(schema.getType('Node')!, 4)} }`, variables: { id: userId } })],
    ['a group with nested members, four levels deep', () => ({ query: `query($id: ID!) { node(id: $id) ${selectAll(schema.getType('Node')!, 4)} }`, variables: { id: groupId } })],
    ['every tenant, two levels deep', () => ({ query: `{ tenants ${selectAll(schema.getType('Tenant')!, 2)} }`, variables: {} })],
  ];
  it.each(cases)('%s', async (_name, build) => {
    const { query, variables } = build();
    const viaHttp = await compiled(query, variables);
    expect(viaHttp.errors).toBeUndefined();
    expect(viaHttp.data).not.toBeNull();
    expect(viaHttp).toEqual(await graphqlJs(query, variables));
  });
});
