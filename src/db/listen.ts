import pg from 'pg';

export interface Listener {
  close(): Promise<void>;
}

/** What to do with a channel's notifications; called without a payload after each (re)connect. */
export type Handlers = Readonly<Record<string, (payload?: string) => void>>;

/**
 * Hears PostgreSQL notifications on the channels of `handlers` over one connection of its own,
 * reconnecting after a second when it breaks (docs/architecture.md#webhooks). Notifications only
 * wake readers up: a reader that misses one (while reconnecting) still finds the work at its next
 * poll.
 */
export function listen(url: string, handlers: Handlers): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    const again = () => {
      if (closed || client !== c) return;
      client = null;
      void c.end().catch(() => undefined);
      retry = setTimeout(() => void connect(), 1000);
    };
    c.on('error', again);
    c.on('end', again);
    c.on('notification', (n) => handlers[n.channel]?.(n.payload));
    try {
      await c.connect();
      await c.query(Object.keys(handlers).map((channel) => `listen ${pg.escapeIdentifier(channel)};`).join(' '));
      // Whatever was committed while not listening is found now.
      for (const onNotify of Object.values(handlers)) onNotify();
    } catch {
      again();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
