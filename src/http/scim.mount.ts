import type { Context, Middleware, Next } from 'koa';
import type { ScimRequest, ScimResponse } from '../scim/scim.call.js';
import { errorBody, invalidSyntax, ScimError } from '../scim/scim.errors.js';

/**
 * The Koa adapter of the SCIM facade: mounts it at /scim/v2, parses bodies with the parser the
 * HTTP layer hands in (so size limits are the app's), and renders every response, errors
 * included, as application/scim+json (RFC 7644 §3.1, §8.1).
 */

export const SCIM_BASE_PATH = '/scim/v2';
export const SCIM_MEDIA_TYPE = 'application/scim+json';
/** RFC 7644 §3.1: clients send application/scim+json; Entra and others also send application/json. */
const ACCEPTED_BODY_TYPES = ['application/scim+json', 'application/json'];

export interface ScimMountDeps {
  readonly handle: (req: ScimRequest) => Promise<ScimResponse>;
  /** The app's JSON body parser (jsonBodyParser of the HTTP layer). */
  readonly parseBody: Middleware;
}

function send(ctx: Context, res: ScimResponse): void {
  // The request log names the tenant and connection (never the token).
  if (res.principal) ctx.state.principal = { tenantId: res.principal.tenantId, connectionId: res.principal.connectionId };
  ctx.status = res.status;
  for (const [k, v] of Object.entries(res.headers)) ctx.set(k, v);
  if (res.body !== undefined) {
    ctx.body = JSON.stringify(res.body);
    ctx.type = SCIM_MEDIA_TYPE;
  }
}

const unsupportedType = () => new ScimError(415, `send the body as ${ACCEPTED_BODY_TYPES.join(' or ')}`);
const sendError = (ctx: Context, e: ScimError) => send(ctx, { status: e.status, headers: {}, body: errorBody(e) });

/** Body parser failures (bad JSON, too large) rendered as SCIM errors. */
function bodyError(e: unknown): ScimError {
  const err = e as { status?: number; type?: string };
  if (err.status === 413) return new ScimError(413, 'the request body is too large');
  if (err.type === 'entity.parse.failed' || err.status === 400) return invalidSyntax('the request body is not valid JSON');
  if (err.status === 415) return unsupportedType();
  throw e;
}

export function scimMount(deps: ScimMountDeps): Middleware {
  const handler = async (ctx: Context): Promise<void> => {
    // A request without credentials is answered 401 without reading its body.
    const hasBody = (ctx.request.length > 0 || ctx.get('transfer-encoding') !== '') && ctx.get('authorization') !== '';
    if (hasBody && !ctx.request.is(ACCEPTED_BODY_TYPES)) {
      sendError(ctx, unsupportedType());
      return;
    }
    let body: unknown;
    if (hasBody) {
      try {
        await deps.parseBody(ctx, async () => undefined);
        body = (ctx.request as unknown as { body?: unknown }).body;
      } catch (e) {
        sendError(ctx, bodyError(e));
        return;
      }
    }
    const path = ctx.path.slice(SCIM_BASE_PATH.length);
    const res = await deps.handle({
      method: ctx.method,
      path,
      query: ctx.query,
      authorization: ctx.get('authorization') || undefined,
      ifMatch: ctx.get('if-match') || undefined,
      ifNoneMatch: ctx.get('if-none-match') || undefined,
      body,
      baseUrl: `${ctx.protocol}://${ctx.host}${SCIM_BASE_PATH}`,
      requestId: ctx.state.requestId ?? null,
    });
    send(ctx, res);
  };

  // The base URL with and without a trailing slash, and everything below it.
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== SCIM_BASE_PATH && !ctx.path.startsWith(`${SCIM_BASE_PATH}/`)) return next();
    await handler(ctx);
  };
}
