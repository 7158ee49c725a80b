/**
 * `npm run bench:http`: Roster over HTTP, as its own process, against a calibration floor on the
 * same PostgreSQL (docs/architecture.md#performance-budgets). README "Performance" explains the
 * figures; options.ts lists the environment variables.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { readOptions } from './options.js';
import { sampleDatabase, sampleMachine, sampleProcess, startFloor, startPostgres, startRosterServer } from './processes.js';
import { formatTable, toJson, withRatios, type Measurement } from './report.js';
import { floorRate, FLOOR_SCENARIO, scenarios, warmUp, type Context } from './scenarios.js';
import { seed } from './seed.js';
import { openInProcessScim } from './in-process.js';

const ROSTER_DB = 'roster_bench_http';
const FLOOR_DB = 'roster_bench_floor';

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const o = readOptions(process.env);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const wanted = (name: string) => name === FLOOR_SCENARIO || o.only.length === 0 || o.only.some((w) => name.toLowerCase().includes(w.toLowerCase()));
  const chosen = scenarios.filter((s) => wanted(s.name) && (o.bigGroup || !s.bigGroup));
  const pg = await startPostgres(o.databaseUrl);
  const stops: (() => Promise<void>)[] = [() => pg.stop()];
  try {
    const rosterDb = await pg.freshDatabase(ROSTER_DB);
    const floorDb = await pg.freshDatabase(FLOOR_DB);
    stops.unshift(() => pg.dropDatabase(ROSTER_DB), () => pg.dropDatabase(FLOOR_DB));
    const adminToken = randomBytes(32).toString('hex');
    let roster = await startRosterServer(rosterDb, adminToken, o.rosterNodeArgs);
    stops.unshift(() => roster.stop());
    log(`roster pid ${roster.pid} on ${roster.baseUrl} (${pg.label}), log in ${roster.logFile}`);
    const seeded = await seed({
      rosterUrl: roster.baseUrl,
      rosterDb,
      floorDb,
      users: o.users,
      bigGroup: chosen.some((s) => s.bigGroup),
      log,
    });
    const floor = await startFloor(floorDb);
    stops.unshift(() => floor.stop());
    const inProcess = chosen.some((s) => s.inProcess) ? await openInProcessScim(rosterDb) : null;
    if (inProcess) stops.unshift(() => inProcess.close());

    // The Roster process of the moment: a profiled scenario has one of its own.
    const context = (): Context => ({ floorUrl: floor.baseUrl, rosterUrl: roster.baseUrl, adminToken, seconds: o.seconds, seeded, rosterDb, inProcess });
    // Not when profiling: each profiled scenario's process starts cold anyway.
    if (!o.profileDir) await warmUp(context(), o.floorSeconds);
    const measured: Measurement[] = [];
    // The floor just before a Roster scenario: the one measured after the scenario before it, or the floor's own row.
    let floorBefore: number | null = null;
    for (const [index, s] of chosen.entries()) {
      if (s.roster && !s.inProcess && o.profileDir) {
        // A process of its own per profiled scenario; stopping it writes the profile.
        await roster.stop();
        const name = `${String(index).padStart(2, '0')}-${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.cpuprofile`;
        roster = await startRosterServer(rosterDb, adminToken, [...o.rosterNodeArgs, '--cpu-prof', `--cpu-prof-dir=${o.profileDir}`, `--cpu-prof-name=${name}`]);
      }
      const c = context();
      log(`${s.name} (${o.seconds} s) ...`);
      const prepared = s.prepare ? await s.prepare(c) : undefined;
      // Each Roster scenario is measured against the floor just before and just after it, so a
      // machine that sped up or slowed down since the floor's own row moves both alike.
      if (s.roster) floorBefore ??= await floorRate(c, o.floorSeconds);
      const usage = await sampleProcess(s.inProcess ? process.pid : s.roster ? roster.pid : floor.pid);
      const dbUsage = await sampleDatabase(s.roster ? ROSTER_DB : FLOOR_DB);
      const machine = await sampleMachine();
      const m = await s.run(c, prepared);
      const machineBusy = await machine.stop();
      const { peakRssMiB, cpuMs } = await usage.stop();
      const dbCpuMs = await dbUsage.stop();
      const floorAfter = s.roster ? await floorRate(c, o.floorSeconds) : null;
      await prepared?.cleanup();
      if (s.roster && !s.inProcess && o.profileDir) await roster.stop();
      const perRequest = (ms: number | null) => (ms === null || m.requests === 0 ? null : ms / m.requests);
      const around = floorBefore !== null && floorAfter !== null ? { floorPerSecond: (floorBefore + floorAfter) / 2 } : {};
      measured.push({ ...m, ...around, peakRssMiB, cpuMsPerRequest: perRequest(cpuMs), dbCpuMsPerRequest: perRequest(dbCpuMs), machineBusy });
      floorBefore = s.roster ? floorAfter : m.perSecond;
    }
    const rows = withRatios(measured, FLOOR_SCENARIO);
    process.stdout.write(`\n${o.users} users, ${o.seconds} s per scenario, ${pg.label}, Node.js ${process.version}\n${formatTable(rows)}\n`);
    await writeFile(o.out, toJson({ startedAt, users: o.users, seconds: o.seconds, database: pg.label, node: process.version, rows }));
    log(`written to ${o.out}`);
  } finally {
    for (const stop of stops) await stop().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
