/** The pure half of the HTTP benchmark: percentiles, ratios to the floor, the table and its JSON. */

export interface Measurement {
  readonly scenario: string;
  /** Completed requests (any status) per second of the run; for the initial sync, SCIM writes per second. */
  readonly perSecond: number;
  /** What `perSecond` counts: `req/s`, or `writes/s` for the initial sync. */
  readonly unit: 'req/s' | 'writes/s';
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  /** Connection errors and timeouts (no status at all). */
  readonly errors: number;
  readonly connections: number;
  /** Peak resident set size of the process under load (Roster, or the floor) during the scenario, in MiB; null when unknown. */
  readonly peakRssMiB: number | null;
  /** CPU time that process spent per request (every request of the initial sync counts), in milliseconds; null when unknown. */
  readonly cpuMsPerRequest: number | null;
  /** CPU time PostgreSQL's backends spent for the scenario's database per request, in milliseconds; null when the server is not on this machine. */
  readonly dbCpuMsPerRequest: number | null;
  /**
   * The share (0–1) of the machine's CPU time, all cores together, that was not idle while the
   * scenario ran: Roster or the floor, PostgreSQL, the load generator and everything else. A rate
   * that leaves the machine idle waits on something other than CPU; null when /proc cannot tell.
   */
  readonly machineBusy: number | null;
  /**
   * The floor's req/s around this scenario: the mean of short floor loads just before and just
   * after it, so that its ratio is taken against the machine as it was while it ran. Absent for
   * the floor's own row.
   */
  readonly floorPerSecond?: number;
}

/** What a scenario measures itself; the rest of a Measurement is sampled around it (run.ts). */
export type Driven = Omit<Measurement, 'peakRssMiB' | 'cpuMsPerRequest' | 'dbCpuMsPerRequest' | 'machineBusy'>;

export interface Row extends Measurement {
  /** perSecond divided by the floor's req/s around it (else the floor row's); null when there is no floor figure. */
  readonly ratio: number | null;
}

/** The p-th percentile (0–100) of the values by nearest rank; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Adds the ratio to the floor to every row: to the floor measured around it when it has one,
 * else to the floor's own row (the measurement named `floorScenario`).
 */
export function withRatios(measurements: readonly Measurement[], floorScenario: string): Row[] {
  const floor = measurements.find((m) => m.scenario === floorScenario);
  return measurements.map((m) => {
    const base = m.floorPerSecond ?? floor?.perSecond ?? 0;
    return { ...m, ratio: base > 0 ? m.perSecond / base : null };
  });
}

const fixed = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** One table, aligned for a terminal: scenario, throughput, p50, p99, ratio and the floor it is taken to, non-2xx, CPU per request, the machine's busy share, peak RSS. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['scenario', 'conns', 'rate', 'p50 ms', 'p99 ms', 'ratio', 'floor req/s', 'non-2xx', 'CPU ms/req', 'DB CPU ms/req', 'busy %', 'peak RSS MiB'];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.connections),
    `${fixed(r.perSecond, 0)} ${r.unit}`,
    fixed(r.p50Ms, 1),
    fixed(r.p99Ms, 1),
    r.ratio === null ? '—' : fixed(r.ratio, 2),
    r.floorPerSecond === undefined ? '—' : fixed(r.floorPerSecond, 0),
    r.errors > 0 ? `${r.non2xx} (+${r.errors} errors)` : String(r.non2xx),
    r.cpuMsPerRequest === null ? '—' : fixed(r.cpuMsPerRequest, 2),
    r.dbCpuMsPerRequest === null ? '—' : fixed(r.dbCpuMsPerRequest, 2),
    r.machineBusy === null ? '—' : fixed(100 * r.machineBusy, 0),
    r.peakRssMiB === null ? '—' : fixed(r.peakRssMiB, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  // The first column reads left-aligned; figures line up on the right.
  const line = (c: readonly string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export interface Report {
  readonly startedAt: string;
  readonly users: number;
  readonly seconds: number;
  readonly database: string;
  readonly node: string;
  readonly rows: readonly Row[];
}

/** The JSON written to BENCH_OUT: the same rows, figures rounded to what the table shows. */
export function toJson(report: Report): string {
  const round = (x: number, digits: number) => Number(x.toFixed(digits));
  return `${JSON.stringify(
    {
      ...report,
      rows: report.rows.map((r) => ({
        ...r,
        perSecond: round(r.perSecond, 1),
        p50Ms: round(r.p50Ms, 2),
        p99Ms: round(r.p99Ms, 2),
        ratio: r.ratio === null ? null : round(r.ratio, 3),
        ...(r.floorPerSecond === undefined ? {} : { floorPerSecond: round(r.floorPerSecond, 1) }),
        peakRssMiB: r.peakRssMiB === null ? null : round(r.peakRssMiB, 1),
        cpuMsPerRequest: r.cpuMsPerRequest === null ? null : round(r.cpuMsPerRequest, 3),
        dbCpuMsPerRequest: r.dbCpuMsPerRequest === null ? null : round(r.dbCpuMsPerRequest, 3),
        machineBusy: r.machineBusy === null ? null : round(r.machineBusy, 3),
      })),
    },
    null,
    2,
  )}\n`;
}
