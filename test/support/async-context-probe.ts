/**
 * Loaded into a process with `--import` (test/e2e/async-context.test.ts): appends to the file that
 * ASYNC_CONTEXT_PROBE_FILE names one line for each place AsyncLocalStorage.run or enterWith is
 * called from (docs/architecture.md#async-context).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';

const file = process.env.ASYNC_CONTEXT_PROBE_FILE;
if (file) {
  const seen = new Set<string>();
  const prototype = AsyncLocalStorage.prototype as unknown as Record<'run' | 'enterWith', (...args: unknown[]) => unknown>;
  for (const method of ['run', 'enterWith'] as const) {
    const original = prototype[method];
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      const from = (new Error().stack ?? '').split('\n').slice(2, 6).map((l) => l.trim()).join(' < ');
      if (!seen.has(from)) {
        seen.add(from);
        appendFileSync(file, `${method}: ${from}\n`);
      }
      return original.apply(this, args);
    };
  }
}
