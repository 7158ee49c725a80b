import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import type { Ctx } from '../../src/domain/context.js';
import { emptyProfile } from '../../src/domain/user/user.js';
import { startHarness, type Harness } from '../support/harness.js';
import { scimRequest, type FuzzRequest } from './arbitraries.js';

/**
 * Sends generated SCIM requests through the real Koa app, over real HTTP, on a real PostgreSQL,
 * and checks the properties every answer must have (docs/architecture.md#robustness):
 * - no 5xx (but 501, RFC 7644's answer for /Me and /Bulk) and no dropped connection;
 * - every 4xx is a SCIM error: application/scim+json, the error schema, `status` the HTTP status as a string;
 * - the server still answers after each batch (/healthz and a SCIM list);
 * - after the run, every stored user and group still renders in the list pages.
 *
 * Request `index` of seed `seed` is always the same request: generation is seeded per batch
 * of BATCH requests, so any index can be regenerated on its own.
 */

export const BATCH = 50;
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const REQUEST_TIMEOUT_MS = 30_000;
const SHOWN_BODY = 1_500;

export interface Pools {
  readonly users: string[];
  readonly groups: string[];
  /** Ids of resources the run created (and may delete). */
  readonly created: string[];
  readonly missing: string;
}

/** Two connections: Entra's defaults, and one that derives login names with suffixes and adopts matches. */
export interface FuzzTarget {
  readonly harness: Harness;
  readonly tokens: readonly string[];
  readonly pools: Pools;
  close(): Promise<void>;
}

export async function startTarget(): Promise<FuzzTarget> {
  // Warnings and errors only: the fuzzer reads them to name the cause of a 5xx.
  const harness = await startHarness({ LOG_LEVEL: 'warn' });
  const ctx: Ctx = await harness.tenant('fuzz');
  const entra = await harness.services.connections.create(ctx, 'entra');
  const singleId = await harness.services.connections.create(ctx, 'singleid', { loginName: 'localPart', onLoginNameCollision: 'suffix', matchBy: ['userName', 'anyEmail'] });
  const users: string[] = [];
  for (let i = 0; i < 8; i++) {
    const { user } = await harness.services.users.create(ctx, {
      ...emptyProfile(`seed${i}@example.com`),
      displayName: `Seed ${i}`,
      emails: [{ value: `seed${i}@example.com`, type: 'work', primary: true, display: null }],
      addresses: [{ type: 'work', primary: false, formatted: null, streetAddress: `${i} Main St`, locality: 'Springfield', region: null, postalCode: null, country: 'US' }],
    });
    users.push(user.id);
  }
  const groups: string[] = [];
  for (let i = 0; i < 4; i++) {
    const g = await harness.services.groups.create(ctx, { displayName: `Seed group ${i}`, externalId: null, extensions: {} }, users.slice(i, i + 3).map((id) => ({ id, type: 'User' as const })));
    groups.push(g.id);
  }
  await harness.services.groups.addMembers(ctx, groups[0]!, [{ id: groups[1]!, type: 'Group' }]);
  return {
    harness,
    tokens: [entra.token, singleId.token],
    pools: { users, groups, created: [], missing: uuidv7() },
    close: () => harness.close(),
  };
}

// ---- generation -----------------------------------------------------------------------------

const batchSeed = (seed: number, batch: number) => (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(batch + 1, 0x85ebca6b)) | 0;
let cached: { seed: number; batch: number; requests: FuzzRequest[] } | null = null;

/** The request at `index` for `seed`; the same on every machine and run. */
export function requestAt(seed: number, index: number): FuzzRequest {
  const batch = Math.floor(index / BATCH);
  if (!cached || cached.seed !== seed || cached.batch !== batch) {
    cached = { seed, batch, requests: fc.sample(scimRequest, { seed: batchSeed(seed, batch), numRuns: BATCH }) };
  }
  return cached.requests[index % BATCH]!;
}

// ---- materialising and sending ----------------------------------------------------------------

export interface Wire {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
}

const TOKEN = /(?:\{\{|%7B%7B)(user|group|created)(?::|%3A)(\d+)(?:\}\}|%7D%7D)|(?:\{\{|%7B%7B)missing(?:\}\}|%7D%7D)/gi;

function resolveIds(s: string, pools: Pools): string {
  return s.replace(TOKEN, (_m, kind: string | undefined, n: string | undefined) => {
    if (!kind) return pools.missing;
    const list = kind.toLowerCase() === 'user' ? pools.users : kind.toLowerCase() === 'group' ? pools.groups : pools.created.length ? pools.created : pools.users;
    return list[Number(n) % list.length]!;
  });
}

