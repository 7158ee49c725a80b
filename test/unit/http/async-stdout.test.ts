import path from 'node:path';
import { ROOT, runNodeProcess } from '../../support/server-process.js';

const LOGGER = path.join(ROOT, 'dist/src/http/logger.js');

/**
 * Runs a process that logs through `asyncStdout`, with a write of earlier lines still waiting in
 * the thread pool (one thread, kept busy) when it logs its last line and leaves through `exit`.
 */
async function linesOfAProcessLeavingWhileAWriteWaits(): Promise<string[]> {
  const script = `
    import { pbkdf2 } from 'node:crypto';
    import { asyncStdout, createLogger } from ${JSON.stringify(LOGGER)};
    const out = asyncStdout();
    const log = createLogger('info', out.stream);
    log.info('first');
    pbkdf2('x', 'y', 2000000, 32, 'sha256', () => {});
    await new Promise((r) => setTimeout(r, 150)); // the periodic flush hands 'first' to the busy pool
    log.info('last');
    await out.exit(0);
  `;
  const { code, stdout } = await runNodeProcess(['--input-type=module', '-e', script], { UV_THREADPOOL_SIZE: '1' });
  expect(code).toBe(0);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
}

describe('asynchronous standard output', () => {
  it('writes every line, in order, before the process exits, even with a write still on its way', async () => {
    expect(await linesOfAProcessLeavingWhileAWriteWaits()).toEqual(['first', 'last']);
  }, 20_000);
});
