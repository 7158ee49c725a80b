import type { ListQuery, ListResult } from '../domain/ports.js';
import type { ResourceMeta } from '../domain/shared/resource.js';
import { normalisePatch, type PatchOperation } from './patch/patch.normalise.js';
import { MESSAGE, type ResourceTypeSpec } from './registry/attribute.registry.js';
import { listQuery, pickListParams, type ListParams, type ListQueryParts } from './resource/list.params.js';
import { etagMatches, etagOf } from './resource/resource.meta.js';
import { isObject, normaliseResource, type Json } from './resource/resource.normalise.js';
import { parseProjection, type Projection } from './resource/resource.project.js';
import { json, noContent, type ScimCall, type ScimResponse } from './scim.call.js';
import { invalidSyntax } from './scim.errors.js';

/**
 * What a resource type module (users/, groups/) provides, and the protocol steps every type
 * shares on top of it: reading one resource with its ETag, lists and searches (RFC 7644 §3.4).
 */
export interface ScimResource<T extends ResourceMeta = ResourceMeta> {
  readonly type: ResourceTypeSpec;
  /** Reads one resource; `p` is what the answer will hold, so related data it needs may be read along. */
  read(call: ScimCall, id: string, p?: Projection): Promise<T>;
  list(call: ScimCall, q: ListQuery, p?: Projection): Promise<ListResult<T>>;
  /** The SCIM representations of `items`, projected; related resources are read in one batch. */
  render(call: ScimCall, items: readonly T[], p: Projection, hints?: RenderHints): Promise<Json[]>;
  create(call: ScimCall): Promise<ScimResponse>;
  replace(call: ScimCall, id: string): Promise<ScimResponse>;
  patch(call: ScimCall, id: string): Promise<ScimResponse>;
  delete(call: ScimCall, id: string): Promise<ScimResponse>;
}

/** What the caller already knows about the resources it renders, so render need not read it. */
export interface RenderHints {
  /** Created by this request: nothing refers to them yet (a new user belongs to no group). */
  readonly created?: boolean;
  /** Known to have no members: a group created by this request without any. */
  readonly withoutMembers?: boolean;
}

/** The projection the request asks for (`attributes`, `excludedAttributes`). */
export const projectionOf = (call: ScimCall, res: ScimResource) => parseProjection(res.type, call.req.query.attributes, call.req.query.excludedAttributes);

/** One resource in the representation the request asks for (`attributes`, `excludedAttributes`). */
export async function respond<T extends ResourceMeta>(
  call: ScimCall,
  res: ScimResource<T>,
  r: T,
  status = 200,
  extra: Record<string, string> = {},
  hints: RenderHints = {},
  p: Projection = projectionOf(call, res),
): Promise<ScimResponse> {
  const [body] = await res.render(call, [r], p, hints);
  return json(status, body, { ETag: etagOf(r.version), ...extra });
}

export async function getResource<T extends ResourceMeta>(call: ScimCall, res: ScimResource<T>, id: string): Promise<ScimResponse> {
  const p = projectionOf(call, res);
  const r = await res.read(call, id, p);
  // RFC 7644 §3.14: If-None-Match with the current version answers 304 without a body.
  if (etagMatches(call.req.ifNoneMatch, r.version)) return { status: 304, headers: { ETag: etagOf(r.version) } };
  return respond(call, res, r, 200, {}, {}, p);
}

// ---- audited writes: the audit trail of a failure names what the request touched ---------------

/** POST or PUT: the body is normalised to a canonical resource first; its attributes are audited. */
export function writeResource(call: ScimCall, res: ScimResource, action: string, id: string | null, fn: (body: Json) => Promise<ScimResponse>): Promise<ScimResponse> {
  let body: Json = {};
  // A user create that fails has no id: its userName is what tells an admin whose provisioning failed.
  const userName = () => (res.type.name === 'User' && id === null ? userNameOf(body, call.req.body) : null);
  return call.audited({ action, resourceType: res.type.name, resourceId: id, changes: () => Object.keys(body).filter((k) => k !== 'schemas'), userName }, async () => {
    body = normaliseResource(res.type, call.req.body);
    return fn(body);
  });
}

