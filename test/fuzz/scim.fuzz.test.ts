import { describeFinding, runCampaign, startTarget, type FuzzTarget } from './fuzzer.js';

/**
 * The bounded fuzz run of every `npm test`: a fixed seed and about 150 generated SCIM requests
 * (valid, malformed and hostile) through the real app on a real PostgreSQL. `npm run fuzz` runs
 * the long campaign (test/fuzz/run.ts).
 */
const SEED = 20261204;
const RUNS = 150;

let target: FuzzTarget;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target.close();
});

it(`answers ${RUNS} fuzzed SCIM requests without a 5xx, each 4xx a SCIM error, and still renders what it stored`, async () => {
  const s = await runCampaign(target, { seed: SEED, runs: RUNS, concurrency: 2 });
  const report = [...s.findings.map((f) => describeFinding(f, SEED)), ...s.health].join('\n\n');
  expect(report).toBe('');
  expect(s.requests).toBe(RUNS);
  // The run reaches past validation: some writes succeed, some are refused.
  expect(s.byClass['2xx']).toBeGreaterThan(10);
  expect(s.byClass['4xx']).toBeGreaterThan(10);
});
