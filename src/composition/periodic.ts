/**
 * Runs `task` every `intervalMs`, and once at once when `atStart` is set; a run never starts
 * while the one before it is still going, and `stop` waits for the run in progress. The timers do
 * not keep the process alive.
 */
export function every(intervalMs: number, task: () => Promise<void>, o: { atStart?: boolean } = {}): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = running.then(async () => {
      if (!stopped) await task();
    });
  };
  const first = o.atStart ? setTimeout(run, 0) : null;
  const timer = setInterval(run, intervalMs);
  first?.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      if (first) clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
