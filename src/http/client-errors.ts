import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, ScimError } from '../scim/scim.errors.js';
import { COMMON_HEADERS } from './request.js';

/** Node's parser codes for requests it refuses, and how each is answered. */
const REFUSALS: Readonly<Record<string, { status: number; detail: string }>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: 'the request line and headers are larger than 16 KiB; send a long filter in the body of POST /.search (RFC 7644 §3.4.3)',
  },
  HPE_HEADER_TIMEOUT: { status: 408, detail: 'the request headers did not arrive in time' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'the request did not arrive in time' },
};
const MALFORMED = { status: 400, detail: 'the request is not valid HTTP/1.1' };

/**
 * Requests Node's HTTP parser refuses before any middleware runs (headers over its 16 KiB limit,
 * malformed HTTP) get the same kind of answer as every other client error: a SCIM error body
 * that says what to fix (RFC 7644 §3.12; docs/architecture.md#robustness), not an empty status line.
 */
export function answerRefusedRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A peer that went away, or a socket already answered, gets nothing more.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, detail } = REFUSALS[err.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify(errorBody(new ScimError(status, detail)));
    const common = Object.entries(COMMON_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${common}Connection: close\r\n\r\n${body}`,
    );
  });
}
