import { startRoster, type RosterProcess } from '../support/server-process.js';
import { newDataDir, removeDataDir } from '../support/data-dir.js';

/** Two real server processes started at once on the same empty data directory. */
describe('roster processes started together on one new data directory', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await newDataDir('roster-e2e-together-');
  });
  afterAll(async () => {
    await removeDataDir(dataDir);
  });

  it('start one; the other says another Roster runs there; the cluster starts again afterwards', async () => {
    const env = { ROSTER_DATA_DIR: dataDir };
    const outcomes = await Promise.allSettled([startRoster(env), startRoster(env)]);
    const winners = outcomes.filter((o): o is PromiseFulfilledResult<RosterProcess> => o.status === 'fulfilled').map((o) => o.value);
    const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as { logs?: { level: number; msg: string; err?: { message?: string } }[] });
    try {
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      const fatal = losers[0]!.logs?.find((l) => l.level === 60);
      expect(fatal?.err?.message ?? fatal?.msg).toContain(`another Roster process is already running on ${dataDir}; stop it first`);
    } finally {
      for (const w of winners) expect(await w.stop()).toBe(0);
    }
    // The winner's cluster and password still go together.
    const again = await startRoster(env);
    expect((await fetch(`${again.baseUrl}/readyz`)).status).toBe(200);
    expect(await again.stop()).toBe(0);
  });
});
