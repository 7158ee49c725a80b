import { UrlLoader } from '@graphql-tools/url-loader';
import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { ErrorCode } from '../../../src/graphql/errors.js';
import { buildRosterSchema } from '../../../src/graphql/schema.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { gql } from '../../support/graphql.js';

let h: Harness;
let tenantId: string;
beforeAll(async () => {
  h = await startHarness();
  tenantId = (await h.tenant('introspection')).tenantId;
});
afterAll(async () => {
  await h.close();
});

const sdl = (schema: GraphQLSchema): string => printSchema(lexicographicSortSchema(schema));

/** What codegen, graphql-inspector, Rover and IDE plugins send: the query graphql-js exports, every option on. */
const FULL_INTROSPECTION = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });

/** Groups × members at page size 500: far over the default complexity limit. */
const TOO_COMPLEX = `tenant(id: $t) { groups(first: 500) { edges { node { members(first: 500) { edges { node { ... on User { userName } } } } } } } }`;

/** A selection nested 40 levels deep: far over the default depth limit. */
function tooDeep(): string {
  let sel = 'id';
  for (let i = 0; i < 20; i++) sel = `enterprise { manager { ${sel} } }`;
  return `tenant(id: $t) { users(first: 1) { edges { node { ${sel} } } } }`;
}

describe('standard introspection', () => {
  it.each([
    // The default query does not ask for scalars' specification URLs.
    ['the default query', getIntrospectionQuery(), (s: string) => s.replace(/ @specifiedBy\(url: "[^"]*"\)/g, '')],
    ['every option', FULL_INTROSPECTION, (s: string) => s],
  ])('answers %s of graphql-js, and the schema it describes is the one the code builds', async (_name, query, expected) => {
    const r = await gql<IntrospectionQuery>(h, query);
    expect(r.errors).toBeUndefined();
    expect(r.status).toBe(200);
    expect(sdl(buildClientSchema(r.data!))).toBe(expected(sdl(buildRosterSchema())));
  });

  it('loads the schema with a client library over HTTP, as codegen does', async () => {
    const [source] = await new UrlLoader().load(`${h.baseUrl}/graphql`, {
      headers: { authorization: `Bearer ${h.adminKey}` },
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
    });
    expect(source?.schema).toBeDefined();
    expect(sdl(source!.schema!)).toBe(sdl(buildRosterSchema()));
  });
});

describe('introspection leaves the limits in force on the rest of the operation', () => {
  it('still refuses an over-limit query with QUERY_TOO_COMPLEX', async () => {
    const r = await gql(h, `query($t: ID!) { ${TOO_COMPLEX} }`, { t: tenantId });
    expect(r.status).toBe(400);
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
  });

  it('refuses a too-deep query with introspection mixed in, with QUERY_TOO_DEEP', async () => {
    const r = await gql(h, `query($t: ID!) { __schema { types { name } } ${tooDeep()} }`, { t: tenantId });
    expect(r.status).toBe(400);
    expect(r.code).toBe(ErrorCode.QUERY_TOO_DEEP);
    expect(r.data ?? null).toBeNull();
  });

  it('refuses a too-complex query with the full introspection query mixed in', async () => {
    const mixed = FULL_INTROSPECTION.replace('query IntrospectionQuery {', `query IntrospectionQuery($t: ID!) { ${TOO_COMPLEX}`);
    const r = await gql(h, mixed, { t: tenantId });
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
  });

  it('counts a real field aliased with an introspection name', async () => {
    const r = await gql(h, `query($t: ID!) { __schema: ${TOO_COMPLEX} }`, { t: tenantId });
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
  });

  it('counts real fields in a fragment spread beside introspection', async () => {
    const r = await gql(h, `query($t: ID!) { ...Q } fragment Q on Query { __type(name: "User") { name } ${TOO_COMPLEX} }`, { t: tenantId });
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
  });

  it('counts __typename as nothing, wherever it is', async () => {
    // Real fields reach the depth limit exactly; only __typename goes one level further.
    let sel = 'enterprise { __typename }';
    for (let i = 0; i < 5; i++) sel = `enterprise { manager { __typename ${sel} } }`;
    const r = await gql(h, `query($t: ID!) { __typename tenant(id: $t) { __typename users(first: 1) { __typename edges { node { ${sel} } } } } }`, { t: tenantId });
    expect(r.errors).toBeUndefined();
  });
});

describe('introspection has bounds of its own', () => {
  it('refuses list fields nested inside introspection past three levels', async () => {
    const r = await gql(h, `{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`);
    expect(r.status).toBe(400);
    expect(r.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses aliases that repeat a walk of the whole schema', async () => {
    const walks = Array.from({ length: 600 }, (_, i) => `s${i}: __schema { types { fields { name } } }`).join(' ');
    const r = await gql(h, `{ ${walks} }`);
    expect(r.status).toBe(400);
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    expect(r.errors![0]!.message).toMatch(/introspection fields/);
  });

  it('refuses fragments that multiply introspection, counting each use', async () => {
    let frags = 'fragment T0 on __Type { name }';
    for (let i = 1; i <= 12; i++) frags += ` fragment T${i} on __Type { ...T${i - 1} ofType { ...T${i - 1} } }`;
    const r = await gql(h, `{ __type(name: "User") { ...T12 } } ${frags}`);
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
  });
});
