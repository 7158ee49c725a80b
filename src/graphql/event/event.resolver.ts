import { Arg, Args, Ctx, FieldResolver, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { InvalidValueError, NotFoundError } from '../../domain/errors.js';
import type { ChangeEvent, EventType } from '../../domain/event/event.js';
import type { Tenant } from '../../domain/tenant/tenant.js';
import type { GraphQLContext } from '../context.js';
import { FILTER } from '../shared/docs.js';
import { ConnectionArgs, paging, toConnection, type Connection } from '../shared/relay.js';
import { TenantType } from '../tenant/tenant.type.js';
import { ChangeEventConnectionType, ChangeEventFilterInput, ChangeEventType, EVENT } from './event.type.js';

@Resolver(() => TenantType)
export class TenantEventsResolver {
  @FieldResolver(() => ChangeEventConnectionType, {
    description: 'The tenant\'s change events in position order, oldest first: replayable from any cursor (`after`), or the latest (`last`). Events are kept for the configured retention (30 days by default).',
  })
  async events(
    @Root() t: Tenant,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => ChangeEventFilterInput, { nullable: true, description: FILTER.which('change events') }) filter: ChangeEventFilterInput | null,
    @Ctx() c: GraphQLContext,
  ): Promise<Connection<ChangeEvent>> {
    const p = paging(args, c.limits.maxPageSize);
    const page = { direction: p.direction, after: p.direction === 'forward' ? p.cursor : null, before: p.direction === 'backward' ? p.cursor : null, limit: p.limit };
    const result = await c.services.events.list(
      c.ctxFor(t.id),
      { types: (filter?.types ?? null) as EventType[] | null, resourceId: filter?.resourceId ?? null, since: filter?.since ?? null },
      page,
    );
    return toConnection(result, p);
  }
}

interface EventsSubscriptionArgs {
  tenantId?: string | null;
  types?: string[] | null;
  after?: string | null;
}

/**
 * Starts following a tenant's events (docs/architecture.md#subscriptions). The arguments, the
 * cursor and the caller's access are checked here, before the first event, the same way the
 * feed checks them; then events come from the outbox, replayed after `after` and then live.
 */
async function subscribeToEvents({ args, context }: SubscribeResolverData<unknown, EventsSubscriptionArgs, GraphQLContext>): Promise<AsyncIterable<ChangeEvent>> {
  const c = context;
  if (!c.following) throw new InvalidValueError('subscriptions run over WebSocket (the graphql-ws protocol) at /graphql');
  const own = c.actor.type === 'system' ? null : c.actor.tenantId;
  const target = args.tenantId ?? own;
  if (!target) throw new InvalidValueError('"tenantId" is required for a platform key', 'tenantId');
  const ctx = c.ctxFor(target);
  const filter = { types: (args.types ?? null) as EventType[] | null };
  // Whether the tenant was deleted while followed, asked only for a platform key: a tenant's own
  // key ends with its tenant (the socket's key check). A database out of reach says nothing yet.
  const gone =
    own === null
      ? () =>
          c.services.tenants.get(c.actor, target).then(
            () => false,
            (e: unknown) => e instanceof NotFoundError,
          )
      : undefined;
  if (args.after != null) {
    await c.services.events.list(ctx, filter, { direction: 'forward', after: args.after, before: null, limit: 0 });
    return c.following.follow(ctx, filter, args.after, gone);
  }
  // From now on: after the newest readable event it would show, so events committed but not yet readable come too.
  const latest = await c.services.events.list(ctx, filter, { direction: 'backward', after: null, before: null, limit: 1 });
  return c.following.follow(ctx, filter, latest.items[0]?.cursor ?? null, gone);
}

@Resolver(() => ChangeEventType)
export class EventSubscriptionResolver {
  @Subscription(() => ChangeEventType, {
    description:
      'A tenant\'s change events as they commit, over WebSocket (graphql-ws) at /graphql: first those after `after` (a position or cursor from the feed), then each new one, in position order. Every Roster process sees every event.',
    subscribe: subscribeToEvents,
  })
  events(
    @Root() event: ChangeEvent,
    @Arg('tenantId', () => ID, { nullable: true, description: 'Id of the tenant; required with a platform key.' }) _tenantId: string | null,
    @Arg('types', () => [String], { nullable: true, description: EVENT.types }) _types: string[] | null,
    @Arg('after', () => String, { nullable: true, description: 'Start after this position (a feed cursor); absent: only events from now on.' }) _after: string | null,
  ): ChangeEvent {
    return event;
  }
}
