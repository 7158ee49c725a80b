import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sampleMachine } from '../../bench/http/processes.js';

/** Keeps `n` threads busy for `ms`, so that every core of the machine is. */
const spin = (n: number, ms: number) =>
  Promise.all(
    Array.from({ length: n }, () => {
      const w = new Worker(`const until = Date.now() + ${ms}; while (Date.now() < until);`, { eval: true });
      return new Promise((resolve, reject) => w.once('exit', resolve).once('error', reject));
    }),
  );

describe("the HTTP benchmark's machine sample", () => {
  it('finds the machine busy while every core is', async () => {
    const machine = await sampleMachine();
    await spin(availableParallelism(), 500);
    const busy = await machine.stop();
    expect(busy).not.toBeNull();
    // Starting the threads and the clock's ticks of 10 ms leave a little of the 500 ms idle.
    expect(busy!).toBeGreaterThanOrEqual(0.8);
    expect(busy!).toBeLessThanOrEqual(1);
  });
});
