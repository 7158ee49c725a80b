import { Writable } from 'node:stream';
import { createRosterLogger } from '../../../src/composition/logger.js';
import { requestLog } from '../../../src/http/request.js';

/** A logger writing to memory, and its lines as parsed JSON. */
function captured() {
  const out: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  const logger = createRosterLogger('info', dest);
  return { logger, lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the request line (docs/operations.md#logs)', () => {
  it('says method, logged path, status, time, request id and principal, and leaves out keys with no value', async () => {
    const { logger, lines } = captured();
    const log = requestLog(logger);
    const started = process.hrtime.bigint();
    log({ requestId: 'req-1', method: 'GET', path: '/scim/v2/Users/kim@example.com', status: 404, started, principal: { tenantId: 't1', connectionId: 'c1' } });
    log({ requestId: 'req-2', method: 'POST', path: '/graphql', status: 200, started, principal: { tenantId: null, apiKeyId: 'k1' } });
    log({ requestId: 'req-3', method: 'GET', path: '/healthz', status: 200, started });
    await settle();
    const [scim, graphql, health] = lines();
    expect(Object.keys(scim!).sort()).toEqual(['connectionId', 'level', 'method', 'ms', 'msg', 'path', 'requestId', 'service', 'status', 'tenantId', 'time'].sort());
    expect(scim).toMatchObject({ msg: 'request', requestId: 'req-1', method: 'GET', path: '/scim/v2/Users/:value', status: 404, tenantId: 't1', connectionId: 'c1' });
    expect(typeof scim!.ms).toBe('number');
    expect(graphql).toMatchObject({ requestId: 'req-2', path: '/graphql', tenantId: null, apiKeyId: 'k1' });
    expect(graphql).not.toHaveProperty('connectionId');
    expect(health).not.toHaveProperty('tenantId');
    expect(health).not.toHaveProperty('apiKeyId');
  });

  it('leaves the redaction of every other line as it was', async () => {
    const { logger, lines } = captured();
    requestLog(logger);
    logger.info({ token: 'tok-secret', headers: { authorization: 'Bearer tok-secret' }, connection: { secret: 'tok-secret' } }, 'other');
    logger.child({ requestId: 'r' }).info({ password: 'tok-secret' }, 'child');
    await settle();
    const text = lines().map((l) => JSON.stringify(l)).join('\n');
    expect(text).not.toContain('tok-secret');
    expect(lines()[0]).toMatchObject({ token: '[redacted]', headers: { authorization: '[redacted]' }, connection: { secret: '[redacted]' } });
  });
});
