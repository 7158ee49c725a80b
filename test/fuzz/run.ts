/**
 * `npm run fuzz`: the long fuzz campaign against the SCIM facade (test/fuzz/fuzzer.ts).
 *
 *   FUZZ_SEED         seed of the run (default: a random one, printed); the same seed sends the same requests
 *   FUZZ_RUNS         requests to send (default 100000)
 *   FUZZ_CONCURRENCY  requests in flight at once (default 2)
 *   FUZZ_FROM         first request index (default 0); with FUZZ_RUNS=1 it sends one request again
 *   TEST_DATABASE_URL a PostgreSQL server to make the run's database on; else an embedded PostgreSQL
 *
 * Prints progress and a summary, and exits 1 when any answer broke a property (a 5xx, a dropped
 * connection, a 4xx that is not a SCIM error, a server that stopped answering or data that no
 * longer renders).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { describeFinding, runCampaign, startTarget, type Finding, type Summary } from './fuzzer.js';

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return n;
};

const SAMPLES_PER_CAUSE = 3;
const CAUSES_SHOWN = 30;

const classes = (s: Summary) =>
  Object.entries(s.byClass)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

function printFindings(findings: readonly Finding[], seed: number): void {
  const byCause = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = f.cause ?? f.problem;
    byCause.set(key, [...(byCause.get(key) ?? []), f]);
  }
  const causes = [...byCause.entries()].sort((a, b) => b[1].length - a[1].length);
  console.log(`\n${findings.length} findings, ${byCause.size} distinct causes:`);
  for (const [cause, list] of causes.slice(0, CAUSES_SHOWN)) {
    console.log(`\n== ${list.length} × ${cause}`);
    for (const f of list.slice(0, SAMPLES_PER_CAUSE)) console.log(describeFinding(f, seed));
  }
  if (causes.length > CAUSES_SHOWN) console.log(`\n… and ${causes.length - CAUSES_SHOWN} more causes`);
}

async function main(): Promise<number> {
  const seed = int('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
  const runs = int('FUZZ_RUNS', 100_000);
  const concurrency = Math.max(1, int('FUZZ_CONCURRENCY', 2));
  const from = int('FUZZ_FROM', 0);
  let embedded: EmbeddedDatabase | null = null;
  let dir: string | null = null;
  if (!process.env.TEST_DATABASE_URL) {
    dir = await mkdtemp(path.join(tmpdir(), 'roster-fuzz-'));
    embedded = await startEmbeddedPostgres(dir, { database: 'postgres', persistent: false });
    process.env.TEST_DATABASE_URL = embedded.url;
  }
  console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} FUZZ_CONCURRENCY=${concurrency}${from ? ` FUZZ_FROM=${from}` : ''}`);
  const target = await startTarget();
  let lastPrint = Date.now();
  try {
    const s = await runCampaign(target, {
      seed,
      runs,
      from,
      concurrency,
      onBatch: (p) => {
        if (Date.now() - lastPrint < 10_000 && p.requests < runs) return;
        lastPrint = Date.now();
        const rate = p.requests / (p.ms / 1000);
        console.log(`${p.requests}/${runs} requests (${rate.toFixed(0)}/s): ${classes(p)}; findings ${p.findings.length}`);
      },
    });
    console.log(`\nseed ${seed}: ${s.requests} requests in ${(s.ms / 1000).toFixed(1)} s (${(s.requests / (s.ms / 1000)).toFixed(0)}/s)`);
    console.log(`by status: ${classes(s)}`);
    console.log(`5xx (other than 501): ${s.fiveXx}; dropped connections: ${s.dropped}; other findings: ${s.findings.length - s.fiveXx - s.dropped}`);
    if (s.findings.length) printFindings(s.findings, seed);
    if (s.health.length) console.log(`\nliveness and rendering:\n${s.health.join('\n')}`);
    const ok = s.findings.length === 0 && s.health.length === 0;
    console.log(ok ? '\nOK: every property held' : '\nFAILED');
    return ok ? 0 : 1;
  } finally {
    await target.close();
    await embedded?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
