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
 * With `depth` 2, a second write of a key may go while one is on its way, once as many wait as the
 * last one sent carried (checked at the end of each turn in which one arrived), so that batches
 * stay as large as with one on its way; the store sends it behind the first on the same
 * connection (`WriteUnitOptions.pipeline`, docs/architecture.md#pipelined-writes).
 *
 * `writeAll` answers each item of a batch on its own, in order: one item's failure is its own,
 * except that the database did not answer (UnavailableError), which the writes waiting would only
 * meet again: those fail with it at once, rather than wait as long again (docs/architecture.md#robustness).
 *
 * When a batch ends and the next one starts, its items are answered when `writeAll` of the next
 * batch calls `answerBefore`, once its statement is on its way, so that the statement does not
 * wait while answers are built and sent
 * (docs/architecture.md#answers-while-the-next-write-is-on-its-way); at the latest when that write
 * ended, or in the next turn of the event loop, whichever comes first. A `writeAll` whose answers
 * cost little calls it at once.
 */
export function coalescing<I, R>(
  writeAll: (items: readonly I[], answerBefore: () => void, key: string) => Promise<readonly PromiseSettledResult<R>[]>,
  maxBatch: number,
  o: { readonly depth?: 1 | 2 } = {},
): (key: string, item: I) => Promise<R> {
  interface Waiting {
    readonly item: I;
    readonly resolve: (r: R) => void;
    readonly reject: (e: unknown) => void;
  }
  /** A key's writes: those waiting, how many batches are on their way, and the size of the last one sent. */
  interface Queue {
    readonly waiting: Waiting[];
    onTheirWay: number;
    lastSent: number;
    /** A check at the end of this turn is due (see `checkAtTurnEnd`). */
    checking: boolean;
  }
  const depth = o.depth ?? 1;
  const queues = new Map<string, Queue>();

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

  /** Whether the next batch of a key goes now: none on its way, or room for one more and as many waiting as the last carried. */
  const due = (q: Queue): boolean => q.waiting.length > 0 && (q.onTheirWay === 0 || (q.onTheirWay < depth && q.waiting.length >= q.lastSent));

  /** Forgets a key that has nothing waiting and nothing on its way. */
  function forget(key: string, q: Queue): void {
    if (q.onTheirWay === 0 && q.waiting.length === 0 && queues.get(key) === q) queues.delete(key);
  }

  /** Starts the next batch of a key; `answerPrevious` answers the batch that just ended, if any (see `deferred`). */
  function start(key: string, q: Queue, answerPrevious: () => void): void {
    const batch = q.waiting.splice(0, maxBatch);
    q.onTheirWay++;
    q.lastSent = batch.length;
    void write(key, q, batch, answerPrevious);
  }

  async function write(key: string, q: Queue, batch: readonly Waiting[], answerBefore: () => void): Promise<void> {
    let results: readonly PromiseSettledResult<R>[];
    try {
      results = await writeAll(
        batch.map((w) => w.item),
        answerBefore,
        key,
      );
    } catch (e) {
      results = batch.map(() => ({ status: 'rejected', reason: e }));
    } finally {
      answerBefore();
    }
    q.onTheirWay--;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof UnavailableError);
    if (failure) for (const w of q.waiting.splice(0)) w.reject(failure.reason);
    if (due(q)) start(key, q, deferred(batch, results));
    else {
      forget(key, q);
      answer(batch, results);
    }
  }

  /** Once a turn in which writes of a key arrived, sends its next batch if it is due. */
  function checkAtTurnEnd(key: string, q: Queue): void {
    if (q.checking) return;
    q.checking = true;
    setImmediate(() => {
      q.checking = false;
      if (due(q)) start(key, q, () => undefined);
      else forget(key, q);
    });
  }

  return (key, item) =>
    new Promise<R>((resolve, reject) => {
      let q = queues.get(key);
      if (!q) queues.set(key, (q = { waiting: [], onTheirWay: 0, lastSent: 0, checking: false }));
      q.waiting.push({ item, resolve, reject });
      if (q.onTheirWay < depth) checkAtTurnEnd(key, q);
    });
}
