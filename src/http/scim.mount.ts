import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import coBody from 'co-body';
import type { ScimRequest, ScimResponse } from '../scim/scim.call.js';
import { errorBody, invalidSyntax, invalidValue, ScimError } from '../scim/scim.errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { COMMON_HEADERS, requestIdOf, requestLog, type Principal } from './request.js';

/**
 * The HTTP adapter of the SCIM facade: serves /scim/v2 straight from node:http, ahead of Koa
 * (docs/architecture.md#scim-without-koa). It gives each request an id, logs it, counts it in
 * the metrics, parses bodies with the app's size limit, and renders every response, errors
 * included, as application/scim+json (RFC 7644 §3.1, §8.1).
 */

export const SCIM_BASE_PATH = '/scim/v2';
export const SCIM_MEDIA_TYPE = 'application/scim+json';
/** RFC 7644 §3.1: clients send application/scim+json; Entra and others also send application/json. */
const ACCEPTED_BODY_TYPES = new Set(['application/scim+json', 'application/json']);
/** The methods whose bodies are read; any other request is answered without reading its body. */
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export interface ScimListenerDeps {
  readonly handle: (req: ScimRequest) => Promise<ScimResponse>;
  /** The largest body read, in bytes; a larger one is refused with 413 before it is read whole. */
  readonly bodyLimitBytes: number;
  /** Whether X-Forwarded-Proto and X-Forwarded-Host are believed (TRUST_PROXY), for the base URL. */
  readonly trustProxy: boolean;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The path and query string of a request target, or null when it is not below the SCIM base URL. */
export function scimTarget(url: string): { path: string; search: string } | null {
  let target = url;
  // An absolute-form target (RFC 9112 §3.2.2) names the path after its authority.
  if (!target.startsWith('/')) {
    try {
      const u = new URL(target);
      target = u.pathname + u.search;
    } catch {
      return null;
    }
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  // The base URL with and without a trailing slash, and everything below it.
  if (path !== SCIM_BASE_PATH && !path.startsWith(`${SCIM_BASE_PATH}/`)) return null;
  return { path, search: q < 0 ? '' : target.slice(q + 1) };
}

const header = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
};

/** The first of a comma-separated header's values, as Koa reads X-Forwarded-* headers. */
const firstValue = (v: string): string => v.split(',', 1)[0]!.trim();

/** The absolute base URL (`https://host/scim/v2`), from the forwarded headers only when a proxy is trusted. */
function baseUrlOf(req: IncomingMessage, trustProxy: boolean): string {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const proto = encrypted ? 'https' : trustProxy && header(req, 'x-forwarded-proto') ? firstValue(header(req, 'x-forwarded-proto')).toLowerCase() : 'http';
  let host = (trustProxy && header(req, 'x-forwarded-host')) || header(req, 'host');
  host = host ? firstValue(host) : '';
  // A Host with userinfo ("user@host") is not a host (RFC 9110 §4.2.4): keep the host part.
  if (host.includes('@')) {
    try {
      host = new URL(`http://${host}`).host;
    } catch {
      host = '';
    }
  }
  return `${proto}://${host}${SCIM_BASE_PATH}`;
}

const unsupportedType = () => new ScimError(415, `send the body as ${[...ACCEPTED_BODY_TYPES].join(' or ')}`);

/** What the body's JSON parser (bourne, under co-body) says of a key that would reach an object's prototype. */
const FORBIDDEN_PROTOTYPE = 'Object contains forbidden prototype property';

/** Body reading failures (bad JSON, too large, an encoding not known or not decodable) rendered as SCIM errors. */
function bodyError(e: unknown, contentEncoding: string): ScimError {
  const err = e as { status?: number; type?: string };
  if (err.status === 413) return new ScimError(413, 'the request body is too large');
  // The parser refuses keys that would reach an object's prototype; the JSON itself is sound.
  if (e instanceof Error && e.message === FORBIDDEN_PROTOTYPE) return invalidValue('the request body holds a "__proto__" key, which no attribute has: leave it out');
  if (err.type === 'entity.parse.failed' || err.status === 400) return invalidSyntax('the request body is not valid JSON');
  if (err.status === 415) return new ScimError(415, `the Content-Encoding "${contentEncoding}" is not supported; send gzip, deflate, br or none`);
  // A compressed body that does not decompress fails in zlib, without a status.
  if (err.status === undefined && contentEncoding !== '' && contentEncoding !== 'identity') return invalidSyntax(`the request body is not valid ${contentEncoding} data`);
  throw e;
}

/** The media type of a Content-Type header, without its parameters. */
const mediaType = (contentType: string): string => contentType.split(';', 1)[0]!.trim().toLowerCase();

/** The request's parsed JSON body; undefined when it has none, or when its method takes none. */
async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  // A request without credentials is answered 401 without reading its body.
  const length = Number.parseInt(header(req, 'content-length'), 10);
  const hasBody = (length > 0 || header(req, 'transfer-encoding') !== '') && header(req, 'authorization') !== '';
  if (!hasBody) return undefined;
  if (!ACCEPTED_BODY_TYPES.has(mediaType(header(req, 'content-type')))) throw unsupportedType();
  if (!METHODS_WITH_BODY.has(req.method!.toUpperCase())) return undefined;
  try {
    // co-body: the size limit is checked against Content-Length before reading, gzip and deflate
    // are inflated, and a JSON body must be an object or an array.
    return await coBody.json(req, { limit, encoding: 'utf-8' });
  } catch (e) {
    throw bodyError(e, header(req, 'content-encoding').toLowerCase());
  }
}

