import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { Group } from '../../domain/group/group.js';
import { GROUPS } from '../tables/groups.table.js';
import type { SqlType, Table } from '../tables/table.js';
import { USERS, type StoredUser } from '../tables/users.table.js';

/**
 * The relational model (docs/architecture.md#data-model), mapped with MikroORM. These row shapes define the tables the
 * migrations create; repositories translate rows to and from the domain's plain objects.
 * Every table carries tenant_id, and every lookup index leads with it.
 */

const uuid = { type: 'uuid' } as const;
const text = { type: 'text', nullable: true } as const;
const tz = { type: 'Date', columnType: 'timestamptz' } as const;
const tzNull = { type: 'Date', columnType: 'timestamptz', nullable: true } as const;
const jsonb = { type: 'json', columnType: 'jsonb' } as const;

const PROPERTY_TYPES: Record<SqlType, { type: string; columnType?: string }> = {
  uuid: { type: 'uuid' },
  text: { type: 'text' },
  boolean: { type: 'boolean' },
  integer: { type: 'integer' },
  timestamptz: { type: 'Date', columnType: 'timestamptz' },
  jsonb: { type: 'json', columnType: 'jsonb' },
  json: { type: 'json', columnType: 'json' },
};

type Properties<R> = Required<NonNullable<EntitySchemaMetadata<R>['properties']>>;

/** The MikroORM properties of a table's plain columns (`name_given_name` → `nameGivenName`); relations are declared beside them. */
function columnProperties<R, T>(table: Table<T>, relationColumns: readonly string[]): Properties<R> {
  // The entity type names a few of these columns for its indexes; the description holds them all.
  return Object.fromEntries(
    table.columns
      .filter((c) => !relationColumns.includes(c.sql))
      .map((c) => [
        c.sql.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase()),
        {
          ...PROPERTY_TYPES[c.type],
          // The column's own name: the naming strategy would write x509Certificates as x509certificates.
          fieldName: c.sql,
          ...(c.nullable ? { nullable: true } : {}),
          ...(c.sql === 'id' ? { primary: true } : {}),
          ...(c.sqlDefault ? { defaultRaw: c.sqlDefault } : {}),
        },
      ]),
  ) as Properties<R>;
}

export interface TenantRow { id: string; name: string; createdAt: Date; updatedAt: Date }
export const TenantSchema = new EntitySchema<TenantRow>({
  name: 'TenantRow',
  tableName: 'tenants',
  properties: {
    id: { ...uuid, primary: true },
    name: { type: 'text' },
    createdAt: tz,
    updatedAt: tz,
  },
  uniques: [{ name: 'tenants_name_unique', expression: 'create unique index "tenants_name_unique" on "tenants" (lower("name"))' }],
});

export interface ScimConnectionRow {
  id: string; tenant: TenantRow; name: string; tokenHash: string; policies: unknown;
  createdAt: Date; rotatedAt: Date | null; lastUsedAt: Date | null; pausedAt: Date | null;
}
export const ScimConnectionSchema = new EntitySchema<ScimConnectionRow>({
  name: 'ScimConnectionRow',
  tableName: 'scim_connections',
  properties: {
    id: { ...uuid, primary: true },
    tenant: { kind: 'm:1', entity: () => TenantSchema, deleteRule: 'cascade', index: false },
    name: { type: 'text' },
    tokenHash: { type: 'string', length: 64, unique: 'scim_connections_token_hash_unique' },
    policies: jsonb,
    createdAt: tz,
    rotatedAt: tzNull,
    lastUsedAt: tzNull,
    pausedAt: tzNull,
  },
  uniques: [{ name: 'scim_connections_tenant_name_unique', properties: ['tenant', 'name'] }],
});

export interface ApiKeyRow {
  id: string; tenant: TenantRow | null; name: string; keyHash: string; role: string;
  createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null;
}
export const ApiKeySchema = new EntitySchema<ApiKeyRow>({
  name: 'ApiKeyRow',
  tableName: 'api_keys',
  properties: {
    id: { ...uuid, primary: true },
    tenant: { kind: 'm:1', entity: () => TenantSchema, deleteRule: 'cascade', nullable: true, index: 'api_keys_tenant_id_index' },
    name: { type: 'text' },
    keyHash: { type: 'string', length: 64, unique: 'api_keys_key_hash_unique' },
    role: { type: 'string', length: 16 },
    createdAt: tz,
    lastUsedAt: tzNull,
    revokedAt: tzNull,
  },
});

