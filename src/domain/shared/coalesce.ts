import { UnavailableError } from '../errors.js';

/**
 * Writes that arrive for a key while a write of that key is on its way wait for it, and then go
 * together, as one write (docs/architecture.md#memberships). A write that finds none of its key on
 * its way goes at the end of the event loop's turn, with the others of its key that arrived in the
 * same turn (requests read from several sockets at once), so nothing waits longer than that unless
 * another write of its key is on its way; under a stream of writes to one key, each write carries
 * the ones that arrived during the one before
 * (docs/architecture.md#writes-that-arrive-in-one-turn-go-together).
 *
 * `writeAll` answers each item of a batch on its own, in order: one item's failure is its own,
 * except that the database did not answer (UnavailableError), which the writes waiting would only
 * meet again: those fail with it at once, rather than wait as long again (docs/architecture.md#robustness).
 *
 * When items wait behind a batch, the next batch may be sent before the batch is answered: its
 * items are answered when `writeAll` of the next batch calls `answerBefore`, once its statement is
 * on its way, so that the statement does not wait while answers are built and sent
 * (docs/architecture.md#answers-while-the-next-write-is-on-its-way); at the latest when that write
 * ended, or in the next turn of the event loop, whichever comes first. A `writeAll` whose answers
 * cost little calls it at once.
 */
export function coalescing<I, R>(
  writeAll: (items: readonly I[], answerBefore: () => void) => Promise<readonly PromiseSettledResult<R>[]>,
  maxBatch: number,
): (key: string, item: I) => Promise<R> {
  interface Waiting {
    readonly item: I;
    readonly resolve: (r: R) => void;
    readonly reject: (e: unknown) => void;
  }
  const queues = new Map<string, Waiting[]>();

  function answer(batch: readonly Waiting[], results: readonly PromiseSettledResult<R>[]): void {
    batch.forEach((w, i) => {
      const r = results[i];
      if (r?.status === 'fulfilled') w.resolve(r.value);
      else w.reject(r ? r.reason : new Error('a coalesced write gave no answer for this item'));
    });
  }

  /** Answers a batch once, when the first of `now()` and the next turn of the event loop comes. */
  function deferred(batch: readonly Waiting[], results: readonly PromiseSettledResult<R>[]): () => void {
    let done = false;
    const now = () => {
      if (done) return;
      done = true;
      clearImmediate(turn);
      answer(batch, results);
    };
    const turn = setImmediate(now);
    return now;
  }

  async function drain(key: string, queue: Waiting[]): Promise<void> {
    // Answers the batch before the one being written (see `deferred`).
    let answerPrevious = (): void => undefined;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        const answerBefore = answerPrevious;
        let results: readonly PromiseSettledResult<R>[];
        try {
          results = await writeAll(batch.map((w) => w.item), answerBefore);
        } catch (e) {
          results = batch.map(() => ({ status: 'rejected', reason: e }));
        } finally {
          answerBefore();
        }
        const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof UnavailableError);
        if (failure) for (const w of queue.splice(0)) w.reject(failure.reason);
        if (queue.length > 0) answerPrevious = deferred(batch, results);
        else answer(batch, results);
      }
    } finally {
      queues.delete(key);
    }
  }

  return (key, item) =>
    new Promise<R>((resolve, reject) => {
      const waiting = queues.get(key);
      if (waiting) {
        waiting.push({ item, resolve, reject });
        return;
      }
      const queue: Waiting[] = [{ item, resolve, reject }];
      queues.set(key, queue);
      setImmediate(() => void drain(key, queue));
    });
}
