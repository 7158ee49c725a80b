import 'reflect-metadata';
import { isAbstractType, isObjectType, lexicographicSortSchema, printSchema, type GraphQLFieldResolver, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import { buildSchemaSync, type PubSub } from 'type-graphql';
import { ApiKeyResolver } from './apikey/apikey.resolver.js';
import type { GraphQLContext } from './context.js';
import { ScimConnectionResolver } from './connection/connection.resolver.js';
import { EventSubscriptionResolver, TenantEventsResolver } from './event/event.resolver.js';
import { GroupMemberConnectionResolver, GroupMemberEdgeResolver, GroupResolver } from './group/group.resolver.js';
import { memberTypeName } from './group/group.type.js';
import { NodeResolver } from './node/node.resolver.js';
import { ROOT } from './shared/docs.js';
import { nodeTypeName } from './shared/relay.js';
import { TenantResolver } from './tenant/tenant.resolver.js';
import { EnterpriseUserResolver, UserResolver } from './user/user.resolver.js';
import { ViewerResolver } from './viewer/viewer.resolver.js';
import { TenantWebhooksResolver, WebhookEndpointResolver } from './webhook/webhook.resolver.js';

export const RESOLVERS = [
  ViewerResolver,
  NodeResolver,
  TenantResolver,
  UserResolver,
  EnterpriseUserResolver,
  GroupResolver,
  GroupMemberEdgeResolver,
  GroupMemberConnectionResolver,
  ScimConnectionResolver,
  ApiKeyResolver,
  TenantWebhooksResolver,
  WebhookEndpointResolver,
  TenantEventsResolver,
  EventSubscriptionResolver,
] as const;

/**
 * type-graphql insists on a PubSub once a schema has a subscription, even when every subscription
 * brings its own `subscribe`. Roster's come from the outbox (docs/architecture.md#subscriptions):
 * nothing publishes in memory, so a process never misses what another one wrote.
 */
const NO_PUBSUB: PubSub = {
  publish: () => {
    throw new Error('change events are published through the outbox, not in memory');
  },
  subscribe: () => {
    throw new Error('subscriptions read the outbox, not an in-memory topic');
  },
};

/**
 * Fields resolved once per row of a page whose arguments are all scalars, resolved by calling their
 * resolver method directly. type-graphql passes every argument through an asynchronous step, even
 * with validation off, so through it such a field always answers with a promise, and graphql-js
 * completes each row holding it through promises (docs/architecture.md#graphql-execution-cost).
 */
const userResolver = new UserResolver();
const groupResolver = new GroupResolver();
const PER_ROW_FIELDS: readonly { type: string; field: string; resolve: GraphQLFieldResolver<never, GraphQLContext, { transitive: boolean }> }[] = [
  { type: 'User', field: 'groups', resolve: (user, args, c) => userResolver.groups(user, args.transitive, c) },
  { type: 'Group', field: 'groups', resolve: (group, args, c) => groupResolver.groups(group, args.transitive, c) },
];

/**
 * The type of each value of an abstract type, told synchronously. type-graphql wraps a given
 * `resolveType` in an async function, and compiled execution (executor.ts) needs the type at once:
 * graphql-jit does not wait for a promise there. These are the functions the type declarations give.
 */
const TYPE_RESOLVERS: Readonly<Record<string, GraphQLTypeResolver<object, GraphQLContext>>> = {
  Node: nodeTypeName,
  Member: memberTypeName,
};

/** The executable schema, from the type-graphql classes. */
export function buildRosterSchema(): GraphQLSchema {
  // Inputs are checked by GraphQL's own type system and by the domain, not by class-validator.
  const schema = buildSchemaSync({ resolvers: [...RESOLVERS], validate: false, pubSub: NO_PUBSUB });
  // type-graphql builds the root types itself and has no place for their descriptions.
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  if (query) query.description = ROOT.query;
  if (mutation) mutation.description = ROOT.mutation;
  if (subscription) subscription.description = ROOT.subscription;
  for (const { type, field, resolve } of PER_ROW_FIELDS) {
    const t = schema.getType(type);
    const f = isObjectType(t) ? t.getFields()[field] : undefined;
    if (!f) throw new Error(`${type}.${field} is not in the schema`);
    f.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  }
  for (const [name, resolveType] of Object.entries(TYPE_RESOLVERS)) {
    const t = schema.getType(name);
    if (!isAbstractType(t)) throw new Error(`${name} is not an abstract type of the schema`);
    t.resolveType = resolveType as GraphQLTypeResolver<unknown, unknown>;
  }
  return schema;
}

/** The SDL committed as schema/schema.graphql; sorted, so the file changes only when the API does. */
export function printRosterSchema(schema: GraphQLSchema = buildRosterSchema()): string {
  return `# Emitted by \`npm run schema:emit\` from src/graphql; do not edit by hand.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
