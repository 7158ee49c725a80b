import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../domain/webhook/webhook.dispatcher.js';

/** The most of an answer's body read before the connection is dropped: only the status counts. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Sends webhook requests (docs/architecture.md#webhook-url-guard). The connection goes to one of
 * the addresses the guard checked, through a `lookup` that answers with them instead of asking
 * DNS again, so a name cannot resolve to another address between the check and the connect. No
 * redirect is followed (a 3xx is a failed attempt), the whole attempt has a deadline, and at most
 * MAX_RESPONSE_BYTES of the answer are read.
 */
export function createWebhookSender(): WebhookSender {
  return {
    send(req: WebhookRequest): Promise<WebhookResponse> {
      const pinned = req.addresses[0];
      if (!pinned) return Promise.resolve({ error: 'no address to connect to' });
      const lookup: LookupFunction = (_host, options, cb) => {
        if (options.all) cb(null, req.addresses.map((a) => ({ address: a.address, family: a.family })));
        else cb(null, pinned.address, pinned.family);
      };
      const client = req.url.protocol === 'https:' ? https : http;
      return new Promise<WebhookResponse>((resolve) => {
        let settled = false;
        const done = (r: WebhookResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve(r);
        };
        const request = client.request(
          req.url,
          { method: 'POST', headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) }, lookup, agent: false },
          (res) => {
            let read = 0;
            res.on('data', (chunk: Buffer) => {
              read += chunk.length;
              if (read > MAX_RESPONSE_BYTES) {
                res.destroy();
                done({ status: res.statusCode ?? 0 });
              }
            });
            res.on('end', () => done({ status: res.statusCode ?? 0 }));
            res.on('error', () => done({ status: res.statusCode ?? 0 }));
          },
        );
        const deadline = setTimeout(() => {
          request.destroy();
          done({ error: `no answer within ${req.timeoutMs} ms` });
        }, req.timeoutMs);
        request.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ? `connection failed (${e.code})` : 'connection failed' }));
        request.end(req.body);
      });
    },
  };
}
