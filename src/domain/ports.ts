import type { ApiKey } from './apikey/apikey.js';
import type { AuditEvent, AuditQuery } from './audit/audit.js';
import type { ScimConnection } from './connection/connection.js';
import type { ChangeEvent, EventFilter, NewChangeEvent } from './event/event.js';
import type { Group, Member, MemberRef } from './group/group.js';
import type { Filter } from './shared/filter.js';
import type { Tenant } from './tenant/tenant.js';
import type { GroupRef, User } from './user/user.js';
import type { WebhookDeliveryRepository, WebhookEndpointRepository } from './webhook/webhook.ports.js';

/**
 * The storage ports the domain needs. `db/` implements them; nothing else does.
 * Every method takes the tenant first: no lookup can forget it.
 */

export interface SortSpec {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

/** Offset paging (SCIM startIndex/count) or keyset paging (GraphQL cursors). */
export type PageSpec =
  | { readonly mode: 'offset'; readonly offset: number; readonly limit: number }
  | { readonly mode: 'keyset'; readonly direction: 'forward' | 'backward'; readonly cursor: string | null; readonly limit: number };

/**
 * Whose view a read takes (docs/architecture.md#provisioning-policies): null, the whole tenant (admin
 * tools); a connection id, what that SCIM connection sees: what it manages and what no connection
 * manages, never what another connection manages nor the users it deprovisioned. Services set it
 * from the caller; front doors never do.
 */
export type VisibleTo = string | null;

/**
 * What a write returns when that is known only once the write was sent: a write that waits to go
 * out with the unit of work's last writes is sent when the unit ends, so its value is read after
 * `Store.write` returned, never awaited inside it (docs/architecture.md#transactions).
 */
export interface Later<T> {
  readonly sent: boolean;
  /** The value; throws when read before the write was sent. */
  get(): T;
}

export interface ReadOptions {
  readonly forUpdate?: boolean;
  readonly visibleTo?: VisibleTo;
  /** Users only: read each user's direct groups (those `visibleTo` sees) in the same statement. */
  readonly withGroups?: boolean;
}

export interface ListQuery {
  readonly filter: Filter | null;
  readonly sort: SortSpec | null;
  readonly page: PageSpec;
  /** Whether to count all matches (costs a second statement). */
  readonly withTotal: boolean;
  /** Set by the service: lists, counts and pages only what this caller sees. */
  readonly visibleTo?: VisibleTo;
  /** Users only: read each user's direct groups (those `visibleTo` sees) in the same statement. */
  readonly withGroups?: boolean;
}

export interface ListResult<T> {
  readonly items: readonly { readonly node: T; readonly cursor: string }[];
  readonly total: number | null;
  /** Whether more items lie beyond the page in its direction. */
  readonly hasMore: boolean;
}

export interface UserRepository {
  get(tenantId: string, id: string, opts?: ReadOptions): Promise<User | null>;
  getMany(tenantId: string, ids: readonly string[]): Promise<User[]>;
  /**
   * For each value, at its position, the users `get` (by id) or a list filtered by an `eq` on the
   * field would find, at most two (more than one says a list must be read for it: externalId is not
   * unique); all in one statement (docs/architecture.md#statements-per-request).
   */
  findEach(tenantId: string, by: 'id' | 'userName' | 'externalId', values: readonly string[], opts?: Omit<ReadOptions, 'forUpdate'>): Promise<User[][]>;
  list(tenantId: string, q: ListQuery): Promise<ListResult<User>>;
  /** Users whose userName equals (case-insensitively) or whose emails hold any of the given values. */
  findCandidates(tenantId: string, by: { userName?: string; emails?: readonly string[]; primaryOnly?: boolean }): Promise<User[]>;
  /** Ids of the users with these userNames (compared case-insensitively), keyed by the name as given. */
  idsByUserName(tenantId: string, userNames: readonly string[]): Promise<Map<string, string>>;
  /**
   * What a create reads before it writes, in one statement: the users whose userName equals
   * `userName` case-insensitively (none when it is not given), and which of `loginNames` are
   * taken, lower-cased, as login names compare case-insensitively
   * (docs/architecture.md#statements-per-request).
   */
  createLookups(tenantId: string, q: { readonly userName?: string; readonly loginNames: readonly string[] }): Promise<{ sameUserName: User[]; takenLoginNames: Set<string> }>;
  /**
   * Throws ConflictError when userName or loginName is taken in the tenant.
   */
  insert(user: User): Promise<void>;
  /**
   * Inserts new users in one statement. When any of their userNames or login names is taken, or
   * two of them share one, none of them lands: the statement it is sent in fails as a whole
   * (StaleWriteError), so that the caller can find out what holds the name
   * (docs/architecture.md#optimistic-writes).
   */
  insertAll(users: readonly User[]): Promise<void>;
  /**
   * Writes the new state. Throws ConflictError on uniqueness. Given the state it replaces, only the
   * multi-valued attributes that differ from it are rewritten, and the write lands only if the row
   * still holds that state (its version and owner): else the unit of work fails with
   * StaleWriteError, with nothing of it written (docs/architecture.md#optimistic-writes). Without
   * it, the caller has locked the row.
   */
  update(user: User, previous?: User): Promise<void>;
  /**
   * Writes the new states of many users in one statement, each guarded by the state it replaces as
   * `update` is, for changes that leave every multi-valued attribute as it was: when any of the
   * rows no longer holds its state, or a new state takes a name another user holds, none lands
   * (StaleWriteError, ConflictError). No other write of the unit of work may change these users:
   * the users of an `insertAll` of the same unit are written in the same statement. A change that
   * names `groups` gets the user's direct groups that reader sees, as they are when the write lands
   * (by user id, once the unit of work ended): a change planned from a remembered state has none
   * (docs/architecture.md#remembered-users).
   */
  updateAll(changes: readonly { readonly next: User; readonly previous: User; readonly groups?: { readonly visibleTo: VisibleTo } }[]): Promise<Later<ReadonlyMap<string, GroupRef[]>>>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** What a write of a group expects it still to be: managed by `managedBy`, and at `version` when given. */
export interface VersionGuard {
  readonly managedBy: string | null;
  readonly version: number | null;
}

export interface GroupRepository {
  get(tenantId: string, id: string, opts?: ReadOptions): Promise<Group | null>;
  getMany(tenantId: string, ids: readonly string[]): Promise<Group[]>;
  list(tenantId: string, q: ListQuery): Promise<ListResult<Group>>;
  /** Ids of the groups with these displayNames (compared case-insensitively), keyed by the name as given. */
  idsByDisplayName(tenantId: string, displayNames: readonly string[]): Promise<Map<string, string>>;
  insert(group: Group): Promise<void>;
  update(group: Group): Promise<void>;
  /**
   * Moves the group one version on, in one statement, if it is still managed by `managedBy` (and
   * at `version` when given); returns the group as it then is, or null when it is not.
   */
  bumpVersion(tenantId: string, id: string, expect: VersionGuard, at: Date): Promise<Group | null>;
  /**
   * Moves the group `by` versions on (one per change the unit writes of it) with the unit of work's
   * last writes, in the statement that carries them, or fails that statement (StaleWriteError,
   * nothing of it lands) when the group is gone or no longer managed by `managedBy` (or not at
   * `version` when given). The version it reaches is known once sent; the unit's change events
   * about the group carry it, less their `versionsAfter` (docs/architecture.md#memberships).
   */
  moveVersion(tenantId: string, id: string, expect: VersionGuard, at: Date, by?: number): Promise<Later<number>>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** A member named in a membership change that exists, and whether it is in the group already. */
export interface PlannedMember extends MemberRef {
  readonly member: boolean;
}

/**
 * Memberships as one caller sees them: a member or group outside `visibleTo`'s view is neither
 * listed, nor found, nor changed (what a connection cannot see, it cannot touch).
 */
export interface MembershipRepository {
  /** Which of these refs exist in the tenant (and are visible). */
  existing(tenantId: string, refs: readonly MemberRef[], visibleTo?: VisibleTo): Promise<MemberRef[]>;
  /**
   * What a membership change is planned from, in one read: the group (null when absent or not
   * visible), and which of `refs` exist and are visible, each with whether it is a member of the
   * group already.
   */
  plan(tenantId: string, groupId: string, refs: readonly MemberRef[], visibleTo?: VisibleTo): Promise<{ group: Group | null; found: PlannedMember[] }>;
  /**
   * Adds (`add`) or removes (`remove`) exactly these members, as planned, with the unit's last
   * writes: the statement that carries them fails (StaleWriteError) when any one was added or
   * removed by another write since the plan was read.
   */
  changeExactly(tenantId: string, groupId: string, change: 'add' | 'remove', refs: readonly MemberRef[]): Promise<void>;
  /** Adds members, ignoring present ones; returns the refs actually added. O(k). */
  add(tenantId: string, groupId: string, refs: readonly MemberRef[]): Promise<MemberRef[]>;
  /** Removes (visible) members; returns the refs actually removed. O(k). */
  remove(tenantId: string, groupId: string, memberIds: readonly string[], visibleTo?: VisibleTo): Promise<MemberRef[]>;
  /** Removes every (visible) member not in `keep`; returns the refs removed. */
  removeAllExcept(tenantId: string, groupId: string, keep: readonly string[], visibleTo?: VisibleTo): Promise<MemberRef[]>;
  members(tenantId: string, groupId: string, page: { offset: number; limit: number }, visibleTo?: VisibleTo): Promise<Member[]>;
  /** First `limit` (visible) members of each group, for DataLoaders. */
  membersOfGroups(tenantId: string, groupIds: readonly string[], limit: number, visibleTo?: VisibleTo): Promise<Map<string, Member[]>>;
  countMembers(tenantId: string, groupIds: readonly string[]): Promise<Map<string, number>>;
  /** (Visible) groups each user (or group) belongs to; transitive follows group nesting, cycle-safe. */
  groupsOf(tenantId: string, memberIds: readonly string[], transitive: boolean, visibleTo?: VisibleTo): Promise<Map<string, Group[]>>;
  /** Whether `groupId` is reachable from `memberGroupId` by following nesting (would close a cycle). */
  reaches(tenantId: string, fromGroupId: string, toGroupId: string): Promise<boolean>;
  /**
   * Holds, until the unit of work ends, the tenant's lock on nesting groups in groups: taken before
   * `reaches` is asked, so that two units nesting groups of one tenant check and write one after
   * the other, and never each miss the nesting the other is writing.
   */
  lockNesting(tenantId: string): Promise<void>;
}

/** What a bare id names, and in which tenant (see TenantRepository.locate). */
export interface Located {
  readonly type: 'Tenant' | 'User' | 'Group' | 'ScimConnection';
  readonly tenantId: string;
}

export interface TenantRepository {
  get(id: string): Promise<Tenant | null>;
  /** Which tenant holds the tenant, user, group or SCIM connection with this id (ids are unique across tables). */
  locate(id: string): Promise<Located | null>;
  list(): Promise<Tenant[]>;
  insert(t: Tenant): Promise<void>;
  update(t: Tenant): Promise<void>;
  delete(id: string): Promise<boolean>;
  /**
   * Whether the tenant is there, holding it until the unit of work ends as a write of a row that
   * refers to it would: a delete of the tenant waits for the unit, and a unit that comes after the
   * delete finds it gone.
   */
  hold(id: string): Promise<boolean>;
}

export interface ConnectionRepository {
  get(tenantId: string, id: string): Promise<ScimConnection | null>;
  /** The tenant's connections, or null when there is no such tenant. */
  list(tenantId: string): Promise<ScimConnection[] | null>;
  findByTokenHash(tokenHash: string): Promise<(ScimConnection & { tokenHash: string }) | null>;
  insert(c: ScimConnection, tokenHash: string): Promise<void>;
  update(c: ScimConnection): Promise<void>;
  setToken(tenantId: string, id: string, tokenHash: string, at: Date): Promise<boolean>;
  /** Pauses (a time) or resumes (null) the connection; false when there is none. */
  setPaused(tenantId: string, id: string, at: Date | null): Promise<boolean>;
  touch(id: string, at: Date): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface ApiKeyRepository {
  get(id: string): Promise<ApiKey | null>;
  list(tenantId: string | null): Promise<ApiKey[]>;
  findByHash(keyHash: string): Promise<(ApiKey & { keyHash: string }) | null>;
  /** Inserts; when a key with the same hash exists, does nothing and returns false. */
  insert(k: ApiKey, keyHash: string): Promise<boolean>;
  revoke(id: string, at: Date): Promise<boolean>;
  touch(id: string, at: Date): Promise<void>;
}

export interface AuditPage {
  readonly cursor: string | null;
  readonly limit: number;
  readonly direction?: 'forward' | 'backward';
  readonly withTotal?: boolean;
}

export interface AuditRepository {
  append(e: AuditEvent): Promise<void>;
  /** Newest first; `backward` pages towards newer events from the cursor; `withTotal` counts every match. */
  list(tenantId: string, q: AuditQuery, page: AuditPage): Promise<ListResult<AuditEvent>>;
}

/**
 * The change events outbox (docs/architecture.md#change-events). Positions are opaque strings that
 * order events; readers only ever see events whose position no later commit can precede, so a
 * reader following positions never skips one.
 */
export interface EventRepository {
  /** Writes an event in the caller's transaction; it becomes readable when that transaction commits. */
  append(e: NewChangeEvent): Promise<void>;
  /**
   * A tenant's events in position order: forward after `after` (or from the oldest), or backward,
   * the `limit` latest before `before` (or the newest). Item cursors are positions.
   */
  list(
    tenantId: string,
    filter: EventFilter,
    page: { readonly direction: 'forward' | 'backward'; readonly after: string | null; readonly before: string | null; readonly limit: number },
  ): Promise<ListResult<ChangeEvent>>;
  /** Every tenant's events after `after` (or from the oldest), in position order: for dispatchers. */
  listAfter(after: string | null, limit: number): Promise<ChangeEvent[]>;
  /**
   * The positions of every tenant's next `limit` events after `after`, as `listAfter`, each with
   * the whole event only when its tenant has an enabled webhook endpoint: fan-out reads no
   * document it would not send (docs/architecture.md#webhooks).
   */
  listForFanOut(after: string | null, limit: number): Promise<Array<{ readonly position: string; readonly event: ChangeEvent | null }>>;
  /** Deletes at most `limit` events that occurred before `before`; returns how many went. */
  prune(before: Date, limit: number): Promise<number>;
}

/**
 * Tells readers of the outbox when a tenant's events may have committed, in whichever process
 * wrote them (docs/architecture.md#subscriptions). A wake-up may be spurious or late, never the
 * only way to find an event: readers read the outbox itself.
 */
export interface EventWakeups {
  /** Calls `wake` whenever events of the tenant may be readable; returns what stops it. */
  watch(tenantId: string, wake: () => void): () => void;
}

export interface Repositories {
  readonly tenants: TenantRepository;
  readonly users: UserRepository;
  readonly groups: GroupRepository;
  readonly memberships: MembershipRepository;
  readonly connections: ConnectionRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly audit: AuditRepository;
  readonly webhookEndpoints: WebhookEndpointRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly events: EventRepository;
}


/** A unit of work: reads run on a fresh scope, writes in one transaction. */
export interface Store {
  read<T>(fn: (r: Repositories) => Promise<T>): Promise<T>;
  write<T>(fn: (r: Repositories) => Promise<T>, o?: WriteUnitOptions): Promise<T>;
}

export interface WriteUnitOptions {
  /**
   * Hears, at most once, that the unit's last statement has gone to the database and its answer
   * is awaited: the process may do other work meanwhile (docs/architecture.md#answers-while-the-next-write-is-on-its-way).
   * A unit that fails before then does not call it.
   */
  readonly sent?: () => void;
  /**
   * Units given the same key while one of them is in progress share its connection, and each is
   * sent there without waiting for the one before it to end: PostgreSQL runs them one after the
   * other, in the order they were sent, each still a transaction of its own
   * (docs/architecture.md#pipelined-writes).
   */
  readonly pipeline?: string;
}
