import { Kind, type FieldNode, type GraphQLResolveInfo } from 'graphql';
import { managerIdOf, type User } from '../../domain/user/user.js';
import type { TenantLoaders } from '../loaders.js';
import { nodeFields, selectedFields } from '../shared/relay.js';

/** A Boolean argument as the operation gives it, literally or in a variable; false when absent. */
function flag(f: FieldNode, name: string, variables: Readonly<Record<string, unknown>>): boolean {
  const v = f.arguments?.find((a) => a.name.value === name)?.value;
  if (v?.kind === Kind.BOOLEAN) return v.value;
  return v?.kind === Kind.VARIABLE && variables[v.name.value] === true;
}

/**
 * For a page of users about to be completed: reads in one batch each what the selected fields of
 * its users will ask for (their groups, their managers), so that those fields are answered
 * synchronously instead of each through a promise (docs/architecture.md#graphql-execution-cost).
 * The statements are the ones the fields would have sent, in the same round trip.
 */
export async function prefetchForUsers(l: TenantLoaders, users: readonly User[], info: GraphQLResolveInfo): Promise<void> {
  if (users.length === 0) return;
  const fields = nodeFields(info);
  const ids = users.map((u) => u.id);
  const reads: Promise<void>[] = [];
  const groups = fields.filter((f) => f.name.value === 'groups');
  if (groups.some((f) => !flag(f, 'transitive', info.variableValues))) reads.push(l.groupsOf.prefetch(ids));
  if (groups.some((f) => flag(f, 'transitive', info.variableValues))) reads.push(l.groupsOfTransitive.prefetch(ids));
  const enterprise = selectedFields(info, fields.filter((f) => f.name.value === 'enterprise').map((f) => f.selectionSet));
  if (enterprise.some((f) => f.name.value === 'manager')) {
    const managers = new Set(users.map((u) => managerIdOf(u.enterprise.managerValue)).filter((v): v is string => v !== null));
    reads.push(l.user.prefetch([...managers]));
  }
  await Promise.all(reads);
}
