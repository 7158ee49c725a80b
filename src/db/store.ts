import type { MikroORM } from '@mikro-orm/postgresql';
import type { Repositories, Store } from '../domain/ports.js';
import { createApiKeyRepository, createAuditRepository, createConnectionRepository, createTenantRepository } from './repositories/admin.repository.js';
import { createGroupRepository, createMembershipRepository } from './repositories/group.repository.js';
import { createUserRepository } from './repositories/user.repository.js';
import { UnavailableError, type UnavailableReason } from '../domain/errors.js';
import { translateDbError, type Db } from './sql.js';

export function createRepositories(db: Db): Repositories {
  return {
    tenants: createTenantRepository(db),
    users: createUserRepository(db),
    groups: createGroupRepository(db),
    memberships: createMembershipRepository(db),
    connections: createConnectionRepository(db),
    apiKeys: createApiKeyRepository(db),
    audit: createAuditRepository(db),
  };
}

export interface StoreOptions {
  /** Hears of each database fault a retry may cure (for the rejection metric). */
  readonly onUnavailable?: (reason: UnavailableReason) => void;
}

/**
 * The domain's Store port over MikroORM: a fresh EntityManager per unit of work. Database
 * faults become domain errors here; `onUnavailable` hears of each one a retry may cure.
 */
export function createStore(orm: MikroORM, o: StoreOptions = {}): Store {
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const translated = translateDbError(e);
      if (translated instanceof UnavailableError && translated !== e) o.onUnavailable?.(translated.reason);
      throw translated;
    }
  };
  return {
    read: (fn) => run(() => fn(createRepositories(orm.em.fork()))),
    // One transaction per write: all of it lands, or none of it (docs/architecture.md#transactions).
    write: (fn) => run(() => orm.em.fork().transactional((em) => fn(createRepositories(em)))),
  };
}
