/**
 * The calibration floor (docs/architecture.md#performance-budgets): what Node.js and PostgreSQL
 * can do for a SCIM lookup on this machine. A bare `node:http` server — no framework, no
 * authentication — with `pg` and one named prepared statement on a table of its own, answering
 * `GET /Users?filter=userName eq "x"` with a ListResponse built from the stored document.
 *
 * Run as its own process: `FLOOR_DATABASE_URL=... node dist/test/bench/http/floor.js` prints
 * `{"port":N}` once it listens, and stops on SIGTERM.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export const FLOOR_TABLE = 'floor_users';
export const floorSchema = `create table if not exists ${FLOOR_TABLE} (user_name text not null, doc jsonb not null);
  create unique index if not exists floor_users_user_name on ${FLOOR_TABLE} (lower(user_name))`;

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const FILTER = /^userName eq "((?:[^"\\]|\\.)*)"$/;

async function main(): Promise<void> {
  const url = process.env.FLOOR_DATABASE_URL;
  if (!url) throw new Error('FLOOR_DATABASE_URL is not set');
  // As many connections as Roster's pool, so both sides can have the same requests in flight.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const lookup = { name: 'floor_lookup', text: `select doc from ${FLOOR_TABLE} where lower(user_name) = lower($1)` };

  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const u = new URL(req.url ?? '/', 'http://floor');
    const m = u.pathname === '/Users' ? FILTER.exec(u.searchParams.get('filter') ?? '') : null;
    if (!m) return reply(400, { status: '400' });
    pool.query<{ doc: Record<string, unknown> }>({ ...lookup, values: [m[1]!.replace(/\\(.)/g, '$1')] }).then(
      (r) =>
        reply(200, {
          schemas: [LIST_RESPONSE],
          totalResults: r.rows.length,
          startIndex: 1,
          itemsPerPage: r.rows.length,
          Resources: r.rows.map((row) => row.doc),
        }),
      () => reply(503, { status: '503' }),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ port: addr && typeof addr === 'object' ? addr.port : 0 })}\n`);
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void pool.end().then(() => process.exit(0)));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`floor failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
