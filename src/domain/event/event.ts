import type { ActorType } from '../audit/audit.js';
import type { ScimConnection } from '../connection/connection.js';
import type { Group, MemberRef } from '../group/group.js';
import type { User } from '../user/user.js';
import { emptyProfile } from '../user/user.js';

/**
 * Change events (docs/architecture.md#change-events): what changed in a tenant, written in the
 * same transaction as the change, read back in position order by the feed, webhooks and
 * subscriptions.
 */

export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.members_added',
  'group.members_removed',
  'connection.token_rotated',
  // A webhook endpoint whose deliveries failed for the whole retry period was disabled (docs/architecture.md#webhooks).
  'webhook_endpoint.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (t: unknown): t is EventType => typeof t === 'string' && (EVENT_TYPES as readonly string[]).includes(t);

export type EventResourceType = 'User' | 'Group' | 'ScimConnection' | 'WebhookEndpoint';

/** A plain JSON document: what `data` holds, the same whichever front door made the change. */
export type EventData = Readonly<Record<string, unknown>>;

export interface ChangeEvent {
  /** A time-ordered UUID, stable: the same event always has the same id (webhook-id). */
  readonly id: string;
  readonly tenantId: string;
  /**
   * Where the event stands in the feed: events compare by position as strings, and a reader that
   * has seen position p never later sees an event at or before p (docs/architecture.md#change-events).
   */
  readonly position: string;
  readonly type: EventType;
  readonly occurredAt: Date;
  readonly resourceType: EventResourceType;
  readonly resourceId: string;
  readonly actorType: ActorType;
  readonly actorId: string | null;
  readonly requestId: string | null;
  /** Names of the attributes that changed (never their values); empty when none apply. */
  readonly changedAttributes: readonly string[];
  /** The resource as the GraphQL API shows it after the change; for deletes, its id and last known names. */
  readonly data: EventData;
}

/**
 * An event as a service writes it: the database gives it its position when it commits. An event
 * about a group whose version its statement moves takes that version, less `versionsAfter`: the
 * changes written after it in the same statement (docs/architecture.md#memberships).
 */
export type NewChangeEvent = Omit<ChangeEvent, 'position'> & { readonly versionsAfter?: number };

/** Which events of a tenant a reader wants; every part narrows. */
export interface EventFilter {
  readonly types?: readonly EventType[] | null;
  readonly resourceId?: string | null;
  /** Events that occurred at or after this instant. */
  readonly since?: Date | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The user attributes the GraphQL User type shows, in its order (the enterprise extension included). */
const USER_KEYS: readonly string[] = ['id', 'tenantId', 'loginName', ...Object.keys(emptyProfile(''))];

/** A user as the GraphQL API shows it: every scalar and nested attribute, relations as ids, times in ISO 8601. */
export function userData(u: User): EventData {
  const out: Record<string, unknown> = {};
  const src = u as unknown as Record<string, unknown>;
  for (const k of USER_KEYS) out[k] = src[k];
  // Completed in place: a spread of it with new keys would outlive the young generation (src/domain/shared/objects.ts).
  out.managedBy = u.managedBy;
  out.version = u.version;
  out.createdAt = iso(u.createdAt);
  out.updatedAt = iso(u.updatedAt);
  return out;
}

export function groupData(g: Group): EventData {
  return {
    id: g.id,
    tenantId: g.tenantId,
    displayName: g.displayName,
    externalId: g.externalId,
    extensions: g.extensions,
    managedBy: g.managedBy,
    version: g.version,
    createdAt: iso(g.createdAt),
    updatedAt: iso(g.updatedAt),
  };
}

/** A group after a membership change, with the members that change added or removed (ids and types). */
export function membersData(g: Group, members: readonly MemberRef[]): EventData {
  return { ...groupData(g), members: members.map((m) => ({ id: m.id, type: m.type })) };
}

/** What is left to say about a deleted user: its id and last known names. */
export function deletedUserData(u: User): EventData {
  return { id: u.id, tenantId: u.tenantId, userName: u.userName, loginName: u.loginName, displayName: u.displayName, externalId: u.externalId };
}

export function deletedGroupData(g: Group): EventData {
  return { id: g.id, tenantId: g.tenantId, displayName: g.displayName, externalId: g.externalId };
}

/** A SCIM connection as the GraphQL API shows it; its token is never part of anything Roster shows. */
export function connectionData(c: ScimConnection): EventData {
  return {
    id: c.id,
    tenantId: c.tenantId,
    name: c.name,
    policies: c.policies,
    createdAt: iso(c.createdAt),
    rotatedAt: iso(c.rotatedAt),
    lastUsedAt: iso(c.lastUsedAt),
  };
}
