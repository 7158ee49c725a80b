import type { MemberInput } from '../../domain/group/group.service.js';
import type { Group, GroupProfile, Member, MemberType } from '../../domain/group/group.js';
import { GROUP_TYPE, SCHEMA } from '../registry/attribute.registry.js';
import { invalidValue } from '../scim.errors.js';
import { metaOf } from '../resource/resource.meta.js';
import { isObject, unknownExtensionKeys, type Json } from '../resource/resource.normalise.js';

/** Group ⇄ SCIM Group (RFC 7643 §4.2). Members are direct members only (nested groups are not expanded). */

export function memberToScim(m: Member, baseUrl: string): Json {
  return { value: m.id, $ref: `${baseUrl}/${m.type}s/${m.id}`, display: m.display, type: m.type };
}

/** `members` is included only when given: `excludedAttributes=members` drops the key (docs/entra.md#tolerance-rules). */
export function groupToScim(g: Group, baseUrl: string, members?: readonly Member[]): Json {
  const extensionKeys = Object.keys(g.extensions);
  const out: Json = {
    schemas: [SCHEMA.group, ...extensionKeys],
    id: g.id,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
    displayName: g.displayName,
  };
  if (members) out.members = members.map((m) => memberToScim(m, baseUrl));
  for (const k of extensionKeys) out[k] = g.extensions[k];
  out.meta = metaOf('Group', g, baseUrl);
  return out;
}

export function groupProfileFromScim(r: Json): GroupProfile {
  return {
    displayName: (typeof r.displayName === 'string' ? r.displayName : null) as string,
    externalId: typeof r.externalId === 'string' ? r.externalId : null,
    extensions: Object.fromEntries(unknownExtensionKeys(GROUP_TYPE, r).map((k) => [k, r[k]])),
  };
}

/** Member references from canonical `members` values: `{"value": id, "type"?: "User" | "Group"}`. */
export function memberInputs(values: unknown, path = 'members'): MemberInput[] {
  const items = Array.isArray(values) ? values : [];
  return items.map((m, i) => {
    if (!isObject(m) || typeof m.value !== 'string') throw invalidValue(`"${path}[${i}].value" must be the id of a user or group`);
    const t = typeof m.type === 'string' ? m.type.toLowerCase() : null;
    const type: MemberType | null = t === 'user' ? 'User' : t === 'group' ? 'Group' : null;
    return { id: m.value, type };
  });
}
