/** What the HTTP benchmark reads from the environment, read in this one place. */
export interface BenchOptions {
  /** Users seeded through SCIM (BENCH_USERS, default 10,000). */
  readonly users: number;
  /** Seconds each scenario runs (BENCH_SECONDS, default 10). */
  readonly seconds: number;
  /** Seconds of each floor load run between Roster's scenarios, for their ratios (BENCH_FLOOR_SECONDS, default 3). */
  readonly floorSeconds: number;
  /** A PostgreSQL server to create the bench databases on (BENCH_DATABASE_URL); else an embedded one. */
  readonly databaseUrl: string | undefined;
  /** Where the JSON goes (BENCH_OUT, default bench-results.json). */
  readonly out: string;
  /** Only the scenarios whose names contain one of these (BENCH_ONLY, comma-separated); all when empty. */
  readonly only: readonly string[];
  /** Seeds a second tenant with a 100,000-member group directly in SQL when BENCH_USERS is smaller (BENCH_BIG_GROUP, default 1). */
  readonly bigGroup: boolean;
  /** The Roster process's `node` flags (BENCH_ROSTER_NODE_ARGS); by default those `npm start` uses (PRODUCTION_NODE_ARGS). */
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
    floorSeconds: whole(env, 'BENCH_FLOOR_SECONDS', 3),
    databaseUrl: env.BENCH_DATABASE_URL || undefined,
    out: env.BENCH_OUT || 'bench-results.json',
    only: (env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    bigGroup: env.BENCH_BIG_GROUP !== '0',
    rosterNodeArgs: rosterNodeArgs(env),
    profileDir: env.BENCH_PROFILE_DIR || undefined,
  };
}

/**
 * The `node` flags `npm start` and the Dockerfile run Roster with (docs/operations.md#memory); a
 * test holds the three to the same list.
 */
export const PRODUCTION_NODE_ARGS: readonly string[] = ['--max-old-space-size=1024', '--max-semi-space-size=32'];

/** The Roster process's `node` flags: BENCH_ROSTER_NODE_ARGS when set (an empty value runs it without flags), else PRODUCTION_NODE_ARGS. */
export const rosterNodeArgs = (env: NodeJS.ProcessEnv): readonly string[] =>
  env.BENCH_ROSTER_NODE_ARGS === undefined ? PRODUCTION_NODE_ARGS : env.BENCH_ROSTER_NODE_ARGS.split(/\s+/).filter(Boolean);
