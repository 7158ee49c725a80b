import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  /** PostgreSQL connection string; when absent Roster runs an embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  /** When set, registered as a platform-wide admin API key at start-up (idempotent). */
  readonly bootstrapAdminToken: string | undefined;
  /** Where the embedded PostgreSQL keeps its cluster. */
  readonly dataDir: string;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** How long in-flight requests may take to finish on SIGINT/SIGTERM. */
  readonly shutdownTimeoutMs: number;
  /** Largest page a list request may ask for (SCIM `count`, GraphQL `first`/`last`). */
  readonly maxPageSize: number;
  /**
   * Whether to believe X-Forwarded-Proto/-Host from a reverse proxy, so SCIM `Location` and
   * `meta.location` say https://public-host when TLS ends at the proxy.
   */
  readonly trustProxy: boolean;
  /** Deepest nesting a GraphQL operation may have, introspection aside (docs/architecture.md#limits). */
  readonly graphqlMaxDepth: number;
  /** Largest cost a GraphQL operation may have, page sizes multiplying what they hold (docs/architecture.md#limits). */
  readonly graphqlMaxComplexity: number;
  /** Longest query text that runs compiled, once sent twice (docs/architecture.md#graphql-execution-cost); 0: none does. */
  readonly graphqlCompileMaxBytes: number;
  /** Connections in the request pool (docs/operations.md#configuration). */
  readonly dbPoolMax: number;
  /** How long work waits for a free connection, or for its tenant's turn, before a 503. */
  readonly dbAcquireTimeoutMs: number;
  /** PostgreSQL statement_timeout of every statement; past it the request gets a 503. */
  readonly dbStatementTimeoutMs: number;
  /** The Retry-After of every 503. */
  readonly retryAfterSeconds: number;
  /** Requests of one tenant in progress at once; more wait (bounded) for their turn. */
  readonly tenantMaxInFlight: number;
  /** Subscriptions the keys of one tenant may hold open at once in one process, and sockets likewise. */
  readonly subscriptionsMaxPerTenant: number;
  /** How long change events are kept before they are pruned (docs/operations.md#event-retention). */
  readonly eventRetentionDays: number;
  /** How often a process checks for tables whose planner statistics lag and analyzes them; 0: never (docs/operations.md#planner-statistics). */
  readonly dbAnalyzeIntervalMs: number;
  /** How many bytes of users a process remembers to plan changes from; 0: none (docs/architecture.md#remembered-users). */
  readonly recentUsersBytes: number;
  /** Delivery of change events to webhook endpoints (docs/architecture.md#webhooks). */
  readonly webhooks: WebhookConfig;
  /** Bounds on what one write may store and on filters (docs/architecture.md#limits). */
  readonly limits: {
    /** MAX_STRING_LENGTH: largest string attribute, in UTF-8 bytes. */
    readonly maxStringBytes: number;
    readonly maxValuesPerAttribute: number;
    readonly maxExtensionDepth: number;
    readonly maxExtensionBytes: number;
    readonly filter: { readonly maxTerms: number; readonly maxDepth: number };
  };
}

