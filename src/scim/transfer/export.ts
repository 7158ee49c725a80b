import type { Ctx } from '../../domain/context.js';
import type { Group, Member } from '../../domain/group/group.js';
import type { ListQuery, ListResult } from '../../domain/ports.js';
import type { Services } from '../../domain/services.js';
import type { User } from '../../domain/user/user.js';
import { SCHEMA } from '../registry/attribute.registry.js';
import { groupToScim, memberToScim } from '../groups/group.mapping.js';
import type { Json } from '../resource/resource.normalise.js';
import { userToScim } from '../users/user.mapping.js';
import type { Progress } from './import.js';
import { NAME_KEY } from './refs.js';

/**
 * Export (`roster users export`, `roster groups export`): a tenant's resources as SCIM JSON lines, one
 * resource per line as the SCIM facade renders it, read page by page with keyset paging so memory
 * stays flat however many there are (docs/architecture.md#performance-budgets).
 *
 * A file is not served from a host, so the URLs the facade derives from its base URL
 * (`meta.location`, `$ref`) are left out. References carry the target's name beside its id (see
 * refs.ts); a user's `groups` are left out: the groups export holds memberships.
 */

export interface ExportDeps {
  readonly services: Services;
  readonly ctx: Ctx;
  /** Writes text out, resolving when more may be written (backpressure keeps memory flat). */
  readonly write: (text: string) => Promise<void>;
  readonly progress: Progress;
}

const USERS_PER_PAGE = 500;
/** Groups carry their members, so fewer of them per page. */
const GROUPS_PER_PAGE = 50;
const MEMBERS_PER_PAGE = 1000;

type Lister<T> = (q: ListQuery) => Promise<ListResult<T>>;

/** Every resource a lister returns, page by page in id order; and how many there are. */
async function* everything<T>(list: Lister<T>, pageSize: number): AsyncGenerator<{ page: T[]; total: number }> {
  const counted = await list({ filter: null, sort: null, page: { mode: 'offset', offset: 0, limit: 0 }, withTotal: true });
  const total = counted.total ?? 0;
  let cursor: string | null = null;
  for (;;) {
    const r: ListResult<T> = await list({ filter: null, sort: null, page: { mode: 'keyset', direction: 'forward', cursor, limit: pageSize }, withTotal: false });
    if (r.items.length > 0) yield { page: r.items.map((i) => i.node), total };
    if (!r.hasMore || r.items.length === 0) return;
    cursor = r.items[r.items.length - 1]!.cursor;
  }
}

function withoutLocation(r: Json): Json {
  const { location: _location, ...meta } = r.meta as Json;
  return { ...r, meta };
}

async function userNames(deps: ExportDeps, ids: Iterable<string>): Promise<Map<string, string>> {
  const users = await deps.services.users.getMany(deps.ctx, [...new Set(ids)]);
  return new Map(users.map((u) => [u.id, u.userName]));
}

export function userLine(u: User, managerUserName: string | undefined): Json {
  const r = withoutLocation(userToScim(u, ''));
  const enterprise = r[SCHEMA.enterprise] as Json | undefined;
  if (enterprise?.manager && managerUserName !== undefined) {
    r[SCHEMA.enterprise] = { ...enterprise, manager: { ...(enterprise.manager as Json), [NAME_KEY.User]: managerUserName } };
  }
  return r;
}

export function groupLine(g: Group, members: readonly Member[], userNameOf: ReadonlyMap<string, string>): Json {
  const r = withoutLocation(groupToScim(g, ''));
  r.members = members.map((m) => {
    const { $ref: _ref, ...rendered } = memberToScim(m, '');
    const name = m.type === 'User' ? userNameOf.get(m.id) : m.display;
    return name === undefined ? rendered : { ...rendered, [NAME_KEY[m.type]]: name };
  });
  return r;
}

export async function exportUsers(deps: ExportDeps): Promise<number> {
  let done = 0;
  for await (const { page, total } of everything((q) => deps.services.users.list(deps.ctx, q), USERS_PER_PAGE)) {
    const managers = await userNames(deps, page.flatMap((u) => (u.enterprise.managerValue ? [u.enterprise.managerValue] : [])));
    let text = '';
    for (const u of page) text += `${JSON.stringify(userLine(u, u.enterprise.managerValue ? managers.get(u.enterprise.managerValue) : undefined))}\n`;
    await deps.write(text);
    done += page.length;
    deps.progress.update(done, total ? done / total : undefined);
  }
  return done;
}

/** All direct members of a group, page by page. */
async function allMembers(deps: ExportDeps, groupId: string): Promise<Member[]> {
  const out: Member[] = [];
  for (let offset = 0; ; offset += MEMBERS_PER_PAGE) {
    const page = await deps.services.groups.members(deps.ctx, groupId, { offset, limit: MEMBERS_PER_PAGE });
    out.push(...page);
    if (page.length < MEMBERS_PER_PAGE) return out;
  }
}

export async function exportGroups(deps: ExportDeps): Promise<number> {
  let done = 0;
  for await (const { page, total } of everything((q) => deps.services.groups.list(deps.ctx, q), GROUPS_PER_PAGE)) {
    for (const g of page) {
      const members = await allMembers(deps, g.id);
      const userIds = members.filter((m) => m.type === 'User').map((m) => m.id);
      const names = new Map<string, string>();
      for (let i = 0; i < userIds.length; i += MEMBERS_PER_PAGE) {
        for (const [id, name] of await userNames(deps, userIds.slice(i, i + MEMBERS_PER_PAGE))) names.set(id, name);
      }
      await deps.write(`${JSON.stringify(groupLine(g, members, names))}\n`);
      done += 1;
      deps.progress.update(done, total ? done / total : undefined);
    }
  }
  return done;
}
