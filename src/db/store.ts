import type { MikroORM } from '@mikro-orm/postgresql';
import type { Repositories, Store } from '../domain/ports.js';
import { createApiKeyRepository, createAuditRepository, createConnectionRepository, createTenantRepository } from './repositories/admin.repository.js';
import { createGroupRepository, createMembershipRepository } from './repositories/group.repository.js';
import { createUserRepository } from './repositories/user.repository.js';
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

/** The domain's Store port over MikroORM: a fresh EntityManager per unit of work. */
export function createStore(orm: MikroORM): Store {
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw translateDbError(e);
    }
  };
  return {
    read: (fn) => run(() => fn(createRepositories(orm.em.fork()))),
    // One transaction per write: all of it lands, or none of it (docs/architecture.md#transactions).
    write: (fn) => run(() => orm.em.fork().transactional((em) => fn(createRepositories(em)))),
  };
}