/** `"{{deep:N}}"` → N levels of alternating arrays and objects, as JSON text. */
const expandDeep = (s: string) => s.replace(/"\{\{deep:(\d+)\}\}"/g, (_m, n: string) => {
  const half = Math.ceil(Number(n) / 2);
  return `${'[{"a":'.repeat(half)}1${'}]'.repeat(half)}`;
});

export function materialise(req: FuzzRequest, pools: Pools, token: string, requestId: string): Wire {
  let body: Buffer | undefined;
  if (req.body && 'bytes' in req.body) body = Buffer.from(req.body.bytes);
  else if (req.body && 'text' in req.body) body = Buffer.from(resolveIds(req.body.text, pools), 'utf8');
  else if (req.body) body = Buffer.from(expandDeep(resolveIds(JSON.stringify(req.body.json) ?? 'null', pools)), 'utf8');
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-request-id': requestId, ...req.headers };
  if (body) headers['content-length'] = String(body.length);
  return { method: req.method, path: `/scim/v2${resolveIds(req.path, pools)}`, headers, body };
}

/** The request as a person reproduces it (bodies shortened; raw bytes in hex). */
export function show(w: Wire): string {
  const headers = Object.entries(w.headers)
    .filter(([k]) => k !== 'authorization' && k !== 'content-length')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  let body = '';
  if (w.body) {
    const text = w.body.toString('utf8');
    const wellFormed = Buffer.from(text, 'utf8').equals(w.body);
    const shown = wellFormed ? JSON.stringify(text.slice(0, SHOWN_BODY)) : `hex ${w.body.subarray(0, SHOWN_BODY).toString('hex')}`;
    body = `\nbody (${w.body.length} bytes): ${shown}${w.body.length > SHOWN_BODY ? ' …' : ''}`;
  }
  return `${w.method} ${w.path}\n${headers}${body}`;
}

export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** Set when no HTTP answer came: the connection dropped or the request timed out. */
  readonly dropped?: string;
}

export function createSender(baseUrl: string, concurrency: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = (w: Wire): Promise<Reply> =>
    new Promise((resolve) => {
      const r = httpRequest({ host: url.hostname, port: url.port, method: w.method, path: w.path, headers: w.headers, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => resolve({ status: 0, contentType: '', text: '', dropped: e.message }));
      });
      r.on('timeout', () => r.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      r.on('error', (e) => resolve({ status: 0, contentType: '', text: '', dropped: e.message }));
      r.end(w.body);
    });
  return { send, close: () => agent.destroy() };
}

// ---- properties -------------------------------------------------------------------------------

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** What is wrong with an answer, or null when it has every property. */
export function violation(method: string, reply: Reply): string | null {
  if (reply.dropped) return `dropped connection: ${reply.dropped}`;
  // RFC 7644 §3.11, §3.12: 501 is the answer for what Roster does not implement (/Me, /Bulk).
  if (reply.status >= 500 && reply.status !== 501) return `status ${reply.status}`;
  if (reply.status >= 400 && method !== 'HEAD') {
    if (!reply.contentType.startsWith('application/scim+json')) return `${reply.status} answered as "${reply.contentType}", not application/scim+json`;
    const body = parse(reply.text) as { schemas?: unknown; status?: unknown } | undefined;
    if (!body || !Array.isArray(body.schemas) || !body.schemas.includes(ERROR_SCHEMA)) return `${reply.status} without the SCIM error schema`;
    if (body.status !== String(reply.status)) return `${reply.status} with "status": ${JSON.stringify(body.status)}`;
  }
  if (reply.status >= 200 && reply.status < 300 && reply.text && parse(reply.text) === undefined) return `${reply.status} with a body that is not JSON`;
  return null;
}

// ---- campaigns --------------------------------------------------------------------------------

export interface Finding {
  readonly index: number;
  readonly status: number;
  readonly problem: string;
  /** The cause the server logged (error type and message), when it logged one. */
  readonly cause: string | null;
  readonly request: string;
}

export interface Summary {
  readonly seed: number;
  readonly requests: number;
  /** Answers by status class; 501 (not implemented, RFC 7644 §3.11) apart from the other 5xx. */
  readonly byClass: Record<string, number>;
  /** Answers 500-599 other than 501. */
  readonly fiveXx: number;
  readonly dropped: number;
  readonly findings: Finding[];
  /** Failures of the liveness checks between batches and of the final rendering of stored data. */
  readonly health: string[];
  readonly ms: number;
}

export interface CampaignOptions {
  readonly seed: number;
  readonly runs: number;
  readonly from?: number;
  readonly concurrency?: number;
  readonly onBatch?: (s: Summary) => void;
}

