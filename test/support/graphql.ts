import type { Harness } from './harness.js';

/** Response data as tests read it: each test's query decides the shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ad-hoc shapes per query; assertions check them
export type Json = Record<string, any>;

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; fields?: string[]; [k: string]: unknown };
}

export interface GqlResponse<T = Json> {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors: GqlError[] | undefined;
  /** The single error's code, for tests that expect exactly one. */
  code: string | undefined;
}

/** POSTs one operation to /graphql over real HTTP, with `key` as the bearer API key (null: none). */
export async function gql<T = Json>(
  h: Harness,
  query: string,
  variables: Record<string, unknown> = {},
  key: string | null = h.adminKey,
  extraHeaders: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(`${h.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...extraHeaders },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T | null; errors?: GqlError[] };
  return { status: res.status, headers: res.headers, data: body.data, errors: body.errors, code: body.errors?.[0]?.extensions?.code };
}

/** Like gql, but fails the test with the errors when there are any. */
export async function gqlOk<T = Json>(h: Harness, query: string, variables: Record<string, unknown> = {}, key: string | null = h.adminKey): Promise<T> {
  const r = await gql<T>(h, query, variables, key);
  if (r.errors?.length || r.status !== 200) throw new Error(`GraphQL failed (${r.status}): ${JSON.stringify(r.errors)}`);
  return r.data as T;
}

/** A tenant made through the API, with an admin and a read-only key of its own. */
export async function tenantWithKeys(h: Harness, name: string): Promise<{ id: string; adminKey: string; readKey: string }> {
  const { createTenant } = await gqlOk(h, 'mutation($n: String!) { createTenant(input: { name: $n }) { tenant { id } } }', { n: name });
  const id = createTenant.tenant.id as string;
  const mk = async (role: string) =>
    (await gqlOk(h, 'mutation($t: ID, $r: ApiKeyRole!) { createApiKey(input: { tenantId: $t, name: "test", role: $r }) { secret } }', { t: id, r: role })).createApiKey.secret as string;
  return { id, adminKey: await mk('ADMIN'), readKey: await mk('READ_ONLY') };
}

/** How many GraphQL operations each executor has run in the app so far (`roster_graphql_executions_total`). */
export async function graphqlExecutions(h: Harness): Promise<{ compiled: number; graphqlJs: number }> {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  const count = (executor: string) => Number(new RegExp(`^roster_graphql_executions_total\\{executor="${executor}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { compiled: count('compiled'), graphqlJs: count('graphql-js') };
}