/** PATCH: the operations are normalised first (RFC 7644 §3.5.2); the paths they name are audited. */
export function writePatch(call: ScimCall, res: ScimResource, action: string, id: string, fn: (ops: PatchOperation[]) => Promise<ScimResponse>): Promise<ScimResponse> {
  let ops: PatchOperation[] = [];
  return call.audited({ action, resourceType: res.type.name, resourceId: id, changes: () => [...new Set(ops.map((o) => o.target.resolved.path))] }, async () => {
    ops = normalisePatch(res.type, call.req.body);
    return fn(ops);
  });
}

/** userName of the parsed body or, when the body could not be parsed, of the raw one (attribute names are case-insensitive). */
function userNameOf(parsed: Json, raw: unknown): string | null {
  if (typeof parsed.userName === 'string') return parsed.userName;
  if (!isObject(raw)) return null;
  const key = Object.keys(raw).find((k) => k.toLowerCase() === 'username');
  const v = key === undefined ? undefined : raw[key];
  return typeof v === 'string' ? v : null;
}

/** DELETE: answered 204 without a body. */
export function writeDelete(call: ScimCall, res: ScimResource, action: string, id: string, fn: () => Promise<void>): Promise<ScimResponse> {
  return call.audited({ action, resourceType: res.type.name, resourceId: id, changes: () => [] }, async () => {
    await fn();
    return noContent();
  });
}

// ---- list and search (RFC 7644 §3.4.2, §3.4.3) -----------------------------------------------

export function listResponse(total: number, startIndex: number, resources: Json[]): ScimResponse {
  return json(200, { schemas: [MESSAGE.listResponse], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources });
}

/** A SearchRequest body (RFC 7644 §3.4.3) as list parameters. */
export function searchBody(body: unknown): ListParams {
  if (body !== undefined && !isObject(body)) throw invalidSyntax('the search body must be a JSON object (RFC 7644 §3.4.3 SearchRequest)');
  return pickListParams(body ?? {}, false);
}

/** One page of one type: its total, how many items it held, and their representations. */
async function page<T extends ResourceMeta>(call: ScimCall, res: ScimResource<T>, q: ListQueryParts, offset: number, limit: number) {
  const result = await res.list(call, { filter: q.filter, sort: q.sort, page: { mode: 'offset', offset, limit }, withTotal: true }, q.projection);
  const resources = await res.render(call, result.items.map((i) => i.node), q.projection);
  return { total: result.total ?? resources.length, resources };
}

export async function searchResource<T extends ResourceMeta>(call: ScimCall, res: ScimResource<T>, params: ListParams): Promise<ScimResponse> {
  const q = listQuery(res.type, params, call.limits);
  const { total, resources } = await page(call, res, q, q.offset, q.limit);
  return listResponse(total, q.startIndex, resources);
}

/** Search at the root (RFC 7644 §3.4.3): every type in order, paged as one list. */
export async function searchAll(call: ScimCall, all: readonly ScimResource[], params: ListParams): Promise<ScimResponse> {
  const parts: { res: ScimResource; q: ListQueryParts }[] = [];
  let firstError: unknown = null;
  for (const res of all) {
    try {
      parts.push({ res, q: listQuery(res.type, params, call.limits) });
    } catch (e) {
      // A filter naming attributes one type lacks searches only the types that have them.
      firstError ??= e;
    }
  }
  if (parts.length === 0) throw firstError;
  let offset = parts[0]!.q.offset;
  let remaining = parts[0]!.q.limit;
  let total = 0;
  const resources: Json[] = [];
  for (const { res, q } of parts) {
    const p = await page(call, res, q, offset, remaining);
    total += p.total;
    resources.push(...p.resources);
    remaining -= p.resources.length;
    offset = Math.max(0, offset - p.total);
  }
  return listResponse(total, parts[0]!.q.startIndex, resources);
}