/**
 * The users entity: its plain columns come from the table description (db/tables/users.table.ts);
 * the type names only the relations and the columns the indexes below name.
 */
export interface UserRowT { id: string; tenant: TenantRow; managedBy: ScimConnectionRow | null; externalId: string | null; managerValue: string | null }
export const UserSchema = new EntitySchema<UserRowT>({
  name: 'UserRow',
  tableName: 'users',
  properties: {
    ...columnProperties<UserRowT, StoredUser>(USERS, ['tenant_id', 'managed_by']),
    tenant: { kind: 'm:1', entity: () => TenantSchema, deleteRule: 'cascade', index: false },
    managedBy: { kind: 'm:1', entity: () => ScimConnectionSchema, deleteRule: 'set null', nullable: true, fieldName: 'managed_by', index: false },
  },
  uniques: [
    // userName is unique per tenant case-insensitively, so a filter match and a 409 never disagree.
    { name: 'users_tenant_user_name_unique', expression: 'create unique index "users_tenant_user_name_unique" on "users" ("tenant_id", lower("user_name"))' },
    { name: 'users_tenant_login_name_unique', expression: 'create unique index "users_tenant_login_name_unique" on "users" ("tenant_id", lower("login_name"))' },
  ],
  indexes: [
    // With the columns a connection's view filters on: offset pages skip users by the index alone (docs/architecture.md#offset-pages).
    {
      name: 'users_tenant_id_id_index',
      expression: 'create index "users_tenant_id_id_index" on "users" ("tenant_id", "id") include ("managed_by", "deprovisioned_at")',
    },
    // Ending with the id, a list's default order: a lookup by externalId needs no sort (docs/architecture.md#statements-per-request).
    { name: 'users_tenant_external_id_index', properties: ['tenant', 'externalId', 'id'] },
    { name: 'users_tenant_manager_value_index', properties: ['tenant', 'managerValue'] },
    { name: 'users_managed_by_index', properties: ['managedBy'] },
  ],
});

/** One value of a multi-valued attribute (emails, phoneNumbers, roles, ...), in the order sent. */
export interface UserValueRow {
  id: number; tenant: TenantRow; user: UserRowT; attribute: string; position: number;
  value: string; type: string | null; primary: boolean | null; display: string | null;
}
export const UserValueSchema = new EntitySchema<UserValueRow>({
  name: 'UserValueRow',
  tableName: 'user_values',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    tenant: { kind: 'm:1', entity: () => TenantSchema, index: false, createForeignKeyConstraint: false }, // docs/architecture.md#tenant-keys
    user: { kind: 'm:1', entity: () => UserSchema, deleteRule: 'cascade', index: 'user_values_user_id_index' },
    attribute: { type: 'string', length: 32 },
    position: { type: 'smallint' },
    value: { type: 'text' },
    type: text,
    // Null when the client did not send it: primary false and absent are returned differently (RFC 7643 §2.4).
    primary: { type: 'boolean', nullable: true },
    display: text,
  },
  indexes: [
    // Entra matches users by email: emails[type eq "work"].value eq "..." (case-insensitive).
    { name: 'user_values_tenant_attribute_value_index', expression: 'create index "user_values_tenant_attribute_value_index" on "user_values" ("tenant_id", "attribute", lower("value"))' },
  ],
});

