import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface RosterProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly proc: ChildProcess;
  /** Every JSON log line the process wrote so far. */
  readonly logs: Record<string, unknown>[];
  /** The exit code, once the process has exited and its output has all been read. */
  readonly exited: Promise<number | null>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// The repository root, from test/support or, compiled (the benchmark runs from there), from dist/test/support.
const UP = path.resolve(import.meta.dirname ?? '.', '../..');
export const ROOT = path.basename(UP) === 'dist' ? path.dirname(UP) : UP;
export const MAIN = path.join(ROOT, 'dist/src/main.js');
export const CLI = path.join(ROOT, 'dist/src/cli/main.js');

/**
 * Starts the real server process (`npm test` builds it first) and waits until it listens; `main`
 * and `cwd` run another copy of the build, from its own directory.
 */
export async function startRoster(env: Record<string, string>, timeoutMs = 60_000, from: { main?: string; cwd?: string } = {}): Promise<RosterProcess> {
  const proc = spawn(process.execPath, [from.main ?? MAIN], {
    ...(from.cwd ? { cwd: from.cwd } : {}),
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  // 'close', not 'exit': the process may have exited with its last lines still unread in the pipe.
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`roster did not start in time: ${stderr}`)), timeoutMs);
    let buffer = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'listening') {
            clearTimeout(timer);
            resolve(entry.port as number);
          }
        } catch {
          // not a log line
        }
      }
    });
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      // The log lines go with the error: a failed start says why in its last one.
      reject(Object.assign(new Error(`roster exited with ${code} before listening: ${stderr}`), { logs }));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    proc,
    logs,
    exited,
    async stop(signal = 'SIGTERM') {
      proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Runs `node` with `args` (a script and its arguments, or flags first) as a process with `env`
 * and PATH alone, to its end, and returns its exit code and all of its output: 'close', not
 * 'exit', which may come before the last of the output was read.
 */
export async function runNodeProcess(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  return { code, stdout, stderr };
}

/** Runs the CLI as a process and returns its exit code and output. */
export const runCliProcess = (args: string[], env: Record<string, string>) => runNodeProcess([CLI, ...args], { LOG_LEVEL: 'silent', ...env });
