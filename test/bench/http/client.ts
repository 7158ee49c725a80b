/** A small keep-alive HTTP client for seeding and for the initial-sync driver. */
import { Agent, request } from 'node:http';

export interface Reply {
  readonly status: number;
  // SCIM and GraphQL bodies are JSON of many shapes; the bench reads a field or two.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  /** Time to the whole answer, in milliseconds. */
  readonly ms: number;
}

export type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

/** Requests against `baseUrl` with `token` as bearer, over at most `sockets` kept-alive connections. */
export function client(baseUrl: string, token: string, sockets: number): Call {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(baseUrl);
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const t = process.hrtime.bigint();
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path: `${base.pathname.replace(/\/$/, '')}${path}`,
          headers: {
            authorization: `Bearer ${token}`,
            ...(text === undefined ? {} : { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(text) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString();
            let parsed: unknown = undefined;
            try {
              parsed = raw ? JSON.parse(raw) : undefined;
            } catch {
              parsed = raw;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, ms: Number(process.hrtime.bigint() - t) / 1e6 });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(text);
    });
}

/** Runs `task` for 0..n-1 with at most `width` in flight; stops at the first failure. */
export async function inParallel(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}
