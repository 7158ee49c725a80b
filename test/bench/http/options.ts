/** What the HTTP benchmark reads from the environment, read in this one place. */
export interface BenchOptions {
  /** Users seeded through SCIM (BENCH_USERS, default 10,000). */
  readonly users: number;
  /** Seconds each scenario runs (BENCH_SECONDS, default 10). */
  readonly seconds: number;
  /** A PostgreSQL server to create the bench databases on (BENCH_DATABASE_URL); else an embedded one. */
  readonly databaseUrl: string | undefined;
  /** Where the JSON goes (BENCH_OUT, default bench-results.json). */
  readonly out: string;
  /** Only the scenarios whose names contain one of these (BENCH_ONLY, comma-separated); all when empty. */
  readonly only: readonly string[];
  /** Seeds a second tenant with a 100,000-member group directly in SQL when BENCH_USERS is smaller (BENCH_BIG_GROUP, default 1). */
  readonly bigGroup: boolean;
  /** Extra `node` flags for the Roster process (BENCH_ROSTER_NODE_ARGS), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  readonly rosterNodeArgs: readonly string[];
  /**
   * A directory for one CPU profile per Roster scenario (BENCH_PROFILE_DIR): Roster is started
   * afresh with `--cpu-prof` for each scenario, so a profile holds that load alone, not the seeding.
   */
  readonly profileDir: string | undefined;
}

/** A whole number above 0 from the environment (underscores and commas allowed), else `fallback`. */
export const whole = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name]?.replace(/[_,]/g, '');
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0, got "${env[name]}"`);
  return n;
};

export function readOptions(env: NodeJS.ProcessEnv): BenchOptions {
  return {
    users: whole(env, 'BENCH_USERS', 10_000),
    seconds: whole(env, 'BENCH_SECONDS', 10),
    databaseUrl: env.BENCH_DATABASE_URL || undefined,
    out: env.BENCH_OUT || 'bench-results.json',
    only: (env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    bigGroup: env.BENCH_BIG_GROUP !== '0',
    rosterNodeArgs: nodeArgs(env),
    profileDir: env.BENCH_PROFILE_DIR || undefined,
  };
}

/** Extra `node` flags for the Roster process, from BENCH_ROSTER_NODE_ARGS. */
export const nodeArgs = (env: NodeJS.ProcessEnv): string[] => (env.BENCH_ROSTER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
