import { extended } from '../domain/shared/objects.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery/discovery.documents.js';
import { groupsResource } from './groups/groups.resource.js';
import { pickListParams } from './resource/list.params.js';
import { json, openCall, type ScimCall, type ScimDeps, type ScimRequest, type ScimResponse, type ScimScope } from './scim.call.js';
import { errorBody, notFound, ScimError, toScimError } from './scim.errors.js';
import { getResource, listResponse, searchAll, searchBody, searchResource, type ScimResource } from './scim.resource.js';
import { usersResource } from './users/users.resource.js';

/**
 * The SCIM 2.0 service provider (RFC 7644) as a plain function from request to response, so the
 * protocol does not depend on the web framework (http/scim.mount.ts adapts it to Koa). This is the
 * one place that dispatches by endpoint and resource type; each type's module does the rest.
 */

/** The resource types, in the order a search at the root lists them. */
const RESOURCES: readonly ScimResource[] = [usersResource, groupsResource];

const methodNotAllowed = (allowed: string) => new ScimError(405, `this endpoint accepts ${allowed}`);

/** Discovery (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes, /Schemas. */
function discovery(call: ScimCall, head: string, id: string | undefined, maxResults: number): ScimResponse {
  const { req } = call;
  if (req.method.toUpperCase() !== 'GET') throw methodNotAllowed('GET');
  if (head === 'serviceproviderconfig') {
    if (id !== undefined) throw notFound('the ServiceProviderConfig has no sub-resources');
    return json(200, serviceProviderConfig(req.baseUrl, maxResults));
  }
  const docs = head === 'resourcetypes' ? resourceTypes(req.baseUrl) : schemas(req.baseUrl);
  if (id === undefined) return listResponse(docs.length, 1, docs);
  const doc = docs.find((d) => String(d.id).toLowerCase() === id.toLowerCase());
  if (!doc) throw notFound(`no ${head === 'resourcetypes' ? 'resource type' : 'schema'} "${id}"; known: ${docs.map((d) => d.id).join(', ')}`);
  return json(200, doc);
}

/** /Users, /Groups and everything below them. */
function dispatch(call: ScimCall, res: ScimResource, id: string | undefined): Promise<ScimResponse> {
  const { req } = call;
  const m = req.method.toUpperCase();
  if (id === undefined) {
    if (m === 'GET') return searchResource(call, res, pickListParams(req.query));
    if (m === 'POST') return res.create(call);
    throw methodNotAllowed('GET and POST');
  }
  if (id === '.search') {
    if (m !== 'POST') throw methodNotAllowed('POST');
    return searchResource(call, res, searchBody(req.body));
  }
  switch (m) {
    case 'GET':
      return getResource(call, res, id);
    case 'PUT':
      return res.replace(call, id);
    case 'PATCH':
      return res.patch(call, id);
    case 'DELETE':
      return res.delete(call, id);
    default:
      throw methodNotAllowed('GET, PUT, PATCH and DELETE');
  }
}

async function route(deps: ScimDeps, req: ScimRequest, scope: ScimScope): Promise<ScimResponse> {
  // Empty segments are dropped: the base URL works with and without a trailing slash.
  let seg: string[];
  try {
    seg = req.path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    throw notFound('the request path is not correctly percent-encoded');
  }
  const [first, second, ...rest] = seg;
  const head = first?.toLowerCase();
  const call = await openCall(deps, req, scope);
  // RFC 7644 §3.7 and §3.11: not supported here, said so by 501 (to an authenticated caller).
  if (head === 'bulk' || head === 'me') throw new ScimError(501, `/${first} is not supported by Roster; see /ServiceProviderConfig`);
  if (rest.length > 0 || head === undefined) throw notFound(`no SCIM endpoint at ${req.path || '/'}; the resources are /Users and /Groups`);

  if (head === 'serviceproviderconfig' || head === 'resourcetypes' || head === 'schemas') return discovery(call, head, second, deps.maxResults);
  if (head === '.search') {
    if (second !== undefined) throw notFound(`no SCIM endpoint at ${req.path}`);
    if (req.method.toUpperCase() !== 'POST') throw methodNotAllowed('POST');
    return searchAll(call, RESOURCES, searchBody(req.body));
  }
  const res = RESOURCES.find((r) => r.type.endpoint.slice(1).toLowerCase() === head);
  if (!res) throw notFound(`no SCIM endpoint at ${req.path}; the resources are /Users and /Groups`);
  return dispatch(call, res, second);
}

/** The facade: every error becomes a SCIM error response; what it cannot explain, a masked 500. */
export function createScimRouter(deps: ScimDeps): (req: ScimRequest) => Promise<ScimResponse> {
  return async (req) => {
    const scope: ScimScope = {};
    const withPrincipal = (res: ScimResponse): ScimResponse => (scope.principal ? extended(res, { principal: scope.principal }) : res);
    try {
      return withPrincipal(await route(deps, req, scope));
    } catch (e) {
      const err = toScimError(e);
      if (err) {
        const headers: Record<string, string> = {};
        if (err.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="SCIM"';
        // Overload and database faults: 503 with a time to come back, never 429 (docs/architecture.md#robustness).
        if (err.status === 503) {
          headers['Retry-After'] = String(deps.retryAfterSeconds);
          deps.onUnavailable?.(e, req.requestId);
        }
        return withPrincipal(json(err.status, errorBody(err), headers));
      }
      deps.onUnexpected(e, req.requestId);
      return withPrincipal(json(500, errorBody(new ScimError(500, `internal error; quote request id ${req.requestId ?? 'unknown'} when reporting it`))));
    } finally {
      scope.release?.();
    }
  };
}
