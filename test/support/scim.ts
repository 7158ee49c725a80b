import type { ScimConnection } from '../../src/domain/connection/connection.js';
import type { Ctx } from '../../src/domain/context.js';

export interface ScimReply {
  readonly status: number;
  readonly headers: Headers;
  // Response bodies are JSON of many shapes; tests read them as such.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
}

export interface ScimClient {
  readonly ctx: Ctx;
  readonly connection: ScimConnection;
  readonly token: string;
  /** `<server>/scim/v2` */
  readonly base: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  get(path: string, headers?: Record<string, string>): Promise<ScimReply>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  put(path: string, body: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  patch(path: string, body: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  del(path: string, headers?: Record<string, string>): Promise<ScimReply>;
}

/** Sends a SCIM request the way an IdP does: bearer token, application/scim+json. */
export async function send(url: string, method: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<ScimReply> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A client for the SCIM endpoint of `baseUrl`, authenticated as `token`. */
export function clientFor(baseUrl: string, token: string, ctx: Ctx, connection: ScimConnection): ScimClient {
  const base = `${baseUrl}/scim/v2`;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => send(`${base}${path}`, method, token, body, headers);
  return {
    ctx,
    connection,
    token,
    base,
    call,
    get: (p, h) => call('GET', p, undefined, h),
    post: (p, b, h) => call('POST', p, b, h),
    put: (p, b, h) => call('PUT', p, b, h),
    patch: (p, b, h) => call('PATCH', p, b, h),
    del: (p, h) => call('DELETE', p, undefined, h),
  };
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const patchBody = (...ops: unknown[]) => ({ schemas: [PATCH_OP], Operations: ops });
