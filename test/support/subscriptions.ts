import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What one subscription received: its results, and how it ended (an error list, or the socket's close). */
export interface Received<T> {
  readonly results: T[];
  readonly errors: unknown[];
  /** Resolves when the subscription ends: completed, errored, or its socket closed. */
  readonly ended: Promise<void>;
  /** Resolves once at least `n` results arrived (fails after `timeoutMs`). */
  atLeast(n: number, timeoutMs?: number): Promise<T[]>;
  stop(): void;
}

/** A real graphql-ws client on `<baseUrl>/graphql`, sending `connectionParams` in connection_init. */
export function wsClient(baseUrl: string, connectionParams: Record<string, unknown> | null, onClose?: (code: number, reason: string) => void): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: connectionParams ?? undefined,
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e) => onClose?.((e as { code: number }).code, String((e as { reason?: unknown }).reason ?? '')) },
  });
}

export function subscribe<T = Record<string, unknown>>(client: Client, query: string, variables: Record<string, unknown> = {}, operationName?: string): Received<T> {
  const results: T[] = [];
  const errors: unknown[] = [];
  let end!: () => void;
  const ended = new Promise<void>((r) => (end = r));
  const stop = client.subscribe<T>({ query, variables, ...(operationName === undefined ? {} : { operationName }) }, {
    next: (r) => {
      if (r.errors) errors.push(...r.errors);
      if (r.data) results.push(r.data as T);
    },
    error: (e) => {
      // A refused operation's errors come as a list; a closed socket as its close event.
      if (Array.isArray(e)) errors.push(...(e as unknown[]));
      else errors.push(e);
      end();
    },
    complete: () => end(),
  });
  return {
    results,
    errors,
    ended,
    stop,
    async atLeast(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < n) {
        if (Date.now() > deadline) throw new Error(`received ${results.length} of ${n} results; errors: ${JSON.stringify(errors)}`);
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return results.slice(0, n);
    },
  };
}
