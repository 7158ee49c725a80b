import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type Koa from 'koa';
import { createApp, jsonBodyParser } from '../../../src/http/app.js';
import { createLogger } from '../../../src/http/logger.js';

/** The common Koa layer: body limits and the last-resort error handler. */
let server: Server;
let base: string;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _e, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) logs.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const echo: Koa.Middleware = async (ctx, next) => {
    if (ctx.path === '/boom') throw new Error('connection string postgres://admin:hunter2@db/x');
    if (ctx.path !== '/echo') return next();
    await jsonBodyParser(1024)(ctx, async () => undefined);
    ctx.body = { got: (ctx.request as unknown as { body: unknown }).body };
  };
  const app = createApp({ config: { bodyLimitBytes: 1024 }, logger: createLogger('info', sink), ready: async () => ({ ok: false, detail: 'database unreachable' }), mounts: [echo] });
  server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('http app', () => {
  it('answers 503 on /readyz when the database is not ready', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', detail: 'database unreachable' });
  });

  it('parses JSON and SCIM JSON bodies', async () => {
    for (const type of ['application/json', 'application/scim+json; charset=utf-8']) {
      const res = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': type }, body: '{"a":1}' });
      expect(await res.json()).toEqual({ got: { a: 1 } });
    }
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(5000) }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'request body is too large' });
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'request body is not valid JSON' });
  });

  it('masks unexpected errors, logging them with the request id', async () => {
    const res = await fetch(`${base}/boom`, { headers: { 'x-request-id': 'req-boom' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal error', requestId: 'req-boom' });
    expect(text).not.toContain('hunter2');
    expect(logs.some((l) => l.requestId === 'req-boom' && l.msg === 'unhandled error')).toBe(true);
  });

  it('exposes Prometheus metrics by front door and status, never by path', async () => {
    await fetch(`${base}/readyz`);
    await fetch(`${base}/echo/01900000-0000-7000-8000-000000000001`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/roster_http_requests_total\{door="ops",method="GET",status="503"\} [1-9]/);
    expect(text).toMatch(/roster_http_request_duration_seconds_bucket\{le="0.005",door="other"/);
    expect(text).toContain('roster_process_cpu_seconds_total');
    expect(text).not.toContain('01900000-0000-7000-8000-000000000001');
  });
});
