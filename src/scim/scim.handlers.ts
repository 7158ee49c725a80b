import type { ScimConnection } from '../domain/connection/connection.js';
import type { Ctx } from '../domain/context.js';
import type { Group } from '../domain/group/group.js';
import type { ListQuery } from '../domain/ports.js';
import type { Services } from '../domain/services.js';
import type { User } from '../domain/user/user.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery/discovery.documents.js';
import { planGroupPatch } from './groups/group.patch.js';
import { applyPatch } from './patch/patch.apply.js';
import { normalisePatch, type PatchOperation } from './patch/patch.normalise.js';
import { GROUP_TYPE, MESSAGE, RESOURCE_TYPES, USER_TYPE, type ResourceTypeSpec } from './registry/attribute.registry.js';
import { groupProfileFromScim, groupToScim, memberInputs } from './groups/group.mapping.js';
import { listQuery, pickListParams, type ListParams, type ListQueryParts } from './resource/list.params.js';
import { isObject, normaliseResource, type Json } from './resource/resource.normalise.js';
import { includes, parseProjection, project, type Projection } from './resource/resource.project.js';
import { etagOf, userProfileFromScim, userToScim } from './users/user.mapping.js';
import { errorBody, invalidSyntax, notFound, ScimError, toScimError } from './scim.errors.js';

/**
 * The SCIM 2.0 service provider (RFC 7644) as a plain function from request to response, so the
 * protocol does not depend on the web framework; http/scim.mount.ts adapts it to Koa.
 */

export interface ScimRequest {
  readonly method: string;
  /** The path below the SCIM base URL, e.g. `/Users/0190...`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly authorization: string | undefined;
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
  /** The parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  /** The absolute base URL (`https://host/scim/v2`), for `meta.location` and `Location`. */
  readonly baseUrl: string;
  readonly requestId: string | null;
}

export interface ScimResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface ScimDeps {
  readonly services: Services;
  /** ServiceProviderConfig filter.maxResults: the largest page. */
  readonly maxResults: number;
  /** Called with errors the facade cannot explain (bugs); they are answered as a masked 500. */
  readonly onUnexpected: (e: unknown, requestId: string | null) => void;
}

/** Members returned with a group (RFC 7643 §4.1.2); Entra reads groups with excludedAttributes=members. */
export const MAX_MEMBERS_RETURNED = 10_000;
const DEFAULT_COUNT = 100;

interface Call {
  readonly req: ScimRequest;
  readonly ctx: Ctx;
  readonly connection: ScimConnection;
}

type Write = { action: string; resourceType: 'User' | 'Group'; resourceId: string | null; changes: () => string[] };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScimResponse => ({ status, headers, body });
const noContent = (headers: Record<string, string> = {}): ScimResponse => ({ status: 204, headers });

/** `W/"3"` or `"3"` → 3; `*` → null (any version); anything else can never match. */
function parseIfMatch(h: string | undefined): number | null | undefined {
  if (h === undefined || h.trim() === '') return undefined;
  const v = h.trim();
  if (v === '*') return null;
  const m = /^(?:W\/)?"(\d+)"$/.exec(v);
  return m ? Number(m[1]) : -1;
}

function etagMatches(header: string | undefined, version: number): boolean {
  if (!header) return false;
  const tag = etagOf(version);
  return header.split(',').some((t) => {
    const s = t.trim();
    return s === '*' || s === tag || s === tag.slice(2);
  });
}

function bearer(h: string | undefined): string | null {
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1]! : null;
}

