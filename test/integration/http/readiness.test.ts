import net from 'node:net';
import { createReadinessProbe } from '../../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

/** /readyz answers within a second, whatever the database does (docs/architecture.md#robustness). */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function timedCheck(url: string) {
  const probe = createReadinessProbe(url);
  const t0 = performance.now();
  try {
    const r = await probe.check();
    return { ...r, ms: performance.now() - t0 };
  } finally {
    await probe.close();
  }
}

describe('the readiness probe', () => {
  it('is ready when the database answers and every migration is applied', async () => {
    expect(await timedCheck(db.url)).toMatchObject({ ok: true, detail: 'ok' });
  });

  it('is not ready, at once, when nothing listens where the database should be', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const r = await timedCheck(`postgres://postgres@127.0.0.1:${port}/x`);
    expect(r).toMatchObject({ ok: false, detail: 'database unreachable' });
    expect(r.ms).toBeLessThan(1000);
  });

  it('is not ready within a second when the database accepts connections but never answers', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await timedCheck(`postgres://postgres@127.0.0.1:${port}/x`);
      expect(r.ok).toBe(false);
      expect(r.ms).toBeLessThan(1000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