export interface UserAddressRow {
  id: number; tenant: TenantRow; user: UserRowT; position: number; type: string | null; primary: boolean | null;
  formatted: string | null; streetAddress: string | null; locality: string | null; region: string | null;
  postalCode: string | null; country: string | null;
}
export const UserAddressSchema = new EntitySchema<UserAddressRow>({
  name: 'UserAddressRow',
  tableName: 'user_addresses',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    tenant: { kind: 'm:1', entity: () => TenantSchema, index: false, createForeignKeyConstraint: false }, // docs/architecture.md#tenant-keys
    user: { kind: 'm:1', entity: () => UserSchema, deleteRule: 'cascade', index: 'user_addresses_user_id_index' },
    position: { type: 'smallint' },
    type: text,
    primary: { type: 'boolean', nullable: true },
    formatted: text,
    streetAddress: text,
    locality: text,
    region: text,
    postalCode: text,
    country: text,
  },
});

/** The groups entity: its plain columns come from db/tables/groups.table.ts, as for users. */
export interface GroupRowT { id: string; tenant: TenantRow; managedBy: ScimConnectionRow | null; externalId: string | null }
export const GroupSchema = new EntitySchema<GroupRowT>({
  name: 'GroupRow',
  tableName: 'groups',
  properties: {
    ...columnProperties<GroupRowT, Group>(GROUPS, ['tenant_id', 'managed_by']),
    tenant: { kind: 'm:1', entity: () => TenantSchema, deleteRule: 'cascade', index: false },
    managedBy: { kind: 'm:1', entity: () => ScimConnectionSchema, deleteRule: 'set null', nullable: true, fieldName: 'managed_by', index: 'groups_managed_by_index' },
  },
  uniques: [
    // Entra matches groups by displayName, case-insensitively.
    { name: 'groups_tenant_display_name_unique', expression: 'create unique index "groups_tenant_display_name_unique" on "groups" ("tenant_id", lower("display_name"))' },
  ],
  indexes: [
    { name: 'groups_tenant_id_id_index', properties: ['tenant', 'id'] },
    { name: 'groups_tenant_external_id_index', properties: ['tenant', 'externalId'] },
  ],
});

/**
 * A group membership: one row per (group, member), the member being a user or a group.
 * Foreign keys cascade, so deleting a user or group removes its memberships.
 */
export interface MembershipRow {
  id: number; tenant: TenantRow; group: GroupRowT; memberUser: UserRowT | null; memberGroup: GroupRowT | null; createdAt: Date;
}
export const MembershipSchema = new EntitySchema<MembershipRow>({
  name: 'MembershipRow',
  tableName: 'memberships',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    tenant: { kind: 'm:1', entity: () => TenantSchema, index: false, createForeignKeyConstraint: false }, // docs/architecture.md#tenant-keys
    group: { kind: 'm:1', entity: () => GroupSchema, deleteRule: 'cascade', index: false },
    memberUser: { kind: 'm:1', entity: () => UserSchema, deleteRule: 'cascade', nullable: true, index: false },
    memberGroup: { kind: 'm:1', entity: () => GroupSchema, deleteRule: 'cascade', nullable: true, index: false },
    createdAt: tz,
  },
  uniques: [
    { name: 'memberships_group_user_unique', properties: ['tenant', 'group', 'memberUser'] },
    { name: 'memberships_group_group_unique', properties: ['tenant', 'group', 'memberGroup'] },
  ],
  indexes: [
    { name: 'memberships_tenant_member_user_index', properties: ['tenant', 'memberUser'] },
    { name: 'memberships_tenant_member_group_index', properties: ['tenant', 'memberGroup'] },
    // "Groups that have member X" (SCIM members[value eq "X"]) compares this expression.
    { name: 'memberships_tenant_member_index', expression: 'create index "memberships_tenant_member_index" on "memberships" ("tenant_id", coalesce("member_user_id", "member_group_id"))' },
  ],
  checks: [{ name: 'memberships_one_member_check', expression: 'num_nonnulls(member_user_id, member_group_id) = 1' }],
});