function send(res: ServerResponse, method: string, requestId: string, r: ScimResponse): void {
  const headers: Record<string, string | number> = { 'X-Request-Id': requestId, ...COMMON_HEADERS, ...r.headers };
  let text: string | undefined;
  if (r.body !== undefined) {
    text = JSON.stringify(r.body);
    headers['Content-Type'] = SCIM_MEDIA_TYPE;
    headers['Content-Length'] = Buffer.byteLength(text);
  }
  res.writeHead(r.status, headers);
  // A HEAD request gets the headers of its answer, not the body (RFC 9110 §9.3.2).
  res.end(method === 'HEAD' ? undefined : text);
}

/**
 * A node:http request listener for /scim/v2 and everything below it: it answers the request and
 * returns true, or returns false for any other path, which is then the rest of the app's to answer.
 */
export function scimListener(deps: ScimListenerDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const logRequest = requestLog(deps.logger);
  const serve = async (req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> => {
    const started = process.hrtime.bigint();
    const done = deps.metrics.track('scim');
    const method = req.method ?? 'GET';
    const requestId = requestIdOf(req.headers['x-request-id']);
    let principal: Principal | undefined;
    try {
      let r: ScimResponse;
      try {
        const body = await readBody(req, deps.bodyLimitBytes);
        r = await deps.handle({
          method,
          path: path.slice(SCIM_BASE_PATH.length),
          query: parseQuery(search),
          authorization: header(req, 'authorization') || undefined,
          ifMatch: header(req, 'if-match') || undefined,
          ifNoneMatch: header(req, 'if-none-match') || undefined,
          body,
          baseUrl: baseUrlOf(req, deps.trustProxy),
          requestId,
        });
      } catch (e) {
        if (!(e instanceof ScimError)) throw e;
        r = { status: e.status, headers: {}, body: errorBody(e) };
      }
      // The request log names the tenant and connection (never the token).
      if (r.principal) principal = { tenantId: r.principal.tenantId, connectionId: r.principal.connectionId };
      send(res, method, requestId, r);
    } catch (e) {
      // The facade answers every error it meets; what reaches here is a fault of this adapter.
      deps.logger.error({ err: e, requestId }, 'unhandled error');
      if (!res.headersSent) send(res, method, requestId, { status: 500, headers: {}, body: errorBody(new ScimError(500, `internal error; quote request id ${requestId} when reporting it`)) });
      else res.destroy();
    } finally {
      done(method, res.statusCode);
      logRequest({ requestId, method, path, status: res.statusCode, started, principal });
    }
  };
  return (req, res) => {
    const target = scimTarget(req.url ?? '/');
    if (!target) return false;
    void serve(req, res, target.path, target.search);
    return true;
  };
}
