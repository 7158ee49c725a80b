import { GROUP_FIELDS, type Group } from '../../domain/group/group.js';
import { col, defineTable, resourceColumns } from './table.js';

/** `groups`; members are rows of `memberships` (docs/architecture.md#memberships). */
export const GROUPS = defineTable<Group>({
  name: 'groups',
  alias: 'g',
  catalog: GROUP_FIELDS,
  columns: [...resourceColumns<Group>(), col.of<Group>('display_name', 'text', 'displayName'), col.text<Group>('external_id', 'externalId')],
});