export interface AuditEventRow {
  id: string; tenant: TenantRow; occurredAt: Date; actorType: string; actorId: string | null; action: string;
  resourceType: string; resourceId: string; changes: unknown; requestId: string | null; outcome: string;
  errorCode: string | null; errorDetail: string | null; userName: string | null;
}
export const AuditEventSchema = new EntitySchema<AuditEventRow>({
  name: 'AuditEventRow',
  tableName: 'audit_events',
  properties: {
    id: { ...uuid, primary: true },
    tenant: { kind: 'm:1', entity: () => TenantSchema, index: false, createForeignKeyConstraint: false }, // docs/architecture.md#tenant-keys
    occurredAt: tz,
    actorType: { type: 'string', length: 16 },
    actorId: { ...uuid, nullable: true },
    action: { type: 'string', length: 64 },
    resourceType: { type: 'string', length: 32 },
    resourceId: uuid,
    changes: jsonb,
    requestId: { type: 'string', length: 128, nullable: true },
    outcome: { type: 'string', length: 16 },
    errorCode: { type: 'string', length: 32, nullable: true },
    errorDetail: text,
    userName: text,
  },
  indexes: [
    { name: 'audit_events_tenant_id_index', properties: ['tenant', 'id'] },
    // The provisioning log's "what failed": few rows among many.
    { name: 'audit_events_tenant_failure_index', expression: `create index "audit_events_tenant_failure_index" on "audit_events" ("tenant_id", "id") where "outcome" = 'failure'` },
    { name: 'audit_events_tenant_resource_index', properties: ['tenant', 'resourceId'] },
    { name: 'audit_events_tenant_actor_index', properties: ['tenant', 'actorId'] },
  ],
});

/** A URL change events are POSTed to (docs/architecture.md#webhooks); its secret signs them. */
export interface WebhookEndpointRow {
  id: string; tenant: TenantRow; url: string; events: unknown; description: string | null; secret: string;
  enabled: boolean; disabledReason: string | null; secretRotatedAt: Date | null; previousSecret: string | null;
  previousSecretExpiresAt: Date | null; createdAt: Date; updatedAt: Date;
}
export const WebhookEndpointSchema = new EntitySchema<WebhookEndpointRow>({
  name: 'WebhookEndpointRow',
  tableName: 'webhook_endpoints',
  properties: {
    id: { ...uuid, primary: true },
    tenant: { kind: 'm:1', entity: () => TenantSchema, deleteRule: 'cascade', index: false },
    url: { type: 'text' },
    events: jsonb,
    description: text,
    // Kept as it is: Roster must sign with it (docs/operations.md#webhooks says who may read it).
    secret: { type: 'text' },
    enabled: { type: 'boolean' },
    disabledReason: { type: 'string', length: 16, nullable: true },
    secretRotatedAt: tzNull,
    // The secret the last rotation replaced, signing beside the new one until its overlap ends.
    previousSecret: text,
    previousSecretExpiresAt: tzNull,
    createdAt: tz,
    updatedAt: tz,
  },
  indexes: [{ name: 'webhook_endpoints_tenant_id_index', properties: ['tenant', 'id'] }],
});

/**
 * One event on its way to one endpoint: the delivery queue. `seq` orders an endpoint's deliveries
 * as the feed orders their events; the head of each endpoint's pending deliveries is the only one
 * that may be attempted, under a lease (docs/architecture.md#webhooks).
 */