/**
 * The cause of a failed request: the error line the app logged with its request id (database
 * errors are logged by SQLSTATE and condition, never their SQL), else the answer's own detail.
 */
function causeOf(logs: readonly Record<string, unknown>[], requestId: string, reply: Reply): string | null {
  for (const line of logs) {
    if (line.requestId !== requestId || Number(line.level) < 50) continue;
    const err = (line.err ?? {}) as Record<string, unknown>;
    const frame = typeof err.stack === 'string' ? err.stack.split('\n').find((l) => l.includes('/src/'))?.trim() : undefined;
    const parts = [err.type, err.sqlState, err.condition, err.routine, err.code, err.message ?? line.msg, frame];
    return parts.filter((p) => typeof p === 'string' && p !== '').join(' | ');
  }
  const detail = (parse(reply.text) as { detail?: unknown } | undefined)?.detail;
  return typeof detail === 'string' ? `answered: ${detail}` : null;
}

export async function runCampaign(target: FuzzTarget, o: CampaignOptions): Promise<Summary> {
  const started = Date.now();
  const concurrency = o.concurrency ?? 1;
  const sender = createSender(target.harness.baseUrl, concurrency);
  const s = { seed: o.seed, requests: 0, byClass: {} as Record<string, number>, fiveXx: 0, dropped: 0, findings: [] as Finding[], health: [] as string[], ms: 0 };
  const from = o.from ?? 0;
  const end = from + o.runs;
  const get = (path: string) => sender.send({ method: 'GET', path, headers: { authorization: `Bearer ${target.tokens[0]}` }, body: undefined });

  async function one(index: number): Promise<void> {
    const req = requestAt(o.seed, index);
    const requestId = `fuzz-${o.seed >>> 0}-${index}`;
    const wire = materialise(req, target.pools, target.tokens[index % 4 === 3 ? 1 : 0]!, requestId);
    const reply = await sender.send(wire);
    s.requests += 1;
    const cls = reply.dropped ? 'dropped' : reply.status === 501 ? '501' : `${Math.floor(reply.status / 100)}xx`;
    s.byClass[cls] = (s.byClass[cls] ?? 0) + 1;
    if (reply.status >= 500 && reply.status !== 501) s.fiveXx += 1;
    if (reply.dropped) s.dropped += 1;
    if (reply.status === 201 && req.method === 'POST') {
      const id = (parse(reply.text) as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') target.pools.created.push(id);
    }
    const problem = violation(req.method, reply);
    if (problem) s.findings.push({ index, status: reply.status, problem, cause: causeOf(target.harness.logs, requestId, reply), request: show(wire) });
  }

  for (let batchStart = from; batchStart < end; batchStart += BATCH) {
    const batchEnd = Math.min(end, (Math.floor(batchStart / BATCH) + 1) * BATCH);
    let next = batchStart;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batchEnd) await one(next++);
      }),
    );
    const [health, list] = await Promise.all([get('/healthz'), get('/scim/v2/Users?count=1')]);
    if (health.status !== 200) s.health.push(`after request ${batchEnd - 1}: /healthz answered ${health.status}${health.dropped ? ` (${health.dropped})` : ''}`);
    if (list.status !== 200) s.health.push(`after request ${batchEnd - 1}: GET /Users answered ${list.status}${list.dropped ? ` (${list.dropped})` : ''}`);
    // The app keeps its error lines in memory; the ones already read are not needed again.
    target.harness.logs.length = 0;
    o.onBatch?.({ ...s, ms: Date.now() - started });
  }

  // Whatever was stored renders: every page of every list.
  for (const type of ['Users', 'Groups']) {
    for (let start = 1; ; start += 100) {
      const page = await get(`/scim/v2/${type}?startIndex=${start}&count=100`);
      const body = parse(page.text) as { Resources?: unknown[]; totalResults?: number } | undefined;
      if (page.status !== 200 || !body) {
        s.health.push(`GET /${type}?startIndex=${start}&count=100 after the run answered ${page.status}${page.dropped ? ` (${page.dropped})` : ''}`);
        break;
      }
      if (!body.Resources?.length || start + 100 > (body.totalResults ?? 0)) break;
    }
  }
  sender.close();
  return { ...s, ms: Date.now() - started };
}

/** A finding as text: what failed, why, and how to send the same request again. */
export function describeFinding(f: Finding, seed: number): string {
  return `#${f.index} (FUZZ_SEED=${seed} index ${f.index}): ${f.problem}${f.cause ? `\n  cause: ${f.cause}` : ''}\n  ${f.request.replace(/\n/g, '\n  ')}`;
}
