import pg from 'pg';

/**
 * Verified credentials (SCIM connection tokens, API keys) kept in the process, keyed by the hash
 * of the secret, so a request does not send a statement to learn who it comes from
 * (docs/architecture.md#credential-cache).
 *
 * It is only used while it hears of every change: one connection of its own LISTENs on
 * CREDENTIALS_CHANNEL, where PostgreSQL triggers announce each rotation, revocation, deletion or
 * other change of a credential, whichever process or command made it. Each announcement empties
 * the cache. While that connection is down (or not yet up, or silent past its health check) the
 * cache is empty and bypassed, and it is emptied again once the connection is back. A short
 * time-to-live bounds how long an entry lives in any case.
 */
export interface CredentialCache {
  /** The entry under `key`, or undefined when there is none, it expired, or the cache is not listening. */
  get<T>(key: string): T | undefined;
  /** Taken before a lookup; `set` drops a result whose lookup began before the cache was last emptied. */
  epoch(): number;
  set(key: string, value: unknown, epoch: number): void;
  /** Empties the cache (this process changed a credential). */
  clear(): void;
  /**
   * Resolves when the next change is heard, or after `timeoutMs`; after `timeoutMs` too when not
   * listening, or no longer listening. Taken before a change commits, awaited after: its
   * announcement reached this process, and with it, every other listening one (PostgreSQL signals
   * them all at commit); a process that cannot hear gives the others the whole time.
   */
  nextChange(timeoutMs: number): Promise<void>;
  /** Whether changes are being heard, so entries are served. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/** The channel the credential triggers notify (see the credential_notify migration). */
export const CREDENTIALS_CHANNEL = 'roster_credentials';
/** How the listening connection shows in pg_stat_activity. */
export const CREDENTIALS_LISTENER = 'roster credential listener';

export interface CredentialCacheOptions {
  readonly url: string;
  /** How long an entry lives at most. */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  /** How often the listening connection is checked, and how long the check may take. */
  readonly healthCheckMs?: number;
  /** Delay before reconnecting after the listening connection was lost. */
  readonly reconnectMs?: number;
  /** Hears when the cache starts or stops listening (for the log). */
  readonly onState?: (listening: boolean) => void;
}

interface Entry {
  readonly value: unknown;
  readonly expires: number;
}

/** Starts listening and resolves once the first attempt is over; the cache retries on its own after that. */
export async function openCredentialCache(o: CredentialCacheOptions): Promise<CredentialCache> {
  const ttlMs = o.ttlMs ?? 30_000;
  const maxEntries = o.maxEntries ?? 10_000;
  const healthCheckMs = o.healthCheckMs ?? 5_000;
  const reconnectMs = o.reconnectMs ?? 1_000;
  const entries = new Map<string, Entry>();
  let epoch = 0;
  let listening = false;
  let closed = false;
  let client: pg.Client | null = null;
  let reconnect: NodeJS.Timeout | undefined;
  let waiting: (() => void)[] = [];

  const clear = () => {
    epoch++;
    entries.clear();
  };
  const heard = () => {
    clear();
    const w = waiting;
    waiting = [];
    for (const done of w) done();
  };
  const setListening = (on: boolean) => {
    clear();
    if (listening === on) return;
    listening = on;
    o.onState?.(on);
  };

  /** The listening connection is gone or cannot be trusted: stop serving entries, and try again later. */
  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    // Writers waiting to hear their change are not let go: they wait out their time, as those that start now do.
    setListening(false);
    c.removeAllListeners('notification');
    c.on('error', () => undefined);
    void c.end().catch(() => undefined);
    if (!closed) reconnect = setTimeout(() => void connect(), reconnectMs).unref() as NodeJS.Timeout;
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString: o.url, application_name: CREDENTIALS_LISTENER, keepAlive: true, connectionTimeoutMillis: healthCheckMs });
    client = c;
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === CREDENTIALS_CHANNEL) heard();
    });
    try {
      await c.connect();
      await c.query(`listen ${CREDENTIALS_CHANNEL}`);
      if (client === c && !closed) setListening(true);
    } catch {
      lost(c);
    }
  };

  // A connection can die without a word (a dropped route): one that does not answer a check in time is given up.
  const health = setInterval(() => {
    const c = client;
    if (!c || !listening) return;
    let answered = false;
    const deadline = setTimeout(() => {
      if (!answered) lost(c);
    }, healthCheckMs).unref();
    c.query('select 1').then(
      () => {
        answered = true;
        clearTimeout(deadline);
      },
      () => lost(c),
    );
  }, healthCheckMs).unref();

  await connect();

  return {
    get<T>(key: string): T | undefined {
      if (!listening) return undefined;
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.expires <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value as T;
    },
    epoch: () => epoch,
    set(key, value, at) {
      if (!listening || at !== epoch) return;
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, { value, expires: Date.now() + ttlMs });
    },
    clear,
    nextChange(timeoutMs) {
      // Not hearing changes, this process cannot tell when the others heard: it gives them the whole time.
      if (!listening) return new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs).unref();
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearInterval(health);
      clearTimeout(reconnect);
      const c = client;
      client = null;
      listening = false;
      heard();
      if (c) await c.end().catch(() => undefined);
    },
  };
}
