import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ChangeEvent, EventType } from '../../domain/event/event.js';
import type { Tenant } from '../../domain/tenant/tenant.js';
import type { GraphQLContext } from '../context.js';
import { FILTER } from '../shared/docs.js';
import { ConnectionArgs, paging, toConnection, type Connection } from '../shared/relay.js';
import { TenantType } from '../tenant/tenant.type.js';
import { ChangeEventConnectionType, ChangeEventFilterInput } from './event.type.js';

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
