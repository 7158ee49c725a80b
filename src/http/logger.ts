import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';
import { isDomainError, UnavailableError } from '../domain/errors.js';

export type { Logger };

/** The stack's frames only: its first line repeats the message, which may hold values. */
function frames(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const lines = stack.split('\n').filter((l) => /^\s+at /.test(l));
  return lines.length ? lines.join('\n') : undefined;
}

/** JSON.parse quotes the text it failed on ("…" is not valid JSON): that text came from a client. */
const scrubMessage = (e: { name?: unknown; message?: unknown }): string | undefined => {
  if (typeof e.message !== 'string') return undefined;
  return e.name === 'SyntaxError' ? e.message.replace(/(["'`]).*?\1/gs, '$1…$1') : e.message;
};

/** What a log line may say about an error of a lower layer (a database error), or null when it is not one. */
export type DescribeError = (e: unknown) => object | null;

/**
 * The one serializer of errors in logs (docs/operations.md#logs). Errors `describe` knows (the
 * database's: SQLSTATE, constraint, statement fingerprint, since their messages hold the
 * statement with its values inlined) are logged as it describes them. Other errors keep name,
 * message and frames, but none of their other properties, where libraries put request bodies
 * and the like.
 */
export function serializeError(e: unknown, describe: DescribeError = () => null, depth = 0): unknown {
  if (!e || typeof e !== 'object') return e;
  const err = e as { name?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
  const stack = frames(err.stack);
  const known = describe(e);
  if (known) return { ...known, ...(stack ? { stack } : {}) };
  const out: Record<string, unknown> = { type: typeof err.name === 'string' ? err.name : 'Error', message: scrubMessage(err) };
  if (isDomainError(e)) {
    out.code = e.code;
    if (e.field) out.field = e.field;
    if (e instanceof UnavailableError) out.reason = e.reason;
  }
  if (stack) out.stack = stack;
  if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, describe, depth + 1);
  return out;
}

/**
 * JSON logs. Credentials are redacted wherever they might appear; request and response bodies,
 * query strings (SCIM filters carry e-mail addresses) and SQL values are never logged
 * (composition/logger.ts passes the database's error description).
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream, describeError?: DescribeError): Logger {
  const options = {
    level,
    base: { service: 'roster' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: (e: unknown) => serializeError(e, describeError) },
    redact: {
      paths: ['authorization', 'headers.authorization', 'req.headers.authorization', 'token', 'secret', 'password', '*.token', '*.secret', '*.password'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A destination whose writes the process does not wait for, and the way to leave without losing them. */
export interface AsyncDestination {
  readonly stream: NodeJS.WritableStream;
  /** Writes out what is buffered, synchronously (on a fatal error, when nothing can be waited for). */
  flush(): void;
  /**
   * Waits until every line logged so far is written, in order, then exits with `code` (on
   * shutdown). A write still on its way is waited for, at most `waitMs`.
   */
  exit(code: number, waitMs?: number): Promise<never>;
}

/**
 * Standard output written asynchronously and in batches, so a request neither waits for its log
 * line nor pays a write of its own: lines are buffered until 4 KiB gather or 100 ms pass
 * (docs/operations.md#logs). Lines still buffered are written out synchronously when the process
 * exits, however it exits; a shutdown leaves through `exit`, which first lets a write already on
 * its way end, since a synchronous write would overtake it.
 */
export function asyncStdout(): AsyncDestination {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
  const flush = () => {
    try {
      dest.flushSync();
    } catch {
      // Not open yet, or already closed: nothing is buffered that could still be written.
    }
  };
  process.once('exit', flush);
  const exit = async (code: number, waitMs = 2_000): Promise<never> => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        dest.flush(done);
      } catch {
        done(); // not open yet, or already closed
      }
    });
    process.exit(code);
  };
  return { stream: dest as unknown as NodeJS.WritableStream, flush, exit };
}
