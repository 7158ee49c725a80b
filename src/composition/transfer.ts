import type { Services } from '../domain/services.js';
import { exportGroups, exportUsers, type ExportDeps } from '../scim/transfer/export.js';
import { groupImport } from '../scim/transfer/groups.import.js';
import { importLines, type BatchRunner, type ImportDeps, type ImportKind, type ImportSummary, type Progress } from '../scim/transfer/import.js';
import { userImport } from '../scim/transfer/users.import.js';

export type { ImportSummary, Progress };

/** What one export needs from its caller: the tenant, where the text goes, and how to show progress. */
export type ExportRun = Pick<ExportDeps, 'ctx' | 'write' | 'progress'>;
/** What one import needs from its caller: the file, the mode, and how to show progress and problems. */
export type ImportRun = Omit<ImportDeps, 'inBatch'>;

export interface Transfer {
  export(type: 'users' | 'groups', run: ExportRun): Promise<number>;
  import(type: 'users' | 'groups', run: ImportRun): Promise<ImportSummary>;
}

/**
 * Moving users and groups in and out of a tenant as SCIM JSON lines (the CLI's `users` and
 * `groups` commands), over the services and the batches of savepoints of the database.
 */
export function createTransfer(deps: { services: Services; batches: BatchRunner }): Transfer {
  const kinds: Record<'users' | 'groups', ImportKind<never>> = { users: userImport as ImportKind<never>, groups: groupImport as ImportKind<never> };
  return {
    export: (type, run) => (type === 'users' ? exportUsers : exportGroups)({ services: deps.services, ...run }),
    import: (type, run) => importLines(kinds[type], { ...run, inBatch: deps.batches }),
  };
}
