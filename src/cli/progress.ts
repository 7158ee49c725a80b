/**
 * Progress of long CLI work. On a terminal one status line on stderr is redrawn a few times a
 * second (count, rate, ETA); elsewhere (pipes, CI logs) nothing is drawn and only the final
 * summary is printed by the caller.
 */
export interface Progress {
  /** `done` items so far; `fraction` of the whole when known (0..1), for the ETA. */
  update(done: number, fraction?: number): void;
  /** Prints a message above the status line. */
  note(message: string): void;
  /** Clears the status line. */
  end(): void;
}

export interface Terminal {
  readonly stream: NodeJS.WritableStream;
  readonly isTTY: boolean;
}

const REDRAW_MS = 200;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function startProgress(term: Terminal, label: string, now: () => number = () => performance.now()): Progress {
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  let status = '';
  const draw = (): void => {
    term.stream.write(`\r\x1b[2K${status}`);
    drawn = true;
  };
  const clear = (): void => {
    if (drawn) term.stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    update(done, fraction) {
      if (!term.isTTY) return;
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      const elapsed = (t - started) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const eta = fraction !== undefined && fraction > 0 ? elapsed * ((1 - fraction) / fraction) : NaN;
      status = `${label}: ${done.toLocaleString('en-US')} · ${Math.round(rate).toLocaleString('en-US')}/s · ETA ${formatDuration(eta)}`;
      draw();
    },
    note(message) {
      clear();
      term.stream.write(`${message}\n`);
      if (term.isTTY && status) draw();
    },
    end() {
      if (term.isTTY) clear();
    },
  };
}
