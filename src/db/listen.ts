import pg from 'pg';

export interface Listener {
  close(): Promise<void>;
}

/**
 * Hears PostgreSQL notifications on `channel` over a connection of its own, reconnecting after a
 * second when it breaks (docs/architecture.md#webhooks). Notifications only wake readers up: a
 * reader that misses one (while reconnecting) still finds the work at its next poll.
 */
export function listen(url: string, channel: string, onNotify: (payload?: string) => void): Listener {
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
    c.on('notification', (n) => onNotify(n.payload));
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      // Whatever was committed while not listening is found now.
      onNotify();
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