export function createScimHandler(deps: ScimDeps): (req: ScimRequest) => Promise<ScimResponse> {
  const { services } = deps;
  const limits = { defaultCount: Math.min(DEFAULT_COUNT, deps.maxResults), maxResults: deps.maxResults };

  async function authenticate(req: ScimRequest): Promise<Call> {
    const token = bearer(req.authorization);
    // RFC 7644 §2, RFC 6750 §3: no or a bad credential is a 401 with a Bearer challenge.
    if (!token) throw new ScimError(401, 'send the SCIM connection token as "Authorization: Bearer <token>"');
    const { connection, actor } = await services.connections.authenticate(token);
    return { req, connection, ctx: { tenantId: connection.tenantId, actor, requestId: req.requestId } };
  }

  /** Runs a write; a failure is recorded in the audit trail in a transaction of its own (issue 4 §8). */
  async function audited<T>(call: Call, w: Write, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      try {
        await services.audit.recordFailure(call.ctx, { action: w.action, resourceType: w.resourceType, resourceId: w.resourceId, changes: w.changes() });
      } catch (auditError) {
        deps.onUnexpected(auditError, call.req.requestId);
      }
      throw e;
    }
  }

  // ---- rendering ----------------------------------------------------------------------------

  async function renderUsers(call: Call, users: readonly User[], p: Projection): Promise<Json[]> {
    const groups = includes(p, 'groups') && users.length ? await services.groups.groupsOf(call.ctx, users.map((u) => u.id)) : null;
    return users.map((u) => {
      const gs = groups?.get(u.id);
      return project(USER_TYPE, p, userToScim(u, call.req.baseUrl, gs?.length ? gs : undefined));
    });
  }

  async function renderGroups(call: Call, groups: readonly Group[], p: Projection): Promise<Json[]> {
    const members = includes(p, 'members') && groups.length ? await services.groups.membersOfGroups(call.ctx, groups.map((g) => g.id), MAX_MEMBERS_RETURNED) : null;
    return groups.map((g) => project(GROUP_TYPE, p, groupToScim(g, call.req.baseUrl, members ? (members.get(g.id) ?? []) : undefined)));
  }

  const render = (call: Call, rt: ResourceTypeSpec, items: readonly (User | Group)[], p: Projection): Promise<Json[]> =>
    rt === USER_TYPE ? renderUsers(call, items as User[], p) : renderGroups(call, items as Group[], p);

  async function one(call: Call, rt: ResourceTypeSpec, r: User | Group, status = 200, extra: Record<string, string> = {}): Promise<ScimResponse> {
    const p = parseProjection(rt, call.req.query.attributes, call.req.query.excludedAttributes);
    const [body] = await render(call, rt, [r], p);
    return json(status, body, { ETag: etagOf(r.version), ...extra });
  }

  // ---- list and search (RFC 7644 §3.4.2, §3.4.3) ---------------------------------------------

  function domainQuery(q: ListQueryParts, offset = q.offset, limit = q.limit): ListQuery {
    return { filter: q.filter, sort: q.sort, page: { mode: 'offset', offset, limit }, withTotal: true };
  }

  const listOf = (call: Call, rt: ResourceTypeSpec, q: ListQuery) =>
    rt === USER_TYPE ? services.users.list(call.ctx, q) : services.groups.list(call.ctx, q);

  function listResponse(total: number, startIndex: number, resources: Json[]): ScimResponse {
    return json(200, { schemas: [MESSAGE.listResponse], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources });
  }

  async function search(call: Call, rt: ResourceTypeSpec, params: ListParams): Promise<ScimResponse> {
    const q = listQuery(rt, params, limits);
    const result = await listOf(call, rt, domainQuery(q));
    const resources = await render(call, rt, result.items.map((i) => i.node), q.projection);
    return listResponse(result.total ?? resources.length, q.startIndex, resources);
  }

  /** Search at the root (RFC 7644 §3.4.3): Users, then Groups, paged as one list. */
  async function searchAll(call: Call, params: ListParams): Promise<ScimResponse> {
    const parts: { rt: ResourceTypeSpec; q: ListQueryParts }[] = [];
    let firstError: unknown = null;
    for (const rt of RESOURCE_TYPES) {
      try {
        parts.push({ rt, q: listQuery(rt, params, limits) });
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
    for (const { rt, q } of parts) {
      const result = await listOf(call, rt, domainQuery(q, offset, remaining));
      const count = result.total ?? 0;
      total += count;
      resources.push(...(await render(call, rt, result.items.map((i) => i.node), q.projection)));
      remaining -= result.items.length;
      offset = Math.max(0, offset - count);
    }
    return listResponse(total, parts[0]!.q.startIndex, resources);
  }

  function searchBody(body: unknown): ListParams {
    if (body !== undefined && !isObject(body)) throw invalidSyntax('the search body must be a JSON object (RFC 7644 §3.4.3 SearchRequest)');
    return pickListParams(body ?? {});
  }

  // ---- users --------------------------------------------------------------------------------

  const changedKeys = (r: Json) => Object.keys(r).filter((k) => k !== 'schemas');
  const patchedPaths = (ops: readonly PatchOperation[]) => [...new Set(ops.map((o) => o.target.resolved.path))];

  async function createUser(call: Call): Promise<ScimResponse> {
    let body: Json = {};
    return audited(call, { action: 'user.create', resourceType: 'User', resourceId: null, changes: () => changedKeys(body) }, async () => {
      body = normaliseResource(USER_TYPE, call.req.body);
      const { user } = await services.users.create(call.ctx, userProfileFromScim(body), { policies: call.connection.policies });
      return one(call, USER_TYPE, user, 201, { Location: `${call.req.baseUrl}/Users/${user.id}` });
    });
  }

  async function replaceUser(call: Call, id: string): Promise<ScimResponse> {
    let body: Json = {};
    return audited(call, { action: 'user.replace', resourceType: 'User', resourceId: id, changes: () => changedKeys(body) }, async () => {
      body = normaliseResource(USER_TYPE, call.req.body);
      const profile = userProfileFromScim(body);
      const user = await services.users.update(call.ctx, id, () => profile, { ifVersion: parseIfMatch(call.req.ifMatch) });
      return one(call, USER_TYPE, user);
    });
  }

  async function patchUser(call: Call, id: string): Promise<ScimResponse> {
    let ops: PatchOperation[] = [];
    return audited(call, { action: 'user.update', resourceType: 'User', resourceId: id, changes: () => patchedPaths(ops) }, async () => {
      ops = normalisePatch(USER_TYPE, call.req.body);
      const user = await services.users.update(
        call.ctx,
        id,
        (current) => userProfileFromScim(applyPatch(userToScim(current, call.req.baseUrl), ops)),
        { ifVersion: parseIfMatch(call.req.ifMatch) },
      );
      // ENTRA.md: user PATCH answers 200 with the resource.
      return one(call, USER_TYPE, user);
    });
  }

  // ---- groups -------------------------------------------------------------------------------

  async function createGroup(call: Call): Promise<ScimResponse> {
    let body: Json = {};
    return audited(call, { action: 'group.create', resourceType: 'Group', resourceId: null, changes: () => changedKeys(body) }, async () => {
      body = normaliseResource(GROUP_TYPE, call.req.body);
      const group = await services.groups.create(call.ctx, groupProfileFromScim(body), memberInputs(body.members));
      return one(call, GROUP_TYPE, group, 201, { Location: `${call.req.baseUrl}/Groups/${group.id}` });
    });
  }

  async function replaceGroup(call: Call, id: string): Promise<ScimResponse> {
    let body: Json = {};
    return audited(call, { action: 'group.replace', resourceType: 'Group', resourceId: id, changes: () => changedKeys(body) }, async () => {
      body = normaliseResource(GROUP_TYPE, call.req.body);
      const profile = groupProfileFromScim(body);
      // RFC 7644 §3.5.1 lets a PUT that omits members leave them as they are; one that sends them sets them.
      const members = 'members' in body ? [{ op: 'replace' as const, members: memberInputs(body.members) }] : [];
      const group = await services.groups.change(call.ctx, id, { profile: () => profile, members }, { ifVersion: parseIfMatch(call.req.ifMatch) });
      return one(call, GROUP_TYPE, group);
    });
  }

  async function patchGroup(call: Call, id: string): Promise<ScimResponse> {
    let ops: PatchOperation[] = [];
    return audited(call, { action: 'group.update', resourceType: 'Group', resourceId: id, changes: () => patchedPaths(ops) }, async () => {
      ops = normalisePatch(GROUP_TYPE, call.req.body);
      const plan = planGroupPatch(ops);
      const group = await services.groups.change(
        call.ctx,
        id,
        {
          ...(plan.profileOps.length ? { profile: (g: Group) => groupProfileFromScim(applyPatch(groupToScim(g, call.req.baseUrl), plan.profileOps)) } : {}),
          members: plan.memberOps,
        },
        { ifVersion: parseIfMatch(call.req.ifMatch) },
      );
      // ENTRA.md: group PATCH answers 204; a client that asks for attributes gets the group (RFC 7644 §3.5.2).
      if (call.req.query.attributes === undefined) return noContent({ ETag: etagOf(group.version) });
      return one(call, GROUP_TYPE, group);
    });
  }

  // ---- shared by both resource types --------------------------------------------------------

  async function getOne(call: Call, rt: ResourceTypeSpec, id: string): Promise<ScimResponse> {
    const r = rt === USER_TYPE ? await services.users.get(call.ctx, id) : await services.groups.get(call.ctx, id);
    // RFC 7644 §3.14: If-None-Match with the current version answers 304 without a body.
    if (etagMatches(call.req.ifNoneMatch, r.version)) return { status: 304, headers: { ETag: etagOf(r.version) } };
    return one(call, rt, r);
  }

  async function remove(call: Call, rt: ResourceTypeSpec, id: string): Promise<ScimResponse> {
    const action = rt === USER_TYPE ? 'user.delete' : 'group.delete';
    return audited(call, { action, resourceType: rt.name, resourceId: id, changes: () => [] }, async () => {
      const opts = { ifVersion: parseIfMatch(call.req.ifMatch) };
      if (rt === USER_TYPE) await services.users.delete(call.ctx, id, opts);
      else await services.groups.delete(call.ctx, id, opts);
      return noContent();
    });
  }

  // ---- routing ------------------------------------------------------------------------------

  const methodNotAllowed = (allowed: string) => new ScimError(405, `this endpoint accepts ${allowed}`);

  async function route(req: ScimRequest): Promise<ScimResponse> {
    // Empty segments are dropped: the base URL works with and without a trailing slash.
    let seg: string[];
    try {
      seg = req.path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    } catch {
      throw notFound('the request path is not correctly percent-encoded');
    }
    const [first, second, ...rest] = seg;
    const m = req.method.toUpperCase();
    const head = first?.toLowerCase();
    if (head === 'bulk' || head === 'me') {
      await authenticate(req);
      // RFC 7644 §3.7 and §3.11: not supported here, said so by 501.
      throw new ScimError(501, `/${first} is not supported by Roster; see /ServiceProviderConfig`);
    }
    const call = await authenticate(req);
    if (rest.length > 0 || head === undefined) throw notFound(`no SCIM endpoint at ${req.path || '/'}; the resources are /Users and /Groups`);

    if (head === 'serviceproviderconfig' || head === 'resourcetypes' || head === 'schemas') {
      if (m !== 'GET') throw methodNotAllowed('GET');
      if (head === 'serviceproviderconfig') {
        if (second !== undefined) throw notFound('the ServiceProviderConfig has no sub-resources');
        return json(200, serviceProviderConfig(req.baseUrl, deps.maxResults));
      }
      const docs = head === 'resourcetypes' ? resourceTypes(req.baseUrl) : schemas(req.baseUrl);
      if (second === undefined) return listResponse(docs.length, 1, docs);
      const doc = docs.find((d) => String(d.id).toLowerCase() === second.toLowerCase());
      if (!doc) throw notFound(`no ${head === 'resourcetypes' ? 'resource type' : 'schema'} "${second}"; known: ${docs.map((d) => d.id).join(', ')}`);
      return json(200, doc);
    }

    if (head === '.search') {
      if (second !== undefined) throw notFound(`no SCIM endpoint at ${req.path}`);
      if (m !== 'POST') throw methodNotAllowed('POST');
      return searchAll(call, searchBody(req.body));
    }

    const rt = head === 'users' ? USER_TYPE : head === 'groups' ? GROUP_TYPE : null;
    if (!rt) throw notFound(`no SCIM endpoint at ${req.path}; the resources are /Users and /Groups`);
    if (second === undefined) {
      if (m === 'GET') return search(call, rt, pickListParams(req.query));
      if (m === 'POST') return rt === USER_TYPE ? createUser(call) : createGroup(call);
      throw methodNotAllowed('GET and POST');
    }
    if (second === '.search') {
      if (m !== 'POST') throw methodNotAllowed('POST');
      return search(call, rt, searchBody(req.body));
    }
    switch (m) {
      case 'GET':
        return getOne(call, rt, second);
      case 'PUT':
        return rt === USER_TYPE ? replaceUser(call, second) : replaceGroup(call, second);
      case 'PATCH':
        return rt === USER_TYPE ? patchUser(call, second) : patchGroup(call, second);
      case 'DELETE':
        return remove(call, rt, second);
      default:
        throw methodNotAllowed('GET, PUT, PATCH and DELETE');
    }
  }

  return async (req) => {
    try {
      return await route(req);
    } catch (e) {
      const err = toScimError(e);
      if (err) {
        const headers: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="SCIM"' } : {};
        return json(err.status, errorBody(err), headers);
      }
      deps.onUnexpected(e, req.requestId);
      return json(500, errorBody(new ScimError(500, `internal error; quote request id ${req.requestId ?? 'unknown'} when reporting it`)));
    }
  };
}

