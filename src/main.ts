import 'reflect-metadata';
import { createServer } from 'node:http';
import { attachRosterSubscriptions, createRosterApp } from './composition/app.js';
import { startEventPruning } from './composition/event-retention.js';
import { configuredOptions, openServices } from './composition/services.js';
import { createWebhookDispatcher } from './composition/webhooks.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { stopAllEmbedded } from './db/embedded.js';
import { poolStats } from './db/orm.js';
import { DatabaseUnreachableError } from './db/reach.js';
import { startStatisticsUpkeep } from './composition/statistics-upkeep.js';
import { createRosterLogger } from './composition/logger.js';
import { answerRefusedRequests } from './http/client-errors.js';
import { asyncStdout, type AsyncDestination, type Logger } from './http/logger.js';
import { createMetrics } from './http/metrics.js';

/** What SIGINT, SIGTERM and SIGHUP do: during start-up, stop what was started; once listening, a graceful shutdown. */
let onStopSignal: (signal: NodeJS.Signals) => void = () => undefined;
let stopRequested = false;

/**
 * Process entry: config → database → app → listen; SIGINT, SIGTERM and SIGHUP (a terminal that
 * closes) stop the process, from the start: one during start-up stops the embedded PostgreSQL
 * this process started, whatever it was doing (initdb, migrations), and exits 0; once listening,
 * the shutdown is graceful.
 */
async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onStopSignal(signal));
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const out = asyncStdout();
  const logger = createRosterLogger(config.logLevel, out.stream);
  onStopSignal = (signal) => {
    if (stopRequested) return;
    stopRequested = true;
    logger.info({ signal }, 'shutting down');
    void stopAllEmbedded().then(() => {
      logger.info('stopped');
      return out.exit(0);
    });
  };
  try {
    await serve(config, logger, out);
  } catch (e) {
    // Stopped by a signal during start-up: what failed for it is no failure; the stop exits.
    if (stopRequested) return;
    // One log line like the others, then exit 1: the reason in words when it is known (a database
    // that cannot be reached, a port that is taken), the error with its stack when it is not.
    const { fields, msg } = startFailure(e);
    logger.fatal(fields, msg);
    await out.exit(1);
  }
}

/** What a start-up failure's log line says. */
function startFailure(e: unknown): { fields: object; msg: string } {
  if (e instanceof DatabaseUnreachableError) return { fields: { code: e.code }, msg: `failed to start: ${e.message}` };
  const err = e as NodeJS.ErrnoException | null;
  if (typeof err?.code === 'string' && typeof err.syscall === 'string' && typeof err.message === 'string') {
    return { fields: { code: err.code, syscall: err.syscall }, msg: `failed to start: ${err.message}` };
  }
  return { fields: { err: e }, msg: 'failed to start' };
}

/** Database, app, listen; once listening, the process runs until SIGINT or SIGTERM stops it. */
async function serve(config: Config, logger: Logger, out: AsyncDestination): Promise<void> {
  logger.info({ embedded: !config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'starting');
  const metrics = createMetrics();
  const { db, services } = await openServices({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    onLog: (line) => logger.debug({ postgres: line }, 'embedded postgres'),
    pool: { poolMax: config.dbPoolMax, acquireTimeoutMs: config.dbAcquireTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
    onUnavailable: (reason) => metrics.rejected(reason),
    ...configuredOptions(config),
    onDriverLog: (message) => logger.warn({ driver: message }, 'database driver'),
    onCredentialCache: (listening) =>
      listening ? logger.info('credential cache on: hearing credential changes') : logger.warn('credential cache off: not hearing credential changes, every request looks its credential up'),
    // The embedded PostgreSQL is started again when it exits unasked; when it cannot be, the
    // process exits 1 so that whatever supervises it starts it afresh.
    embeddedWatch: {
      exited: ({ code, signal }) => logger.error({ code, signal }, 'embedded postgres exited unexpectedly; starting it again'),
      restarted: () => logger.info('embedded postgres started again'),
      gaveUp: (e) => {
        logger.fatal({ err: e }, 'embedded postgres could not be started again; exiting');
        void out.exit(1);
      },
    },
  });
  metrics.observePool(poolStats(db.orm));
  logger.info({ embedded: db.embedded, applied: db.migrated }, 'database ready');

  if (config.bootstrapAdminToken) {
    await services.apiKeys.ensureBootstrapKey(config.bootstrapAdminToken);
    logger.info('bootstrap admin key registered');
  }
  const app = createRosterApp({ services, config, logger, metrics, ready: () => db.ready() });
  const server = createServer(app.callback());
  answerRefusedRequests(server);
  const subscriptions = attachRosterSubscriptions(server, { orm: db.orm, services, config, logger });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : config.port;
  logger.info({ port, host: config.host, url: `http://localhost:${port}` }, 'listening');
  const pruning = startEventPruning(services, { retentionDays: config.eventRetentionDays, deliveryRetentionDays: config.webhooks.deliveryRetentionDays, logger });
  const statistics = startStatisticsUpkeep(db.orm, { intervalMs: config.dbAnalyzeIntervalMs, log: logger });

  // Webhooks go out from every process that has them switched on (docs/architecture.md#webhooks).
  const webhooks = config.webhooks.enabled
    ? createWebhookDispatcher(db.orm, { settings: config.webhooks, limits: config.limits, onUnavailable: (reason) => metrics.rejected(reason), log: logger })
    : null;
  webhooks?.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopRequested = true;
    logger.info({ signal }, 'shutting down');
    // Subscriptions never end by themselves: their sockets are closed (1001, going away) first.
    await subscriptions.close();
    // No new webhook attempts from now on; those in flight finish before the database closes.
    const webhooksStopped = webhooks?.stop();
    // Stop accepting connections; in-flight requests finish; idle keep-alive sockets close.
    // Keep-alive sockets go as soon as they fall idle, so finished requests do not hold the exit.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    await closed;
    clearInterval(sweep);
    clearTimeout(timer);
    await webhooksStopped;
    await pruning.stop();
    await statistics.stop();
    await db.close();
    logger.info('stopped');
    await out.exit(0);
  };
  // Until now a signal stopped the start-up itself (see main), which ends the process.
  onStopSignal = (signal) => void shutdown(signal);
}

main().catch((e: unknown) => {
  process.stderr.write(`roster failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
