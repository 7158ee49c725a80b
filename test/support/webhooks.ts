import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import { Webhook } from 'standardwebhooks';
import type { Harness } from './harness.js';

/** One request a receiver got: its headers, its raw body, and whether the signature verified. */
export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
  /** The parsed body when the standardwebhooks verifier accepted it; null when it refused it. */
  readonly verified: { type: string; timestamp: string; data: Record<string, unknown> } | null;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** The secret the verifier checks with (set it after creating the endpoint). */
  secret: string | null;
  /** Decides each answer: a status, or 'hang' to never answer. */
  answer: (r: Received) => number | 'hang';
  /** Resolves once `n` requests arrived (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on loopback. It checks each signature with the `standardwebhooks` package's
 * verifier, so the test does not check Roster's signing with Roster's own code.
 *
 * It answers only its own path, unique to it: a port is reused once an earlier receiver closed it,
 * and a dispatcher still retrying that receiver's endpoint (signed with that endpoint's secret)
 * must not be taken for a delivery to this one. Anything else gets 404 and is not recorded.
 */
export async function startReceiver(path = `/hook/${uuidv7()}`): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const hanging = new Set<ServerResponse>();
  const r: Receiver = {
    url: '',
    received,
    secret: null,
    answer: () => 204,
    async waitFor(n, timeoutMs = 30_000) {
      if (received.length < n) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`receiver got ${received.length} of ${n} requests in ${timeoutMs} ms`)), timeoutMs);
          waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
        });
      }
      return received;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    if (req.url !== path) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: Received['verified'] = null;
      try {
        if (r.secret) verified = new Webhook(r.secret).verify(body, req.headers as Record<string, string>) as Received['verified'];
      } catch {
        verified = null;
      }
      const got: Received = { path: req.url ?? '', headers: req.headers, body, at: Date.now(), verified };
      received.push(got);
      for (const w of waiters.filter((x) => received.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const status = r.answer(got);
      if (status === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  return Object.assign(r, { url: `http://127.0.0.1:${port}${path}` });
}

/** A pending delivery of a made-up event to an endpoint, for tests of what reads deliveries. */
export async function queuedDelivery(h: Harness, tenantId: string, endpointId: string): Promise<string> {
  const id = uuidv7();
  await h.db.orm.em.fork().execute(
    `insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
     values (?, ?, ?, ?, 'user.created', '{}'::jsonb, 'pending', 0, now(), now())`,
    [id, tenantId, endpointId, uuidv7()],
  );
  return id;
}
