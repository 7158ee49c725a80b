import type { Ctx } from '../../domain/context.js';
import { isDomainError } from '../../domain/errors.js';
import type { MemberType } from '../../domain/group/group.js';
import type { ListQuery } from '../../domain/ports.js';
import type { Services } from '../../domain/services.js';
import { f } from '../../domain/shared/filter.js';

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

/**
 * Ids of the resources of `type` with these names, keyed by nameKey(name); absent names are left
 * out. One filter (`name eq a or name eq b ...`) per `perQuery` names, the filter budget's number
 * of terms (docs/architecture.md#limits).
 */
export async function idsByName(services: Services, ctx: Ctx, type: MemberType, names: Iterable<string>, perQuery: number): Promise<Map<string, string>> {
  const field = NAME_KEY[type];
  const out = new Map<string, string>();
  const find = async (chunk: readonly string[]): Promise<void> => {
    const q: ListQuery = { filter: f.or(...chunk.map((n) => f.eq(field, n))), sort: null, page: { mode: 'offset', offset: 0, limit: chunk.length }, withTotal: false };
    if (type === 'User') for (const { node } of (await services.users.list(ctx, q)).items) out.set(nameKey(node.userName), node.id);
    else for (const { node } of (await services.groups.list(ctx, q)).items) out.set(nameKey(node.displayName), node.id);
  };
  const wanted = [...new Set([...names].map(nameKey))];
  for (let i = 0; i < wanted.length; i += perQuery) {
    const chunk = wanted.slice(i, i + perQuery);
    try {
      await find(chunk);
    } catch (e) {
      if (!isDomainError(e) || e.code === 'UNAVAILABLE') throw e;
      // A name the domain refuses to search for (a character or a length no stored name has)
      // names nothing: look the others up one by one and leave it out.
      for (const name of chunk) await find([name]).catch((e1: unknown) => {
        if (!isDomainError(e1) || e1.code === 'UNAVAILABLE') throw e1;
      });
    }
  }
  return out;
}
