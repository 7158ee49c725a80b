import { Writable } from 'node:stream';
import { formatDuration, startProgress } from '../../../src/cli/progress.js';

function terminal(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { term: { stream, isTTY }, text: () => text };
}

describe('progress of long CLI work', () => {
  it('draws count, rate and ETA on a terminal, at most a few times a second', () => {
    const { term, text } = terminal(true);
    let now = 0;
    const p = startProgress(term, 'importing users', () => now);
    now = 2000;
    p.update(1000, 0.25);
    expect(text()).toBe('\r\x1b[2Kimporting users: 1,000 · 500/s · ETA 0:06');
    now = 2050;
    p.update(1100, 0.3);
    expect(text()).not.toContain('1,100');
    p.note('line 7: rejected: not valid JSON');
    expect(text().endsWith('\r\x1b[2Kline 7: rejected: not valid JSON\n\r\x1b[2Kimporting users: 1,000 · 500/s · ETA 0:06')).toBe(true);
    p.end();
    expect(text().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('draws nothing when stderr is not a terminal, but still passes notes on', () => {
    const { term, text } = terminal(false);
    const p = startProgress(term, 'exporting users', () => 5000);
    p.update(10, 0.5);
    p.note('line 3: unresolved: the manager is not a user of this tenant');
    p.end();
    expect(text()).toBe('line 3: unresolved: the manager is not a user of this tenant\n');
  });

  it.each([
    [0, '0:00'],
    [59.6, '1:00'],
    [3725, '1:02:05'],
    [NaN, '?'],
  ])('formats %s seconds as %s', (s, out) => {
    expect(formatDuration(s)).toBe(out);
  });
});
