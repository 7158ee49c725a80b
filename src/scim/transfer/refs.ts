import type { Ctx } from '../../domain/context.js';
import type { MemberType } from '../../domain/group/group.js';
import type { Services } from '../../domain/services.js';
import { MAX_NAMES_PER_LOOKUP } from '../../domain/shared/resource.js';

/**
 * References between exported resources (a user's manager, a group's members) carry the
 * target's id in the source tenant and the name that identifies it in any tenant: `userName` for
 * users, `displayName` for groups (both unique per tenant, case-insensitively). Imports resolve
 * the name, so a file exported from one tenant links up in another, where ids differ.
 */
export const NAME_KEY: Readonly<Record<MemberType, 'userName' | 'displayName'>> = { User: 'userName', Group: 'displayName' };

/** Names compare case-insensitively, as userName and displayName uniqueness does. */
export const nameKey = (name: string): string => name.toLowerCase();

/** A key of a JSON object, found case-insensitively (attribute names are, RFC 7643 §2.1). */
export function keyOf(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  const k = Object.keys(o).find((key) => key.toLowerCase() === lower);
  return k === undefined ? undefined : o[k];
}

/** Ids of the resources of `type` with these names, keyed by nameKey(name); absent names are left out. */
export async function idsByName(services: Services, ctx: Ctx, type: MemberType, names: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set([...names].map(nameKey))];
  const out = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += MAX_NAMES_PER_LOOKUP) {
    const chunk = wanted.slice(i, i + MAX_NAMES_PER_LOOKUP);
    const found = type === 'User' ? await services.users.idsByUserName(ctx, chunk) : await services.groups.idsByDisplayName(ctx, chunk);
    for (const [name, id] of found) out.set(name, id);
  }
  return out;
}
