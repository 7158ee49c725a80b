import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

/** Runs the command line in this process against a database and returns its exit code and output. */
export async function runCliIn(databaseUrl: string, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _e, cb) {
        append(String(chunk));
        cb();
      },
    });
  const code = await runCli(args, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } });
  return { code, out, err };
}
