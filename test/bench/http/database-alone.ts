/**
 * PostgreSQL alone: the statements Roster sends for one request, captured while the in-process
 * SCIM facade serves it, then sent again and again from a bare `pg` pool with fresh values, as
 * fast as 10 connections go. No HTTP, no Roster code between the statements: the rate is what the
 * database's share of that request allows on this machine, a ceiling for Roster's rate
 * (README "Performance").
 */
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { percentile, type Driven } from './report.js';

/** One statement as `pg` was asked to send it. */
export interface CapturedStatement {
  readonly text: string;
  /** The prepared statement's name, when Roster prepared it. */
  readonly name: string | undefined;
  readonly values: readonly unknown[];
}

type QueryFn = (this: unknown, config: unknown, ...rest: unknown[]) => unknown;

/** A captured statement as a copy sends it. */
export type StatementCopy = { text: string; name: string | undefined; values: unknown[] };
/** The i-th copy of a request's captured statements. */
export type Copy = (i: number) => StatementCopy[];

/**
 * The statements every `pg` client of this process sends while `call` runs, in the order sent.
 * Nothing else in the process may talk to PostgreSQL meanwhile.
 */
export async function captureStatements(call: () => Promise<unknown>): Promise<CapturedStatement[]> {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  const seen: CapturedStatement[] = [];
  proto.query = function (this: unknown, config: unknown, ...rest: unknown[]) {
    if (typeof config === 'string') seen.push({ text: config, name: undefined, values: [] });
    else if (config && typeof config === 'object' && typeof (config as { text?: unknown }).text === 'string') {
      const c = config as { text: string; name?: string; values?: unknown[] };
      seen.push({ text: c.text, name: c.name, values: [...(c.values ?? [])] });
    }
    return original.call(this, config, ...rest);
  };
  try {
    await call();
  } finally {
    proto.query = original;
  }
  return seen;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A string value cut where ids and named values stand: literal text, an id to renew, or a named value. */
type Part = string | { readonly id: string } | { readonly named: string };

/**
 * Makes the i-th copy of captured statements: every id in a value that is not in `keep` becomes a
 * fresh UUIDv7, the same one wherever it stood (the created user's id in its row, its values, its
 * audit and change events), and each `named` value (a userName, an externalId) becomes what its
 * function gives for i, inside JSON text too. Other values are sent as captured.
 */
export function replicator(
  statements: readonly CapturedStatement[],
  keep: ReadonlySet<string>,
  named: Readonly<Record<string, (i: number) => string>>,
): Copy {
  const names = Object.keys(named).sort((a, b) => b.length - a.length);
  const pattern = new RegExp([...names.map(escape), UUID].join('|'), 'gi');
  const cut = (s: string): Part[] => {
    const parts: Part[] = [];
    let at = 0;
    for (const m of s.matchAll(pattern)) {
      if (keep.has(m[0].toLowerCase())) continue;
      parts.push(s.slice(at, m.index), names.includes(m[0]) ? { named: m[0] } : { id: m[0].toLowerCase() });
      at = m.index + m[0].length;
    }
    parts.push(s.slice(at));
    return parts;
  };
  // Each value becomes a function of the fresh values' filler; values without ids or names are sent as captured.
  type Fill = (parts: Part[]) => string;
  const template = (v: unknown): ((fill: Fill) => unknown) => {
    if (typeof v === 'string') {
      const parts = cut(v);
      return (fill) => fill(parts);
    }
    if (Array.isArray(v)) {
      const items = v.map(template);
      return (fill) => items.map((t) => t(fill));
    }
    return () => v;
  };
  const templates = statements.map((s) => ({ text: s.text, name: s.name, values: s.values.map(template) }));
  return (i) => {
    const fresh = new Map<string, string>();
    const values = new Map(names.map((n) => [n, named[n]!(i)]));
    const fill: Fill = (parts) =>
      parts
        .map((p) => {
          if (typeof p === 'string') return p;
          if ('named' in p) return values.get(p.named)!;
          let id = fresh.get(p.id);
          if (!id) fresh.set(p.id, (id = uuidv7()));
          return id;
        })
        .join('');
    return templates.map((t) => ({ text: t.text, name: t.name, values: t.values.map((v) => v(fill)) }));
  };
}

/** Connections of a bare pool, opened before the load so that the database's sampling sees their backends. */
export interface Connections {
  readonly clients: readonly pg.PoolClient[];
  close(): Promise<void>;
}

export async function openConnections(databaseUrl: string, count: number): Promise<Connections> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: count });
  const clients = await Promise.all(Array.from({ length: count }, () => pool.connect()));
  return {
    clients,
    async close() {
      for (const c of clients) c.release();
      await pool.end();
    },
  };
}

/**
 * Sends the i-th copy of the statements, i = 0, 1, …, over the connections for `seconds`, each
 * copy on one connection in the order captured. A copy counts as a request; one that fails counts
 * as an error.
 */
export async function replay(
  connections: Connections,
  scenario: string,
  copy: Copy,
  seconds: number,
): Promise<Driven> {
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  await Promise.all(
    connections.clients.map(async (client) => {
      while (performance.now() < stopAt) {
        const statements = copy(i++);
        const t = performance.now();
        try {
          for (const s of statements) await (s.values.length === 0 && !s.name ? client.query(s.text) : client.query({ text: s.text, name: s.name, values: s.values }));
        } catch {
          errors++;
          await client.query('rollback').catch(() => undefined);
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    scenario,
    perSecond: latencies.length / elapsed,
    unit: 'req/s',
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
    non2xx: 0,
    errors,
    connections: connections.clients.length,
  };
}