export interface WebhookDeliveryRow {
  id: string; seq: number; tenant: TenantRow; endpoint: WebhookEndpointRow; eventId: string; eventType: string; payload: unknown;
  redeliveryOf: string | null; status: string; attempts: number; firstAttemptAt: Date | null; lastAttemptAt: Date | null;
  lastStatusCode: number | null; lastError: string | null; nextAttemptAt: Date | null; deliveredAt: Date | null;
  leaseToken: string | null; leaseUntil: Date | null; createdAt: Date;
}
export const WebhookDeliverySchema = new EntitySchema<WebhookDeliveryRow>({
  name: 'WebhookDeliveryRow',
  tableName: 'webhook_deliveries',
  properties: {
    id: { ...uuid, primary: true },
    seq: { type: 'bigint', autoincrement: true, unique: 'webhook_deliveries_seq_unique' },
    tenant: { kind: 'm:1', entity: () => TenantSchema, deleteRule: 'cascade', index: false },
    endpoint: { kind: 'm:1', entity: () => WebhookEndpointSchema, deleteRule: 'cascade', index: false },
    eventId: uuid,
    eventType: { type: 'string', length: 64 },
    payload: jsonb,
    redeliveryOf: { ...uuid, nullable: true },
    status: { type: 'string', length: 16 },
    attempts: { type: 'integer' },
    firstAttemptAt: tzNull,
    lastAttemptAt: tzNull,
    lastStatusCode: { type: 'integer', nullable: true },
    lastError: text,
    nextAttemptAt: tzNull,
    deliveredAt: tzNull,
    leaseToken: { ...uuid, nullable: true },
    leaseUntil: tzNull,
    createdAt: tz,
  },
  indexes: [
    { name: 'webhook_deliveries_tenant_endpoint_id_index', properties: ['tenant', 'endpoint', 'id'] },
    // The head of each endpoint's queue: its pending delivery with the lowest seq.
    { name: 'webhook_deliveries_pending_index', expression: `create index "webhook_deliveries_pending_index" on "webhook_deliveries" ("endpoint_id", "seq") where "status" = 'pending'` },
    // Pruning: deliveries no longer pending, by when they last moved (docs/operations.md#event-retention).
    { name: 'webhook_deliveries_settled_index', expression: `create index "webhook_deliveries_settled_index" on "webhook_deliveries" (coalesce("delivered_at", "last_attempt_at", "created_at")) where "status" <> 'pending'` },
  ],
  uniques: [
    // An event reaches an endpoint once by fan-out; redeliveries are rows of their own.
    { name: 'webhook_deliveries_endpoint_event_unique', expression: `create unique index "webhook_deliveries_endpoint_event_unique" on "webhook_deliveries" ("endpoint_id", "event_id") where "redelivery_of" is null` },
  ],
});

/** The change events outbox (docs/architecture.md#change-events); `xid` is the writing transaction's id. */
export interface ChangeEventRow {
  seq: string; xid: string; id: string; tenant: TenantRow; type: string; occurredAt: Date; resourceType: string; resourceId: string;
  actorType: string; actorId: string | null; requestId: string | null; changedAttributes: unknown; data: unknown;
}
export const ChangeEventSchema = new EntitySchema<ChangeEventRow>({
  name: 'ChangeEventRow',
  tableName: 'change_events',
  properties: {
    seq: { type: 'bigint', primary: true, autoincrement: true },
    xid: { type: 'string', columnType: 'xid8', defaultRaw: 'pg_current_xact_id()' },
    id: uuid,
    tenant: { kind: 'm:1', entity: () => TenantSchema, index: false, createForeignKeyConstraint: false }, // docs/architecture.md#tenant-keys
    type: { type: 'string', length: 64 },
    occurredAt: { ...tz, index: 'change_events_occurred_at_index' },
    resourceType: { type: 'string', length: 32 },
    resourceId: uuid,
    actorType: { type: 'string', length: 16 },
    actorId: { ...uuid, nullable: true },
    requestId: { type: 'string', length: 128, nullable: true },
    changedAttributes: jsonb,
    data: jsonb,
  },
  indexes: [
    { name: 'change_events_tenant_position_index', properties: ['tenant', 'xid', 'seq'] },
    { name: 'change_events_tenant_resource_index', properties: ['tenant', 'resourceId', 'xid', 'seq'] },
    { name: 'change_events_position_index', properties: ['xid', 'seq'] },
  ],
});

/** How far fan-out has moved change events into the delivery queue: one row, named `events`. */
export interface WebhookFanOutRow { name: string; position: string }
export const WebhookFanOutSchema = new EntitySchema<WebhookFanOutRow>({
  name: 'WebhookFanOutRow',
  tableName: 'webhook_fan_out',
  properties: {
    name: { type: 'string', length: 32, primary: true },
    position: { type: 'text' },
  },
});

export const ALL_SCHEMAS = [
  TenantSchema,
  ScimConnectionSchema,
  ApiKeySchema,
  UserSchema,
  UserValueSchema,
  UserAddressSchema,
  GroupSchema,
  MembershipSchema,
  AuditEventSchema,
  WebhookEndpointSchema,
  WebhookDeliverySchema,
  ChangeEventSchema,
  WebhookFanOutSchema,
];
