import { StaleWriteError, UnavailableError } from '../../../../src/domain/errors.js';
import { retryStale } from '../../../../src/domain/shared/service-kit.js';

/**
 * docs/architecture.md#optimistic-writes: a write is tried from a plain read first, and after a
 * lost race again from a read under the row's lock.
 */
describe('retryStale', () => {
  it('tries unlocked first, and locked after a lost race, until the write lands', async () => {
    const tries: boolean[] = [];
    const result = await retryStale(async (locked) => {
      tries.push(locked);
      if (tries.length < 2) throw new StaleWriteError();
      return 'landed';
    });
    expect(result).toBe('landed');
    expect(tries).toEqual([false, true]);
  });

  it('asks the caller to retry later when the row changes even under its lock, after three tries', async () => {
    const tries: boolean[] = [];
    const e = await retryStale(async (locked) => {
      tries.push(locked);
      throw new StaleWriteError();
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as UnavailableError).reason).toBe('serialization_conflict');
    expect(tries).toEqual([false, true, true]);
  });

  it('passes any other error on at once', async () => {
    let calls = 0;
    await expect(
      retryStale(async () => {
        calls++;
        throw new Error('not a race');
      }),
    ).rejects.toThrow('not a race');
    expect(calls).toBe(1);
  });
});
