import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig, type Config } from '../../src/config/config.js';
import { openCredentialCache } from '../../src/db/credentials.cache.js';
import { createReadinessProbe } from '../../src/db/database.js';
import { systemActor, type Ctx } from '../../src/domain/context.js';
import type { Services } from '../../src/domain/services.js';
import { poolStats } from '../../src/db/orm.js';
import { createRosterLogger } from '../../src/composition/logger.js';
import { attachRosterSubscriptions, createRosterApp } from '../../src/composition/app.js';
import { buildServices, configuredOptions } from '../../src/composition/services.js';
import { answerRefusedRequests } from '../../src/http/client-errors.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { clientFor, type ScimClient } from './scim.js';

export interface Harness {
  readonly db: TestDatabase;
  readonly services: Services;
  readonly config: Config;
  /** Base URL of the real Koa app, listening on a free port. */
  readonly baseUrl: string;
  /** Every log line the app wrote (JSON objects). */
  readonly logs: Record<string, unknown>[];
  /** A platform admin API key secret. */
  readonly adminKey: string;
  /** Creates a tenant and returns a system context for it. */
  tenant(name?: string): Promise<Ctx>;
  close(): Promise<void>;
}

/** The real app over a real database of its own, listening on a free port. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  // Test files share a busy machine: a larger, more patient pool unless a test sets its own.
  const config = loadConfig({ LOG_LEVEL: 'info', DB_POOL_MAX: '20', DB_ACQUIRE_TIMEOUT_MS: '30000', DB_STATEMENT_TIMEOUT_MS: '60000', ...env });
  const db = await createTestDatabase({ poolMax: config.dbPoolMax, acquireTimeoutMs: config.dbAcquireTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs });
  const metrics = createMetrics();
  metrics.observePool(poolStats(db.orm));
  const credentials = await openCredentialCache({ url: db.url });
  const services = buildServices(db.orm, {
    onUnavailable: (reason) => metrics.rejected(reason),
    ...configuredOptions(config),
    credentials,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = createRosterLogger(config.logLevel, sink);
  const readiness = createReadinessProbe(db.url);
  const ready = () => readiness.check();
  const app = createRosterApp({ services, config, logger, ready, metrics });
  const server: Server = createServer(app.callback());
  answerRefusedRequests(server);
  const subscriptions = attachRosterSubscriptions(server, { orm: db.orm, services, config, logger });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  const adminKey = `roster_key_${uuidv7().replace(/-/g, '')}${uuidv7().replace(/-/g, '')}`;
  await services.apiKeys.ensureBootstrapKey(adminKey);
  let n = 0;
  return {
    db,
    services,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    adminKey,
    async tenant(name?: string) {
      const t = await services.tenants.create(systemActor, name ?? `tenant-${process.pid}-${++n}-${Date.now()}`);
      return { tenantId: t.id, actor: systemActor, requestId: null };
    },
    async close() {
      await subscriptions.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await readiness.close();
      await credentials.close();
      await db.drop();
    },
  };
}

/** A new tenant with a SCIM connection, and a client speaking SCIM with its token. */
export async function scimTenant(h: Harness, name = 'Entra ID'): Promise<ScimClient> {
  const ctx = await h.tenant();
  const { connection, token } = await h.services.connections.create(ctx, name);
  return clientFor(h.baseUrl, token, ctx, connection);
}

/** The real app and a SCIM tenant, started before a test file's tests and closed after them. */
export function scimSuite(env: Record<string, string> = {}): { readonly h: Harness; readonly c: ScimClient } {
  const suite = {} as { h: Harness; c: ScimClient };
  beforeAll(async () => {
    suite.h = await startHarness(env);
    suite.c = await scimTenant(suite.h);
  });
  afterAll(async () => suite.h.close());
  return suite;
}
