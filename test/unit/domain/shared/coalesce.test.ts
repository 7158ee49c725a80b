import { UnavailableError } from '../../../../src/domain/errors.js';
import { coalescing } from '../../../../src/domain/shared/coalesce.js';

/** Resolves in the next turn of the event loop, once what a turn defers has run. */
const nextTurn = () => new Promise((r) => setImmediate(r));

/** A write that records its batches and finishes when told to. */
function recorder() {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const write = coalescing<string, string>(async (items) => {
    batches.push([...items]);
    await new Promise<void>((resolve) => pending.push(resolve));
    return items.map((i) => (i.startsWith('bad') ? { status: 'rejected', reason: new Error(i) } : { status: 'fulfilled', value: `done ${i}` }));
  }, 3);
  const finishOne = async () => {
    await nextTurn();
    pending.shift()?.();
    await nextTurn();
  };
  return { batches, write, finishOne };
}

describe('coalescing writes', () => {
  it('sends the writes of a key that arrive in one turn of the event loop together at its end, and those that arrive meanwhile together next, at most maxBatch at a time', async () => {
    const { batches, write, finishOne } = recorder();
    const answers = ['a', 'b', 'c', 'd', 'e'].map((i) => write('k', i));
    expect(batches).toEqual([]);
    await nextTurn();
    expect(batches).toEqual([['a', 'b', 'c']]);
    const late = write('k', 'f');
    await finishOne();
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f']]);
    await finishOne();
    expect(await Promise.all([...answers, late])).toEqual(['done a', 'done b', 'done c', 'done d', 'done e', 'done f']);
  });

  it('sends a write that arrives alone in the next turn of the event loop, without waiting for another', async () => {
    const { batches, write, finishOne } = recorder();
    const answer = write('k', 'a');
    await nextTurn();
    expect(batches).toEqual([['a']]);
    await finishOne();
    expect(await answer).toBe('done a');
  });

  it('answers a batch once the next batch says its statement is on its way, not before', async () => {
    const seen: string[] = [];
    let finish: () => void = () => undefined;
    const write = coalescing<string, string>(async (items, answerBefore) => {
      // A few turns of work before the statement goes out, as building and sending it takes.
      for (let turn = 0; turn < 3; turn++) await Promise.resolve();
      seen.push(`sent ${items.join(' ')}`);
      answerBefore();
      seen.push(`after sent ${items.join(' ')}`);
      await new Promise<void>((resolve) => (finish = resolve));
      return items.map((i) => ({ status: 'fulfilled', value: i }));
    }, 10);
    const answered = (i: string) => (r: string) => void seen.push(`answered ${r === i ? i : '?'}`);
    const first = write('k', 'a').then(answered('a'));
    await nextTurn();
    const next = [write('k', 'b').then(answered('b')), write('k', 'c').then(answered('c'))];
    finish();
    await first;
    expect(seen).toEqual(['sent a', 'after sent a', 'sent b c', 'after sent b c', 'answered a']);
    await nextTurn();
    finish();
    await Promise.all(next);
    // Nothing waited behind b and c: they are answered as soon as their write ended.
    expect(seen.slice(5)).toEqual(['answered b', 'answered c']);
  });

  it('answers a batch at once, not in the next turn, when the next batch says so as it starts', async () => {
    const seen: string[] = [];
    let finish: () => void = () => undefined;
    const write = coalescing<string, string>(async (items, answerBefore) => {
      answerBefore();
      seen.push(`started ${items.join(' ')}`);
      await new Promise<void>((resolve) => (finish = resolve));
      return items.map((i) => ({ status: 'fulfilled', value: i }));
    }, 10);
    const first = write('k', 'a').then((r) => void seen.push(`answered ${r}`));
    await nextTurn();
    const second = write('k', 'b');
    finish();
    // Within the promise jobs of this turn: no turn of the event loop passes.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(seen).toEqual(['started a', 'started b', 'answered a']);
    await first;
    finish();
    expect(await second).toBe('b');
  });

  it('answers a batch in the next turn of the event loop when the next batch does not say it may be', async () => {
    let finish: () => void = () => undefined;
    const write = coalescing<string, string>(async (items) => {
      await new Promise<void>((resolve) => (finish = resolve));
      return items.map((i) => ({ status: 'fulfilled', value: i }));
    }, 10);
    const first = write('k', 'a');
    await nextTurn();
    const second = write('k', 'b');
    finish();
    // b's write is still on its way (never finished here), and a is answered all the same.
    expect(await first).toBe('a');
    finish();
    expect(await second).toBe('b');
  });

  it('keeps keys apart, and starts afresh once a key has nothing waiting', async () => {
    const { batches, write, finishOne } = recorder();
    const first = [write('k', 'a'), write('other', 'x'), write('k', 'b')];
    await nextTurn();
    expect(batches).toEqual([['a', 'b'], ['x']]);
    await finishOne();
    await finishOne();
    await Promise.all(first);
    expect(batches).toEqual([['a', 'b'], ['x']]);
    const later = write('k', 'c');
    await nextTurn();
    expect(batches.at(-1)).toEqual(['c']);
    await finishOne();
    expect(await later).toBe('done c');
  });

  it('answers each item with its own outcome, and a write that throws fails its whole batch only', async () => {
    const { write, finishOne } = recorder();
    const outcomes = Promise.all([
      expect(write('k', 'a')).resolves.toBe('done a'),
      expect(write('k', 'bad one')).rejects.toThrow('bad one'),
      expect(write('k', 'ok')).resolves.toBe('done ok'),
    ]);
    await finishOne();
    await finishOne();
    await outcomes;

    const throwing = coalescing<string, string>(async () => {
      throw new Error('database gone');
    }, 10);
    await expect(throwing('k', 'x')).rejects.toThrow('database gone');
    await expect(throwing('k', 'y')).rejects.toThrow('database gone');
  });

  it('fails the writes waiting behind a batch at once when its failure is one they would only meet again', async () => {
    const pending: (() => void)[] = [];
    const batches: string[][] = [];
    const write = coalescing<string, string>(
      async (items) => {
        batches.push([...items]);
        await new Promise<void>((resolve) => pending.push(resolve));
        return items.map((i) => (i === 'stalled' ? { status: 'rejected', reason: new UnavailableError('unavailable', 'statement_timeout') } : { status: 'rejected', reason: new Error(`own ${i}`) }));
      },
      3,
    );
    const first = write('k', 'stalled');
    await nextTurn();
    const waiting = ['a', 'b', 'c', 'd'].map((i) => write('k', i));
    const outcomes = Promise.allSettled([first, ...waiting]);
    pending.shift()!();
    const settled = await outcomes;
    // None of the waiting ones was sent: each met the first one's failure.
    expect(batches).toEqual([['stalled']]);
    expect(settled.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.value))).toEqual(['unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable']);
    // A failure of an item's own fails it alone, and the next batch goes on.
    const again = [write('k', 'x'), write('k', 'y')];
    const both = Promise.allSettled(again);
    await nextTurn();
    pending.shift()!();
    expect((await both).map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(['own x', 'own y']);
    expect(batches).toEqual([['stalled'], ['x', 'y']]);
  });
  it('with depth 2, sends a second batch of a key while one is on its way once as many wait as the last one sent carried, and no third', async () => {
    const batches: string[][] = [];
    const pending: (() => void)[] = [];
    const write = coalescing<string, string>(
      async (items) => {
        batches.push([...items]);
        await new Promise<void>((resolve) => pending.push(resolve));
        return items.map((i) => ({ status: 'fulfilled', value: `done ${i}` }));
      },
      10,
      { depth: 2 },
    );
    const answers = ['a', 'b', 'c'].map((i) => write('k', i));
    await nextTurn();
    expect(batches).toEqual([['a', 'b', 'c']]);
    // Fewer than the three on their way: they wait for it.
    answers.push(write('k', 'd'), write('k', 'e'));
    await nextTurn();
    expect(batches).toHaveLength(1);
    // As many as the three: they go behind it.
    answers.push(write('k', 'f'));
    await nextTurn();
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f']]);
    // Two on their way: more wait, however many.
    answers.push(...['g', 'h', 'i', 'j'].map((i) => write('k', i)));
    await nextTurn();
    expect(batches).toHaveLength(2);
    pending.shift()!();
    await nextTurn();
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g', 'h', 'i', 'j']]);
    pending.shift()!();
    await nextTurn();
    pending.shift()!();
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((i) => `done ${i}`));
  });

  it('with depth 1, never sends a second batch of a key while one is on its way', async () => {
    const batches: string[][] = [];
    const pending: (() => void)[] = [];
    const write = coalescing<string, string>(async (items) => {
      batches.push([...items]);
      await new Promise<void>((resolve) => pending.push(resolve));
      return items.map((i) => ({ status: 'fulfilled', value: i }));
    }, 10);
    const answers = [write('k', 'a')];
    await nextTurn();
    answers.push(...['b', 'c', 'd'].map((i) => write('k', i)));
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([['a']]);
    pending.shift()!();
    await nextTurn();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    pending.shift()!();
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('hands writeAll the key of its batch', async () => {
    const keys: string[] = [];
    const write = coalescing<string, string>(async (items, _answerBefore, key) => {
      keys.push(key);
      return items.map((i) => ({ status: 'fulfilled', value: i }));
    }, 10);
    await Promise.all([write('one', 'a'), write('two', 'b')]);
    expect(keys.sort()).toEqual(['one', 'two']);
  });
});
