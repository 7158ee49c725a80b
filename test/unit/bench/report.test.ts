import { formatTable, percentile, toJson, withRatios, type Measurement } from '../../bench/http/report.js';
import { PRODUCTION_NODE_ARGS, readOptions } from '../../bench/http/options.js';

const m = (scenario: string, perSecond: number, extra: Partial<Measurement> = {}): Measurement => ({
  scenario,
  perSecond,
  unit: 'req/s',
  p50Ms: 1.25,
  p99Ms: 9.5,
  requests: perSecond * 10,
  non2xx: 0,
  errors: 0,
  connections: 10,
  peakRssMiB: 150.4,
  cpuMsPerRequest: 0.2567,
  dbCpuMsPerRequest: 0.3141,
  machineBusy: 0.8766,
  ...extra,
});

describe('HTTP benchmark report', () => {
  it('takes percentiles by nearest rank', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([], 50)).toBe(0);
  });

  it('divides every rate by the floor of the same run, and has no ratio without a floor', () => {
    const rows = withRatios([m('floor', 8000), m('lookup', 4800), m('sync', 1000, { unit: 'writes/s' })], 'floor');
    expect(rows.map((r) => r.ratio)).toEqual([1, 0.6, 0.125]);
    expect(withRatios([m('lookup', 10)], 'floor')[0]!.ratio).toBeNull();
    expect(withRatios([m('floor', 0), m('lookup', 10)], 'floor')[1]!.ratio).toBeNull();
  });

  it('divides a rate by the floor measured around it when there is one', () => {
    const rows = withRatios([m('floor', 8000), m('lookup', 3000, { floorPerSecond: 6000 }), m('post', 900)], 'floor');
    expect(rows.map((r) => r.ratio)).toEqual([1, 0.5, 0.1125]);
    expect(withRatios([m('lookup', 10, { floorPerSecond: 0 })], 'floor')[0]!.ratio).toBeNull();
  });

  it("prints one aligned table with the ratio, non-2xx (and errors), CPU per request (Roster and database), the machine's busy share and peak RSS", () => {
    const rows = withRatios([m('floor', 8123.4, { peakRssMiB: null, cpuMsPerRequest: null, dbCpuMsPerRequest: null, machineBusy: null }), m('SCIM lookup', 4061.7, { non2xx: 3, errors: 2, floorPerSecond: 8123.4 })], 'floor');
    const lines = formatTable(rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[0]).toMatch(/^scenario +conns +rate +p50 ms +p99 ms +ratio +floor req\/s +non-2xx +CPU ms\/req +DB CPU ms\/req +busy % +peak RSS MiB$/);
    expect(lines[2]).toMatch(/^floor +10 +8,123 req\/s +1\.3 +9\.5 +1\.00 +— +0 +— +— +— +—$/);
    expect(lines[3]).toMatch(/^SCIM lookup +10 +4,062 req\/s +1\.3 +9\.5 +0\.50 +8,123 +3 \(\+2 errors\) +0\.26 +0\.31 +88 +150$/);
  });

  it('writes the rows as JSON, rounded as the table shows them', () => {
    const json = JSON.parse(toJson({ startedAt: 't', users: 10, seconds: 3, database: 'PostgreSQL', node: 'v20', rows: withRatios([m('floor', 3), m('x', 1), m('y', 1, { floorPerSecond: 6.04 })], 'floor') }));
    expect(json.rows[1]).toMatchObject({ scenario: 'x', perSecond: 1, ratio: 0.333, p50Ms: 1.25, peakRssMiB: 150.4, cpuMsPerRequest: 0.257, dbCpuMsPerRequest: 0.314, machineBusy: 0.877 });
    expect(json.rows[1]).not.toHaveProperty('floorPerSecond');
    expect(json.rows[2]).toMatchObject({ scenario: 'y', ratio: 0.166, floorPerSecond: 6 });
  });

  it('reads its options with defaults, and refuses a count that is not one', () => {
    expect(readOptions({})).toEqual({ users: 10_000, seconds: 10, floorSeconds: 3, databaseUrl: undefined, out: 'bench-results.json', only: [], bigGroup: true, rosterNodeArgs: PRODUCTION_NODE_ARGS });
    expect(readOptions({ BENCH_USERS: '1_000_000', BENCH_ONLY: 'floor, POST', BENCH_BIG_GROUP: '0' })).toMatchObject({ users: 1_000_000, only: ['floor', 'POST'], bigGroup: false });
    expect(() => readOptions({ BENCH_SECONDS: 'ten' })).toThrow('BENCH_SECONDS');
  });
});
