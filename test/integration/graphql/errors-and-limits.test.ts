import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ErrorCode, formatError } from '../../../src/graphql/errors.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { gql, gqlOk, type Json } from '../../support/graphql.js';

let h: Harness;
let tenantId: string;
beforeAll(async () => {
  h = await startHarness({ BODY_LIMIT_BYTES: '4096' });
  tenantId = (await h.tenant('limits')).tenantId;
});
afterAll(async () => {
  await h.close();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${h.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminKey}`, ...headers }, body });

describe('query limits', () => {
  it('refuses an operation nested too deep with QUERY_TOO_DEEP and runs none of it', async () => {
    let sel = 'id';
    for (let i = 0; i < 20; i++) sel = `enterprise { manager { ${sel} } }`;
    const r = await gql(h, `query($t: ID!) { tenant(id: $t) { users(first: 1) { edges { node { ${sel} } } } } }`, { t: tenantId });
    expect(r.status).toBe(400);
    expect(r.code).toBe(ErrorCode.QUERY_TOO_DEEP);
    expect(r.errors![0]!.message).toMatch(/at most 15/);
    expect(r.data ?? null).toBeNull();
  });

  it('counts fragments when measuring depth', async () => {
    let frags = 'fragment F0 on User { id }';
    for (let i = 1; i <= 20; i++) frags += ` fragment F${i} on User { enterprise { manager { ...F${i - 1} } } }`;
    const r = await gql(h, `query($t: ID!) { tenant(id: $t) { users(first: 1) { edges { node { ...F20 } } } } } ${frags}`, { t: tenantId });
    expect(r.code).toBe(ErrorCode.QUERY_TOO_DEEP);
  });

  it('refuses an operation whose page sizes multiply past the limit with QUERY_TOO_COMPLEX', async () => {
    const q = `query($t: ID!, $n: Int!) { tenant(id: $t) { groups(first: $n) { edges { node { members(first: $n) { edges { node { ... on User { userName } } } } } } } } }`;
    const r = await gql(h, q, { t: tenantId, n: 500 });
    expect(r.status).toBe(400);
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    expect(r.errors![0]!.message).toMatch(/smaller pages/);
    const ok = await gql(h, q, { t: tenantId, n: 20 });
    expect(ok.errors).toBeUndefined();
  });
});

describe('configured query limits', () => {
  let small: Harness;
  let t: string;
  beforeAll(async () => {
    small = await startHarness({ GRAPHQL_MAX_DEPTH: '6', GRAPHQL_MAX_COMPLEXITY: '500' });
    t = (await small.tenant('small-limits')).tenantId;
  });
  afterAll(async () => {
    await small.close();
  });

  it('applies GRAPHQL_MAX_DEPTH', async () => {
    const q = (sel: string) => `query($t: ID!) { tenant(id: $t) { users(first: 1) { edges { node { ${sel} } } } } }`;
    expect((await gql(small, q('enterprise { employeeNumber }'), { t })).errors).toBeUndefined();
    const r = await gql(small, q('enterprise { manager { id } }'), { t });
    expect(r.code).toBe(ErrorCode.QUERY_TOO_DEEP);
    expect(r.errors![0]!.message).toMatch(/7 levels deep; at most 6/);
  });

  it('applies GRAPHQL_MAX_COMPLEXITY', async () => {
    const q = `query($t: ID!, $n: Int!) { tenant(id: $t) { users(first: $n) { edges { node { id userName } } } } }`;
    expect((await gql(small, q, { t, n: 100 })).errors).toBeUndefined();
    const r = await gql(small, q, { t, n: 300 });
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    expect(r.errors![0]!.message).toMatch(/at most 500 is allowed/);
  });

  it('counts an operation again whenever its page sizes or @skip/@include switches change, however often it was allowed', async () => {
    const q = `query($t: ID!, $n: Int!, $deep: Boolean!) { tenant(id: $t) { users(first: $n) { edges { node { id groups @include(if: $deep) { id } } } } } }`;
    for (let i = 0; i < 3; i++) expect((await gql(small, q, { t, n: 40, deep: false })).errors).toBeUndefined();
    const bigger = await gql(small, q, { t, n: 300, deep: false });
    expect(bigger.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    expect(bigger.errors![0]!.message).toMatch(/complexity is 902;/);
    const deeper = await gql(small, q, { t, n: 40, deep: true });
    expect(deeper.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    expect(deeper.errors![0]!.message).toMatch(/complexity is 562;/);
    expect((await gql(small, q, { t, n: 40, deep: false })).errors).toBeUndefined();
    // Another tenant id changes nothing about the cost; the same operation still fits.
    expect((await gql(small, q, { t: randomUUID(), n: 40, deep: false })).code).toBe('NOT_FOUND');
  });

  it('refuses an operation with more selections than can be counted, never letting it through', async () => {
    const aliases = Array.from({ length: 2_000 }, (_, i) => `a${i}: userName`).join(' ');
    const r = await gql(small, `query($t: ID!) { tenant(id: $t) { users(first: 1) { edges { node { ${aliases} } } } } }`, { t });
    expect(r.status).toBe(400);
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
  });

  it('measures fragments spread within fragments once each, answering at once', async () => {
    let frags = 'fragment F0 on User { id }';
    for (let i = 1; i <= 40; i++) frags += ` fragment F${i} on User { ...F${i - 1} ... on User { ...F${i - 1} } }`;
    const started = Date.now();
    const r = await gql(small, `query($t: ID!) { tenant(id: $t) { users(first: 1) { edges { node { ...F40 } } } } } ${frags}`, { t });
    expect(r.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('request errors', () => {
  it('answers a body that is not JSON with 400 BAD_REQUEST in GraphQL shape', async () => {
    const res = await post('{ "query": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers a body over the size limit with 413', async () => {
    const res = await post(JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(8192) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('answers a document that does not parse with GRAPHQL_PARSE_FAILED, never a 500', async () => {
    const r = await gql(h, '{ viewer { ');
    expect(r.status).toBe(400);
    expect(r.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses mutations over GET', async () => {
    const res = await fetch(`${h.baseUrl}/graphql?query=${encodeURIComponent('mutation { createTenant(input: { name: "x" }) { tenant { id } } }')}`, {
      headers: { authorization: `Bearer ${h.adminKey}`, accept: 'application/json' },
    });
    expect(res.status).toBe(405);
  });

  it('tells caches not to keep any answer: each holds what one key may read', async () => {
    const r = await gql(h, '{ viewer { platform } }');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const refused = await gql(h, '{ viewer { nope } }');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a document whose operation to run cannot be told with 400 BAD_REQUEST, over POST and GET, and logs no error', async () => {
    const from = h.logs.length;
    const two = 'query A { viewer { platform } } query B { viewer { platform } }';
    const cases: [string, Record<string, unknown>, RegExp][] = [
      // Several operations, none named.
      [two, {}, /operationName/],
      // An operationName that names none of them.
      ['query A { viewer { platform } }', { operationName: 'Z' }, /no operation named/i],
      ['{ viewer { platform } }', { operationName: 'Nope' }, /no operation named/i],
    ];
    for (const [query, extra, message] of cases) {
      const res = await post(JSON.stringify({ query, ...extra }));
      const body = (await res.json()) as Json;
      expect({ status: res.status, code: body.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
      expect(body.errors[0].message).toMatch(message);
    }
    const res = await fetch(`${h.baseUrl}/graphql?query=${encodeURIComponent(two)}`, { headers: { authorization: `Bearer ${h.adminKey}`, accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(h.logs.slice(from).filter((l) => typeof l.level !== 'number' || l.level >= 50)).toEqual([]);
  });

  it('refuses a subscription sent as a plain POST with 400 BAD_REQUEST, naming where subscriptions are served', async () => {
    const from = h.logs.length;
    const r = await gql(h, 'subscription { events { id } }');
    expect({ status: r.status, code: r.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(r.errors![0]!.message).toMatch(/WebSocket/);
    expect(r.data ?? null).toBeNull();
    expect(h.logs.slice(from).filter((l) => typeof l.level !== 'number' || l.level >= 50)).toEqual([]);
  });

  it('answers malformed persisted-query extensions with 400 BAD_REQUEST, not as internal errors', async () => {
    const from = h.logs.length;
    for (const persistedQuery of [{ version: 1, sha256Hash: 'abc' }, { version: 2, sha256Hash: 'abc' }, 'x']) {
      const res = await post(JSON.stringify({ query: '{ viewer { platform } }', extensions: { persistedQuery } }));
      const body = (await res.json()) as Json;
      expect({ status: res.status, code: body.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
      expect(body.errors[0].message).not.toBe('Internal server error');
    }
    expect(h.logs.slice(from).filter((l) => typeof l.level !== 'number' || l.level >= 50)).toEqual([]);
  });

  it('answers a plain GET query', async () => {
    const res = await fetch(`${h.baseUrl}/graphql?query=${encodeURIComponent('{ viewer { platform } }')}`, { headers: { authorization: `Bearer ${h.adminKey}`, accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { viewer: { platform: true } } });
  });
});

describe('unexpected errors', () => {
  it('masks them, and logs them with the request id', async () => {
    const other = await startHarness();
    try {
      const t = await other.tenant('broken');
      await other.services.users.create(t, { ...(await import('../../../src/domain/user/user.js')).emptyProfile('x@example.com') });
      // A real failure, not a mock: the database loses a column the user query reads.
      await other.db.orm.em.getConnection().execute('alter table users drop column addresses');
      const r = await gql(other, `query($t: ID!) { tenant(id: $t) { name users { edges { node { userName } } } } }`, { t: t.tenantId }, other.adminKey, { 'x-request-id': 'req-masked-1' });
      expect(r.errors).toEqual([expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      expect(JSON.stringify(r)).not.toContain('addresses');
      const logged = other.logs.filter((l) => l.requestId === 'req-masked-1' && l.level === 50);
      expect(logged).toHaveLength(1);
      expect(JSON.stringify(logged[0])).toContain('addresses');
      expect(JSON.stringify(logged[0])).not.toContain('x@example.com');
    } finally {
      await other.close();
    }
  });

  it('formatError never throws, whatever it is given', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
    expect(formatError(hostile as never, hostile)).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(formatError({ message: 'secret detail' }, new Error('secret detail'))).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const coded = new GraphQLError('bad', { extensions: { code: 'BAD_USER_INPUT' } });
    expect(formatError({ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }, coded)).toEqual({ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('error codes', () => {
  it('answers a missing resource with NOT_FOUND', async () => {
    const r = await gql(h, 'query { tenant(id: "01900000-0000-7000-8000-000000000000") { id } }');
    expect(r.code).toBe('NOT_FOUND');
  });

  it('exports every code it uses', () => {
    expect(Object.values(ErrorCode)).toEqual(expect.arrayContaining(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED', 'MANAGED_BY_SCIM', 'PRECONDITION_FAILED']));
  });

  it('keeps working after errors', async () => {
    expect((await gqlOk(h, '{ viewer { platform } }')).viewer.platform).toBe(true);
  });
});
