import { readFileSync } from 'node:fs';
import { PRODUCTION_NODE_ARGS, rosterNodeArgs } from '../../bench/http/options.js';

/** The benchmarks run Roster as `npm start` and the Dockerfile do (docs/operations.md#memory). */
const root = new URL('../../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

describe('the node flags Roster runs with', () => {
  it('are the same in npm start, the Dockerfile and the benchmarks', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toBe(`node ${PRODUCTION_NODE_ARGS.join(' ')} dist/src/main.js`);
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...PRODUCTION_NODE_ARGS, 'dist/src/main.js']);
  });

  it('are the production flags unless BENCH_ROSTER_NODE_ARGS says otherwise, and none when it is empty', () => {
    expect(rosterNodeArgs({})).toEqual(PRODUCTION_NODE_ARGS);
    expect(rosterNodeArgs({ BENCH_ROSTER_NODE_ARGS: '' })).toEqual([]);
    expect(rosterNodeArgs({ BENCH_ROSTER_NODE_ARGS: ' --trace-gc  --max-old-space-size=512 ' })).toEqual(['--trace-gc', '--max-old-space-size=512']);
  });
});
