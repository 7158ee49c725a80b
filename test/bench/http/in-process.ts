/**
 * Roster's SCIM facade called inside the benchmark's own process: the router, services, credential
 * cache and database pool the server uses, without sockets, Koa, the request log or metrics. Its
 * rows bound what the HTTP layer costs, and what Roster's domain and PostgreSQL allow at best.
 */
import { randomUUID } from 'node:crypto';
import { openServices } from '../../../src/composition/services.js';
import { loadConfig } from '../../../src/config/config.js';
import { createAdmission } from '../../../src/http/admission.js';
import type { ScimRequest, ScimResponse } from '../../../src/scim/scim.call.js';
import { createScimRouter } from '../../../src/scim/scim.router.js';

export interface InProcessScim {
  /** Answers a request as `METHOD /scim/v2/...` would, with the path and query of `path`. */
  call(method: string, path: string, token: string, body?: unknown): Promise<ScimResponse>;
  close(): Promise<void>;
}

export async function openInProcessScim(databaseUrl: string): Promise<InProcessScim> {
  // The server's defaults, as `npm start` reads them from an environment naming only the database.
  const config = loadConfig({ DATABASE_URL: databaseUrl });
  const { db, services } = await openServices({
    url: databaseUrl,
    dataDir: config.dataDir,
    pool: { poolMax: config.dbPoolMax, acquireTimeoutMs: config.dbAcquireTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
    limits: config.limits,
    webhooks: config.webhooks,
  });
  const admission = createAdmission({ maxInFlight: config.tenantMaxInFlight, maxWaitMs: config.dbAcquireTimeoutMs, onReject: () => undefined });
  const handle = createScimRouter({
    services,
    maxResults: config.maxPageSize,
    retryAfterSeconds: config.retryAfterSeconds,
    admit: (tenantId) => admission.enter(tenantId),
    onUnexpected: () => undefined,
    onUnavailable: () => undefined,
  });
  const baseUrl = 'http://127.0.0.1/scim/v2';
  return {
    call(method, path, token, body) {
      const url = new URL(path, 'http://127.0.0.1');
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const req: ScimRequest = {
        method,
        path: url.pathname.replace(/^\/scim\/v2/, ''),
        query,
        authorization: `Bearer ${token}`,
        ifMatch: undefined,
        ifNoneMatch: undefined,
        body,
        baseUrl,
        requestId: randomUUID(),
      };
      return handle(req);
    },
    close: () => db.close(),
  };
}