/** How webhooks are delivered (docs/operations.md#webhooks). */
export interface WebhookConfig {
  /** Whether this process delivers webhooks at all (several processes may; each attempt goes out once). */
  readonly enabled: boolean;
  /** Whether endpoints may be on loopback, private, link-local or other internal addresses, and use plain http there. */
  readonly allowPrivateNetworks: boolean;
  /** Requests in flight at once in this process, one per endpoint at most. */
  readonly concurrency: number;
  /** How often the queue is looked at when nothing wakes the dispatcher sooner. */
  readonly pollIntervalMs: number;
  /** How long one delivery attempt may take before it counts as failed. */
  readonly timeoutMs: number;
  /** The first retry's delay; each next one doubles, with jitter, up to retryMaxDelayMs. */
  readonly retryBaseMs: number;
  readonly retryMaxDelayMs: number;
  /** How long a failing delivery is retried before it is given up and its endpoint disabled. */
  readonly retryForMs: number;
  /** Days a delivered or given-up delivery is kept before it is pruned (docs/operations.md#event-retention). */
  readonly deliveryRetentionDays: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly { variable: string; problem: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration from the environment. Every problem is reported at once, each naming
 * the variable and what is wrong with it, so an operator fixes them in one pass.
 */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const problems: { variable: string; problem: string }[] = [];
  const read = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) {
      problems.push({ variable: name, problem: `must be a whole number, got "${raw}"` });
      return fallback;
    }
    const n = Number(raw);
    if (n < min || n > max) {
      problems.push({ variable: name, problem: `must be between ${min} and ${max}, got ${n}` });
      return fallback;
    }
    return n;
  };

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined) {
    let ok = false;
    try {
      const u = new URL(databaseUrl);
      ok = u.protocol === 'postgres:' || u.protocol === 'postgresql:';
    } catch {
      ok = false;
    }
    if (!ok) {
      problems.push({
        variable: 'DATABASE_URL',
        problem: 'must be a URL like postgres://user:password@host:5432/database',
      });
    }
  }

  const logLevelRaw = (read('LOG_LEVEL') ?? 'info').toLowerCase();
  let logLevel: LogLevel = 'info';
  if ((LOG_LEVELS as readonly string[]).includes(logLevelRaw)) logLevel = logLevelRaw as LogLevel;
  else problems.push({ variable: 'LOG_LEVEL', problem: `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"` });

  const bootstrapAdminToken = read('BOOTSTRAP_ADMIN_TOKEN');
  if (bootstrapAdminToken !== undefined && bootstrapAdminToken.length < 32) {
    problems.push({
      variable: 'BOOTSTRAP_ADMIN_TOKEN',
      problem: 'must be at least 32 characters long (use e.g. `openssl rand -hex 32`)',
    });
  }

  const host = read('HOST') ?? '0.0.0.0';
  const trustProxyRaw = (read('TRUST_PROXY') ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(trustProxyRaw)) {
    problems.push({ variable: 'TRUST_PROXY', problem: `must be true or false, got "${trustProxyRaw}"` });
  }
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = (read(name) ?? String(fallback)).toLowerCase();
    if (!['true', 'false', '1', '0'].includes(raw)) {
      problems.push({ variable: name, problem: `must be true or false, got "${raw}"` });
      return fallback;
    }
    return raw === 'true' || raw === '1';
  };
  const config: Config = {
    databaseUrl,
    port: int('PORT', 4000, 0, 65535),
    host,
    logLevel,
    bootstrapAdminToken,
    dataDir: path.resolve(cwd, read('ROSTER_DATA_DIR') ?? '.data'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    maxPageSize: int('MAX_PAGE_SIZE', 1000, 1, 100_000),
    trustProxy: trustProxyRaw === 'true' || trustProxyRaw === '1',
    graphqlMaxDepth: int('GRAPHQL_MAX_DEPTH', 15, 2, 1000),
    graphqlMaxComplexity: int('GRAPHQL_MAX_COMPLEXITY', 25_000, 10, 10_000_000),
    graphqlCompileMaxBytes: int('GRAPHQL_COMPILE_MAX_BYTES', 8192, 0, 1024 * 1024),
    dbPoolMax: int('DB_POOL_MAX', 20, 1, 1000),
    dbAcquireTimeoutMs: int('DB_ACQUIRE_TIMEOUT_MS', 3000, 100, 600_000),
    dbStatementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 10_000, 100, 3_600_000),
    retryAfterSeconds: int('RETRY_AFTER_SECONDS', 5, 1, 3600),
    tenantMaxInFlight: int('TENANT_MAX_IN_FLIGHT', 16, 1, 10_000),
    subscriptionsMaxPerTenant: int('SUBSCRIPTIONS_MAX_PER_TENANT', 100, 1, 100_000),
    eventRetentionDays: int('EVENT_RETENTION_DAYS', 30, 1, 3650),
    dbAnalyzeIntervalMs: int('DB_ANALYZE_INTERVAL_MS', 10_000, 0, 3_600_000),
    recentUsersBytes: int('RECENT_USERS_MB', 24, 0, 4096) * 1024 * 1024,
    webhooks: Object.freeze({
      enabled: bool('WEBHOOK_DISPATCH', true),
      allowPrivateNetworks: bool('WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
      concurrency: int('WEBHOOK_CONCURRENCY', 16, 1, 1000),
      pollIntervalMs: int('WEBHOOK_POLL_INTERVAL_MS', 1000, 10, 60_000),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      retryBaseMs: int('WEBHOOK_RETRY_BASE_MS', 5000, 10, 3_600_000),
      retryMaxDelayMs: int('WEBHOOK_RETRY_MAX_DELAY_MS', 2 * 3_600_000, 10, 24 * 3_600_000),
      retryForMs: int('WEBHOOK_RETRY_FOR_MS', 3 * 24 * 3_600_000, 100, 30 * 24 * 3_600_000),
      deliveryRetentionDays: int('WEBHOOK_DELIVERY_RETENTION_DAYS', 30, 1, 3650),
    }),
    limits: Object.freeze({
      maxStringBytes: int('MAX_STRING_LENGTH', 16 * 1024, 256, 1024 * 1024),
      maxValuesPerAttribute: int('MAX_VALUES_PER_ATTRIBUTE', 100, 1, 10_000),
      maxExtensionDepth: int('MAX_EXTENSION_DEPTH', 32, 1, 256),
      maxExtensionBytes: int('MAX_EXTENSION_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
      // Filter parsers stop at 64 levels of nesting whatever is configured.
      filter: Object.freeze({ maxTerms: int('FILTER_MAX_TERMS', 100, 1, 10_000), maxDepth: int('FILTER_MAX_DEPTH', 64, 1, 64) }),
    }),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
