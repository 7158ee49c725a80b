import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { thrown } from '../../support/thrown.js';

describe('configuration from the environment', () => {
  it('has working defaults: port 4000, embedded database under ./.data', () => {
    const c = loadConfig({}, '/srv/roster');
    expect(c.port).toBe(4000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('/srv/roster', '.data'));
    expect(c.logLevel).toBe('info');
    expect(c.graphqlMaxDepth).toBe(15);
    expect(c.graphqlMaxComplexity).toBe(25_000);
    expect(c.graphqlCompileMaxBytes).toBe(8192);
    expect(c).toMatchObject({ dbPoolMax: 20, dbAcquireTimeoutMs: 3000, dbStatementTimeoutMs: 10_000, retryAfterSeconds: 5, tenantMaxInFlight: 16, subscriptionsMaxPerTenant: 100, recentUsersBytes: 24 * 1024 * 1024 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        DATABASE_URL: 'postgres://u:p@db:5432/roster',
        PORT: '8080',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'DEBUG',
        BOOTSTRAP_ADMIN_TOKEN: 'x'.repeat(40),
        ROSTER_DATA_DIR: '/var/lib/roster',
        BODY_LIMIT_BYTES: '2048',
        TRUST_PROXY: 'true',
        GRAPHQL_MAX_DEPTH: '20',
        GRAPHQL_MAX_COMPLEXITY: '100000',
        GRAPHQL_COMPILE_MAX_BYTES: '0',
        DB_POOL_MAX: '20',
        DB_ACQUIRE_TIMEOUT_MS: '1500',
        DB_STATEMENT_TIMEOUT_MS: '30000',
        RETRY_AFTER_SECONDS: '10',
        TENANT_MAX_IN_FLIGHT: '4',
        SUBSCRIPTIONS_MAX_PER_TENANT: '7',
        RECENT_USERS_MB: '8',
        MAX_STRING_LENGTH: '4096',
        MAX_VALUES_PER_ATTRIBUTE: '20',
        MAX_EXTENSION_DEPTH: '8',
        MAX_EXTENSION_BYTES: '8192',
        FILTER_MAX_TERMS: '50',
        FILTER_MAX_DEPTH: '10',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/roster',
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'debug',
      bootstrapAdminToken: 'x'.repeat(40),
      dataDir: '/var/lib/roster',
      bodyLimitBytes: 2048,
      trustProxy: true,
      graphqlMaxDepth: 20,
      graphqlMaxComplexity: 100_000,
      graphqlCompileMaxBytes: 0,
      dbPoolMax: 20,
      dbAcquireTimeoutMs: 1500,
      dbStatementTimeoutMs: 30000,
      retryAfterSeconds: 10,
      tenantMaxInFlight: 4,
      subscriptionsMaxPerTenant: 7,
      recentUsersBytes: 8 * 1024 * 1024,
      limits: { maxStringBytes: 4096, maxValuesPerAttribute: 20, maxExtensionDepth: 8, maxExtensionBytes: 8192, filter: { maxTerms: 50, maxDepth: 10 } },
    });
  });

  it('bounds what a write may store and what a filter may ask by default (docs/architecture.md#limits)', () => {
    expect(loadConfig({}).limits).toEqual({
      maxStringBytes: 16 * 1024,
      maxValuesPerAttribute: 100,
      maxExtensionDepth: 32,
      maxExtensionBytes: 64 * 1024,
      filter: { maxTerms: 100, maxDepth: 64 },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', 'must be a whole number'],
    [{ PORT: '70000' }, 'PORT', 'between 0 and 65535'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL', 'postgres://'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', 'postgres://'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'must be one of'],
    [{ BOOTSTRAP_ADMIN_TOKEN: 'short' }, 'BOOTSTRAP_ADMIN_TOKEN', 'at least 32 characters'],
    [{ BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES', 'between'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY', 'must be true or false'],
    [{ GRAPHQL_MAX_DEPTH: '1' }, 'GRAPHQL_MAX_DEPTH', 'between 2 and 1000'],
    [{ GRAPHQL_MAX_DEPTH: 'deep' }, 'GRAPHQL_MAX_DEPTH', 'must be a whole number'],
    [{ GRAPHQL_MAX_COMPLEXITY: '0' }, 'GRAPHQL_MAX_COMPLEXITY', 'between 10 and 10000000'],
    [{ DB_POOL_MAX: '0' }, 'DB_POOL_MAX', 'between'],
    [{ DB_ACQUIRE_TIMEOUT_MS: 'soon' }, 'DB_ACQUIRE_TIMEOUT_MS', 'must be a whole number'],
    [{ DB_STATEMENT_TIMEOUT_MS: '0' }, 'DB_STATEMENT_TIMEOUT_MS', 'between'],
    [{ RETRY_AFTER_SECONDS: '0' }, 'RETRY_AFTER_SECONDS', 'between'],
    [{ TENANT_MAX_IN_FLIGHT: '0' }, 'TENANT_MAX_IN_FLIGHT', 'between'],
    [{ SUBSCRIPTIONS_MAX_PER_TENANT: '0' }, 'SUBSCRIPTIONS_MAX_PER_TENANT', 'between 1 and 100000'],
    [{ RECENT_USERS_MB: '5000' }, 'RECENT_USERS_MB', 'between 0 and 4096'],
    [{ FILTER_MAX_DEPTH: '65' }, 'FILTER_MAX_DEPTH', 'between 1 and 64'],
    [{ MAX_EXTENSION_DEPTH: '1000' }, 'MAX_EXTENSION_DEPTH', 'between 1 and 256'],
  ])('refuses %j, naming %s and what is wrong', (env, variable, problem) => {
    const error = thrown(() => loadConfig(env as Record<string, string>));
    expect(error).toBeInstanceOf(ConfigError);
    const ce = error as ConfigError;
    expect(ce.problems).toHaveLength(1);
    expect(ce.problems[0]!.variable).toBe(variable);
    expect(ce.problems[0]!.problem).toContain(problem);
    expect(ce.message).toContain(variable);
  });

  it('reports every problem at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/LOG_LEVEL[\s\S]*PORT/);
  });
});
