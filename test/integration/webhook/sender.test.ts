import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createWebhookDispatcher } from '../../../src/composition/webhooks.js';
import type { Ctx } from '../../../src/domain/context.js';
import { emptyProfile } from '../../../src/domain/user/user.js';
import type { Dispatcher } from '../../../src/domain/webhook/webhook.dispatcher.js';
import { createWebhookSender, MAX_RESPONSE_BYTES } from '../../../src/http/webhook.sender.js';
import { startHarness, type Harness } from '../../support/harness.js';

/**
 * The real webhook sender against receivers on loopback that answer badly: a redirect is a failed
 * attempt and is not followed, and an endless or huge answer is cut after MAX_RESPONSE_BYTES while
 * the attempt still counts by its status.
 */
interface Loopback {
  readonly url: string;
  /** Requests it got, by path. */
  readonly hits: string[];
  /** Bytes of answer body it managed to write before its connection closed. */
  written: number;
  /** Resolves when the connection of an answer closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

const servers: Loopback[] = [];

async function loopback(handle: (req: IncomingMessage, res: ServerResponse, self: Loopback) => void): Promise<Loopback> {
  let markClosed: () => void = () => undefined;
  const self: Loopback = {
    url: '',
    hits: [],
    written: 0,
    closed: new Promise<void>((resolve) => (markClosed = resolve)),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    self.hits.push(req.url ?? '');
    res.on('close', () => markClosed());
    req.resume();
    req.on('end', () => handle(req, res, self));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  Object.assign(self, { url: `http://127.0.0.1:${addr && typeof addr === 'object' ? addr.port : 0}` });
  servers.push(self);
  return self;
}

/** Writes body chunks for as long as the client reads them, and never ends the answer. */
function endless(status: number) {
  return (_req: IncomingMessage, res: ServerResponse, self: Loopback) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed) {
        self.written += chunk.length;
        if (!res.write(chunk)) return;
      }
    };
    res.on('drain', pump);
    pump();
  };
}

const sender = createWebhookSender();
const send = (url: string, timeoutMs = 10_000) =>
  sender.send({ url: new URL(url), addresses: [{ address: '127.0.0.1', family: 4 }], headers: { 'content-type': 'application/json' }, body: '{"type":"user.created"}', timeoutMs });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('webhook sender', () => {
  it.each([301, 302, 303, 307, 308])('takes a %i as the answer and does not follow it', async (status) => {
    const target = await loopback((_req, res) => res.writeHead(204).end());
    const redirecting = await loopback((_req, res) => res.writeHead(status, { location: `${target.url}/elsewhere` }).end());
    expect(await send(`${redirecting.url}/hook`)).toEqual({ status });
    expect(redirecting.hits).toEqual(['/hook']);
    expect(target.hits).toEqual([]);
  });

  it.each([200, 500])('stops reading an endless answer after 64 KiB and answers with its status (%i), long before the deadline', async (status) => {
    const flood = await loopback(endless(status));
    const started = Date.now();
    expect(await send(`${flood.url}/hook`, 20_000)).toEqual({ status });
    expect(Date.now() - started).toBeLessThan(5_000);
    // The connection is dropped: the receiver can write no more than the socket buffers hold.
    await flood.closed;
    expect(flood.written).toBeGreaterThanOrEqual(MAX_RESPONSE_BYTES);
    expect(flood.written).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('webhook attempts through the dispatcher', () => {
  let h: Harness;
  const dispatchers: Dispatcher[] = [];
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
  });
  afterAll(async () => h.close());

  function dispatcher(): void {
    const d = createWebhookDispatcher(h.db.orm, {
      settings: { ...h.config.webhooks, pollIntervalMs: 50, timeoutMs: 8000, retryBaseMs: 60_000, retryMaxDelayMs: 60_000, retryForMs: 3_600_000 },
      log: { warn: () => undefined, info: () => undefined },
    });
    dispatchers.push(d);
    d.start();
  }

  /** The endpoint's only delivery once its first attempt is recorded. */
  async function firstAttempt(ctx: Ctx, url: string) {
    const { endpoint } = await h.services.webhooks.create(ctx, { url, events: ['user.created'] });
    dispatcher();
    await h.services.users.create(ctx, emptyProfile(`attempt-${Date.now()}@example.com`));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [d] = (await h.services.webhooks.deliveries(ctx, endpoint.id, { cursor: null, limit: 10 })).items.map((i) => i.node);
      if ((d && d.lastAttemptAt !== null) || Date.now() > deadline) return d;
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  it('records a redirect as a failed attempt with its status, retries it later, and never reaches the redirect target', async () => {
    const ctx = await h.tenant();
    const target = await loopback((_req, res) => res.writeHead(204).end());
    const redirecting = await loopback((_req, res) => res.writeHead(307, { location: `${target.url}/moved` }).end());
    const d = await firstAttempt(ctx, `${redirecting.url}/hook`);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 307, lastError: 'HTTP 307' });
    expect(d!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 10_000);
    expect(target.hits).toEqual([]);
  });

  it('records an attempt answered 2xx with an endless body as delivered, without waiting for the body', async () => {
    const ctx = await h.tenant();
    const flood = await loopback(endless(200));
    const d = await firstAttempt(ctx, `${flood.url}/hook`);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null });
    // Within the 8 s deadline by far: the attempt ended when the cap was reached, not at the deadline.
    expect(d!.deliveredAt!.getTime() - d!.createdAt.getTime()).toBeLessThan(5_000);
    await flood.closed;
  });
});
