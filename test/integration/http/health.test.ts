import { startHarness, type Harness } from '../../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('health endpoints', () => {
  it('answers /healthz while the process is up', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when the database is reachable and migrated', async () => {
    const res = await fetch(`${h.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', detail: 'ok' });
  });

  it('echoes a sane X-Request-Id and puts it on the log line of the request', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(h.logs.some((l) => l.requestId === 'abc-123' && l.path === '/healthz' && l.status === 200)).toBe(true);
  });

  it('replaces an unusable X-Request-Id with a fresh one', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
