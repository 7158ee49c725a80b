#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { access, constants, open, rename, rm, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { configuredOptions, openServices, postgresState, stopAllEmbedded } from '../composition/services.js';
import { createTransfer, type ImportSummary, type Transfer } from '../composition/transfer.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { API_KEY_ROLES, type ApiKeyRole } from '../domain/apikey/apikey.js';
import {
  LOGIN_NAME_COLLISIONS,
  LOGIN_NAME_POLICIES,
  MATCH_BY,
  ON_DELETE_POLICIES,
  type LoginNameCollision,
  type LoginNamePolicy,
  type MatchBy,
  type OnDeletePolicy,
  type ProvisioningPolicies,
  type ScimConnection,
} from '../domain/connection/connection.js';
import { systemActor, type Ctx } from '../domain/context.js';
import { isDomainError } from '../domain/errors.js';
import { CONTROL_CHARACTER } from '../domain/shared/resource.js';
import type { Services } from '../domain/services.js';
import { startProgress, type Progress } from './progress.js';

/**
 * The admin command line: tenants, SCIM connections and their tokens, API keys, migrations, and
 * moving users and groups in and out as SCIM JSON lines.
 * It works on the database of the configuration (DATABASE_URL, or the embedded one — also while
 * `npm start` is running on it). It acts as the system and so is trusted fully: whoever can run
 * it can read the database anyway.
 */

interface Out {
  json: boolean;
  print(human: string, data: unknown): void;
}

/** Runs a command; a number is the exit code (EXIT below), nothing means success. */
type Action = (services: Services, out: Out, transfer: Transfer) => Promise<number | void>;

/**
 * Exit codes, as the README documents them. A closed stdout ends the command with 141
 * (128 + SIGPIPE), what a shell reports for a standard tool whose reader went away.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, linesRejected: 3, closedPipe: 141 } as const;

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const isTTY = (s: NodeJS.WritableStream): boolean => (s as { isTTY?: boolean }).isTTY === true;

/**
 * Writes text to a stream, waiting whenever the stream asks to (backpressure keeps memory flat).
 * A stream that failed (a file that could not be written, a closed pipe) throws its error here.
 */
async function writeText(out: NodeJS.WritableStream, text: string): Promise<void> {
  const failed = (out as Writable).errored;
  if (failed) throw failed;
  if (!out.write(text)) await once(out, 'drain');
}

/** An error's message (errors of Node.js's own may come from another realm than this module's Error). */
const messageOf = (e: unknown): string => {
  const message = (e as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(e);
};

/** What an operating system error says, without the path Node.js puts after it: "no such file or directory (ENOENT)". */
export function osReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException | null;
  const message = messageOf(e);
  if (typeof err?.code !== 'string' || !message.startsWith(`${err.code}: `)) return message;
  const text = message.slice(err.code.length + 2);
  const at = err.syscall ? text.lastIndexOf(`, ${err.syscall}`) : -1;
  return `${at >= 0 ? text.slice(0, at) : text} (${err.code})`;
}

const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');

/**
 * Stored text as a terminal may be shown it: each control character escaped as JSON escapes it
 * (`\u001b`, `\n`; DEL and C1 as `\u007f`…), so no escape sequence, carriage return or line
 * break in a name written before names were checked reaches the terminal raw.
 */
export const shown = (text: string): string =>
  text.replace(CONTROL_CHARACTERS, (c) => (c < '\u007f' ? JSON.stringify(c).slice(1, -1) : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

/** A --name holding a control character is wrong usage: a name is one line of printable text. */
function checkName(_program: Command, command: Command): void {
  const name = command.opts<{ name?: unknown }>().name;
  const control = typeof name === 'string' ? CONTROL_CHARACTER.exec(name) : null;
  if (!control) return;
  const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  command.error(`error: option '--name <name>' holds the control character ${code}; a name is one line of printable text`, { exitCode: EXIT.usage, code: 'roster.name' });
}

function positiveInt(max: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return n;
  };
}

/** Why `file` cannot be imported (it is missing, unreadable or not a file), or null when it can. */
async function unreadable(file: string): Promise<string | null> {
  try {
    await access(file, constants.R_OK);
    return (await stat(file)).isFile() ? null : `${file} is not a file`;
  } catch {
    return `cannot read ${file}`;
  }
}

/** An error writing an export to its file, named by the file and the reason. */
class OutFileError extends Error {
  constructor(file: string, reason: string) {
    super(`cannot write ${file}: ${reason}`);
    this.name = 'OutFileError';
  }
}

interface OutFile {
  readonly file: string;
  readonly stream: NodeJS.WritableStream;
  /** Ends the file and puts it in place. */
  commit(): Promise<void>;
  /** Removes what was written. */
  abandon(): Promise<void>;
}

/**
 * Opens a temporary file beside `file`, renamed onto it on commit: no half-written export (a
 * named pipe or a device is written in place).
 * Resolves with why the file cannot be written (a missing or read-only directory, a directory
 * named as the file) when it cannot even be created.
 */
async function openOut(file: string): Promise<OutFile | string> {
  const found = await stat(file).catch(() => null);
  if (found?.isDirectory()) return `cannot write ${file}: it is a directory`;
  // A named pipe or a device (/dev/stdout, another program's FIFO) is written as it is: a file put
  // in its place would take it away from whoever reads it.
  const inPlace = found !== null && !found.isFile();
  const tmp = inPlace ? file : `${file}.${randomBytes(4).toString('hex')}.partial`;
  let handle;
  try {
    handle = await open(tmp, inPlace ? 'w' : 'wx');
  } catch (e) {
    return `cannot write ${file}: ${osReason(e)}`;
  }
  const stream = handle.createWriteStream();
  // A failed write is read from the stream (writeText), never thrown as an unheard 'error' event.
  stream.on('error', () => undefined);
  const abandon = async () => {
    stream.destroy();
    if (!inPlace) await rm(tmp, { force: true });
  };
  return {
    file,
    stream,
    abandon,
    async commit() {
      try {
        stream.end();
        await finished(stream);
        if (!inPlace) await rename(tmp, file);
      } catch (e) {
        await abandon();
        throw new OutFileError(file, osReason(e));
      }
    },
  };
}

/** Writes to the file through `out`; a failed write is reported by the file and the reason. */
async function toFile(out: OutFile, write: (out: NodeJS.WritableStream) => Promise<number>): Promise<number> {
  let n: number;
  try {
    n = await write(out.stream);
  } catch (e) {
    await out.abandon();
    throw e === (out.stream as Writable).errored ? new OutFileError(out.file, osReason(e)) : e;
  }
  await out.commit();
  return n;
}

/** An option's value that must not be empty (an empty file name is no file). */
function nonEmpty(raw: string): string {
  if (raw === '') throw new InvalidArgumentError('must not be empty');
  return raw;
}

const TRANSFER_HELP = `
Exit codes: 0 done; 3 some lines were rejected or named members or managers not in the tenant
(each reported on stderr with its line number); 1 failure (nothing more was imported after it;
running the command again is safe); 2 wrong usage.`;

function transferCommands(program: Command, run: (action: Action) => Promise<void>, io: Io): void {
  const nouns: { noun: 'users' | 'groups'; about: string }[] = [
    { noun: 'users', about: 'users (managers are named by userName)' },
    { noun: 'groups', about: 'groups with their members (named by userName or displayName)' },
  ];
  for (const { noun, about } of nouns) {
    const cmd = program.command(noun).description(`move ${noun} in and out as SCIM JSON lines`);
    cmd
      .command('export')
      .description(`write the tenant's ${about} as SCIM JSON lines, one resource per line`)
      .requiredOption('--tenant <id>', 'tenant id')
      .option('--out <file>', 'write to this file instead of stdout', nonEmpty)
      .action((o: { tenant: string; out?: string }) =>
        run(async (s, out, transfer) => {
          const ctx = tenantCtx((await s.tenants.get(systemActor, o.tenant)).id);
          const file = o.out === undefined ? null : await openOut(o.out);
          if (typeof file === 'string') {
            io.stderr.write(`${file}\n`);
            return EXIT.usage;
          }
          const progress = startProgress({ stream: io.stderr, isTTY: isTTY(io.stderr) }, `exporting ${noun}`);
          const started = performance.now();
          let n: number;
          try {
            const to = (stream: NodeJS.WritableStream) => transfer.export(noun, { ctx, write: (text) => writeText(stream, text), progress });
            n = file ? await toFile(file, to) : await to(io.stdout);
          } finally {
            progress.end();
          }
          const summary = { exported: n, type: noun, seconds: Number(((performance.now() - started) / 1000).toFixed(3)) };
          const human = `exported ${n} ${noun}${file ? ` to ${file.file}` : ''} in ${summary.seconds.toFixed(1)} s`;
          // With the data on stdout, the summary goes to stderr.
          if (file) out.print(human, summary);
          else io.stderr.write(`${out.json ? JSON.stringify(summary) : human}\n`);
        }),
      );
    cmd
      .command('import')
      .description(`create or update ${about} from SCIM JSON lines; ${noun === 'users' ? 'users match by userName' : 'groups match by displayName; import the users first'}`)
      .requiredOption('--tenant <id>', 'tenant id')
      .argument('<file>', 'SCIM JSON lines, as the export writes them')
      .option('--dry-run', 'check every line and report what would change; write nothing')
      .option('--batch-size <n>', 'lines per transaction (each line is a savepoint in it)', positiveInt(10_000), 500)
      .addHelpText('after', TRANSFER_HELP)
      .action((file: string, o: { tenant: string; dryRun?: boolean; batchSize: number }) =>
        run(async (s, out, transfer) => {
          const problem = await unreadable(file);
          if (problem) {
            io.stderr.write(`${problem}\n`);
            return EXIT.usage;
          }
          const ctx = tenantCtx((await s.tenants.get(systemActor, o.tenant)).id);
          const term = { stream: io.stderr, isTTY: isTTY(io.stderr) };
          let current: Progress | null = null;
          const summary = await transfer.import(noun, {
            ctx,
            file,
            dryRun: o.dryRun === true,
            batchSize: o.batchSize,
            progress: (label) => (current = startProgress(term, `${label} ${noun}`)),
            report: (line, problem, reason) => {
              const text = out.json ? JSON.stringify({ line, problem, reason }) : `line ${line}: ${problem}: ${shown(reason)}`;
              if (current) current.note(text);
              else io.stderr.write(`${text}\n`);
            },
          });
          out.print(describe(noun, file, summary), { type: noun, ...summary });
          return summary.rejected > 0 || summary.unresolved > 0 ? EXIT.linesRejected : EXIT.ok;
        }),
      );
  }
}

function describe(noun: string, file: string, r: ImportSummary): string {
  const rate = r.seconds > 0 ? Math.round(r.lines / r.seconds) : r.lines;
  const what = `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected} rejected, ${r.unresolved} with references not in the tenant`;
  const time = `${r.lines} lines in ${r.seconds.toFixed(1)} s, ${rate} lines/s`;
  return r.dryRun ? `dry run, nothing written: ${noun} from ${file} would be ${what} (${time})` : `${noun} from ${file}: ${what} (${time})`;
}

const tenantCtx = (tenantId: string): Ctx => ({ tenantId, actor: systemActor, requestId: null });

interface PolicyOptions {
  loginName?: LoginNamePolicy;
  onLoginNameCollision?: LoginNameCollision;
  matchBy?: MatchBy[];
  onDelete?: OnDeletePolicy;
}

function matchByList(raw: string): MatchBy[] {
  if (raw.trim().toLowerCase() === 'none') return [];
  const ways = raw.split(',').map((w) => w.trim());
  const bad = ways.find((w) => !(MATCH_BY as readonly string[]).includes(w));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not one of ${MATCH_BY.join(', ')}, none`);
  return ways as MatchBy[];
}

/** The policies an option set changes; the others keep their value. */
function policyChange(o: PolicyOptions): Partial<ProvisioningPolicies> {
  return {
    ...(o.loginName !== undefined ? { loginName: o.loginName } : {}),
    ...(o.onLoginNameCollision !== undefined ? { onLoginNameCollision: o.onLoginNameCollision } : {}),
    ...(o.matchBy !== undefined ? { matchBy: o.matchBy } : {}),
    ...(o.onDelete !== undefined ? { onDelete: o.onDelete } : {}),
  };
}

const connectionJson = (c: ScimConnection) => ({
  id: c.id,
  name: c.name,
  policies: c.policies,
  paused: c.pausedAt !== null,
  pausedAt: c.pausedAt,
  createdAt: c.createdAt,
  rotatedAt: c.rotatedAt,
  lastUsedAt: c.lastUsedAt,
});

function describeConnection(c: ScimConnection): string {
  const p = c.policies;
  const policies = `login name ${p.loginName}, on collision ${p.onLoginNameCollision}, match by ${p.matchBy.length ? p.matchBy.join(',') : 'none'}, on delete ${p.onDelete}`;
  const state = c.pausedAt ? `PAUSED since ${c.pausedAt.toISOString()}` : 'active';
  return `${c.id}  ${shown(c.name)}  ${state}  ${policies}  last used ${c.lastUsedAt?.toISOString() ?? 'never'}`;
}

function buildProgram(run: (action: Action) => Promise<void>, io: Io): Command {
  const program = new Command('roster')
    // Set before the sub-commands are added: they copy it when created.
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .description('Roster admin command line')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', checkName);

  const tenant = program.command('tenant').description('manage tenants');
  tenant
    .command('create')
    .description('create a tenant and print its id')
    .requiredOption('--name <name>', 'tenant name')
    .action((o: { name: string }) =>
      run(async (s, out) => {
        const t = await s.tenants.create(systemActor, o.name);
        out.print(`tenant ${t.id} created (${shown(t.name)})`, { id: t.id, name: t.name });
      }),
    );
  tenant
    .command('list')
    .description('list tenants')
    .action(() =>
      run(async (s, out) => {
        const ts = await s.tenants.list(systemActor);
        out.print(ts.map((t) => `${t.id}  ${shown(t.name)}`).join('\n') || '(no tenants)', ts.map((t) => ({ id: t.id, name: t.name })));
      }),
    );

  const connection = program.command('connection').description('manage SCIM connections (one per identity provider source)');
  connection
    .command('create')
    .description('create a SCIM connection and print its secret token (shown once)')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--name <name>', 'connection name, e.g. "Entra ID"')
    .addOption(new Option('--on-delete <policy>', 'what a SCIM delete of a user does: delete it, or deactivate (deprovision) it').choices([...ON_DELETE_POLICIES]))
    .action((o: { tenant: string; name: string; onDelete?: OnDeletePolicy }) =>
      run(async (s, out) => {
        const { connection: c, token } = await s.connections.create(tenantCtx(o.tenant), o.name, o.onDelete ? { onDelete: o.onDelete } : null);
        out.print(
          `connection ${c.id} created for tenant ${c.tenantId}\ntoken (shown once, store it in your identity provider now):\n${token}`,
          { id: c.id, tenantId: c.tenantId, name: c.name, policies: c.policies, token },
        );
      }),
    );
  connection
    .command('rotate')
    .description('issue a new token for a connection; the old token stops working at once')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--id <connectionId>', 'connection id')
    .action((o: { tenant: string; id: string }) =>
      run(async (s, out) => {
        const { connection: c, token } = await s.connections.rotate(tenantCtx(o.tenant), o.id);
        out.print(`new token for connection ${c.id} (shown once; the old one no longer works):\n${token}`, { id: c.id, token });
      }),
    );
  connection
    .command('list')
    .description('list the SCIM connections of a tenant with their policies and whether they are paused')
    .requiredOption('--tenant <id>', 'tenant id')
    .action((o: { tenant: string }) =>
      run(async (s, out) => {
        const cs = await s.connections.list(tenantCtx(o.tenant));
        out.print(cs.map(describeConnection).join('\n') || '(no connections)', cs.map(connectionJson));
      }),
    );
  connection
    .command('update')
    .description('rename a connection or change its provisioning policies; options left out stay as they are')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--id <connectionId>', 'connection id')
    .option('--name <name>', 'new connection name')
    .addOption(new Option('--login-name <policy>', 'login name: userName as sent, or the part before "@"').choices([...LOGIN_NAME_POLICIES]))
    .addOption(new Option('--on-login-name-collision <policy>', 'when the login name is taken: refuse, or add a numeric suffix').choices([...LOGIN_NAME_COLLISIONS]))
    .option('--match-by <ways>', `comma-separated ways a SCIM create adopts an existing user (${MATCH_BY.join(', ')}), or "none"`, matchByList)
    .addOption(new Option('--on-delete <policy>', 'what a SCIM delete of a user does: delete it, or deactivate (deprovision) it').choices([...ON_DELETE_POLICIES]))
    .action((o: { tenant: string; id: string; name?: string } & PolicyOptions) =>
      run(async (s, out) => {
        const c = await s.connections.update(tenantCtx(o.tenant), o.id, { name: o.name ?? null, policies: policyChange(o) });
        out.print(`connection ${c.id} updated\n${describeConnection(c)}`, connectionJson(c));
      }),
    );
  for (const [verb, about] of [
    ['pause', 'pause a connection: its token gets 401 until it is resumed; nothing else changes'],
    ['resume', 'resume a paused connection: its token works again'],
  ] as const) {
    connection
      .command(verb)
      .description(about)
      .requiredOption('--tenant <id>', 'tenant id')
      .requiredOption('--id <connectionId>', 'connection id')
      .action((o: { tenant: string; id: string }) =>
        run(async (s, out) => {
          const c = await s.connections[verb](tenantCtx(o.tenant), o.id);
          out.print(`connection ${c.id} ${c.pausedAt ? `paused since ${c.pausedAt.toISOString()}` : 'active'}`, connectionJson(c));
        }),
      );
  }
  connection
    .command('delete')
    .description('delete a connection; the users and groups it managed stay, released')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--id <connectionId>', 'connection id')
    .action((o: { tenant: string; id: string }) =>
      run(async (s, out) => {
        await s.connections.delete(tenantCtx(o.tenant), o.id);
        out.print(`connection ${o.id} deleted`, { deletedId: o.id });
      }),
    );

  const apikey = program.command('apikey').description('manage API keys for the GraphQL admin API');
  apikey
    .command('create')
    .description('create an API key and print its secret (shown once)')
    .requiredOption('--name <name>', 'key name')
    .option('--tenant <id>', 'tenant the key is limited to (omit for a platform-wide key)')
    .addOption(new Option('--role <role>', 'what the key may do').choices([...API_KEY_ROLES]).default('admin'))
    .action((o: { name: string; tenant?: string; role: ApiKeyRole }) =>
      run(async (s, out) => {
        const { apiKey: k, secret } = await s.apiKeys.create(systemActor, { tenantId: o.tenant ?? null, name: o.name, role: o.role });
        out.print(
          `API key ${k.id} created (${k.tenantId ? `tenant ${k.tenantId}` : 'platform-wide'}, ${k.role})\nsecret (shown once):\n${secret}`,
          { id: k.id, tenantId: k.tenantId, role: k.role, secret },
        );
      }),
    );
  apikey
    .command('revoke')
    .description('revoke an API key at once')
    .requiredOption('--id <id>', 'API key id')
    .action((o: { id: string }) =>
      run(async (s, out) => {
        const k = await s.apiKeys.revoke(systemActor, o.id);
        out.print(`API key ${k.id} revoked`, { id: k.id, revokedAt: k.revokedAt });
      }),
    );

  transferCommands(program, run, io);

  program
    .command('migrate')
    .description('apply pending database migrations (start-up does this too)')
    .action(() =>
      run(async (_s, out) => {
        out.print('migrations applied', { ok: true });
      }),
    );
  return program;
}

export async function runCli(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: Readonly<Record<string, string | undefined>> } = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  let exitCode = 0;
  let pending: Action | null = null;
  const program = buildProgram(async (action) => {
    pending = action;
  }, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    throw e;
  }
  const action = pending as Action | null;
  if (!action) {
    program.outputHelp();
    return 0;
  }
  const json = Boolean(program.opts<{ json?: boolean }>().json);
  const out: Out = {
    json,
    print: (human, data) => io.stdout.write(`${json ? JSON.stringify(data) : human}\n`),
  };
  let config;
  try {
    config = loadConfig(io.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr.write(`${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  // Output that cannot be written is never lost silently: a reader of stdout that goes away
  // (`roster users export | head`) ends the command quietly, as it ends the standard tools; any
  // other failure (a full disk) is reported. The error is read from the stream, never left unheard.
  let stdoutFailed: NodeJS.ErrnoException | null = null;
  io.stdout.on('error', (e: NodeJS.ErrnoException) => {
    stdoutFailed ??= e;
  });
  let opened;
  try {
    opened = await openServices({ url: config.databaseUrl, dataDir: config.dataDir, reuseRunning: true, ...configuredOptions(config) });
  } catch (e) {
    io.stderr.write(`roster: ${failure(e)}\n`);
    return EXIT.failure;
  }
  const { db, services, batches } = opened;
  try {
    const transfer = createTransfer({ services, batches });
    exitCode = (await action(services, out, transfer)) ?? EXIT.ok;
  } catch (e) {
    if (stdoutFailed && e === stdoutFailed) exitCode = EXIT.failure; // said below
    else if (isDomainError(e)) {
      io.stderr.write(`error (${e.code}): ${shown(e.message)}\n`);
      exitCode = EXIT.failure;
    } else {
      io.stderr.write(`roster: ${failure(e)}\n`);
      exitCode = EXIT.failure;
    }
  } finally {
    await db.close();
  }
  const failed = stdoutFailed as NodeJS.ErrnoException | null;
  if (failed?.code === 'EPIPE') return EXIT.closedPipe;
  if (failed) {
    io.stderr.write(`roster: cannot write to stdout: ${osReason(failed)}\n`);
    return EXIT.failure;
  }
  return exitCode;
}

/**
 * What went wrong, in one line: a PostgreSQL error by its SQLSTATE (its message holds the
 * statement and its values), an operating system error by its path and reason, anything else
 * by its message.
 */
export function failure(e: unknown): string {
  const state = postgresState(e);
  if (state) return `the database failed the command (SQLSTATE ${state})`;
  const err = e as NodeJS.ErrnoException | null;
  if (typeof err?.code === 'string' && typeof err.syscall === 'string') return shown(`${err.path ? `${err.path}: ` : ''}${osReason(e)}`);
  return shown(messageOf(e));
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/roster')) {
  // A command told to stop stops the embedded PostgreSQL it started itself (never that of a
  // running server it uses), then exits as a shell reports death by that signal: 128 + its number.
  let stopping = false;
  for (const [signal, number] of [['SIGHUP', 1], ['SIGINT', 2], ['SIGTERM', 15]] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stopAllEmbedded().finally(() => process.exit(128 + number));
    });
  }
  // Once stopping, the signal's exit is the one that counts: the command may fail meanwhile.
  runCli(process.argv.slice(2)).then(
    (code) => {
      if (!stopping) process.exit(code);
    },
    (e: unknown) => {
      if (stopping) return;
      process.stderr.write(`roster: ${failure(e)}\n`);
      process.exit(1);
    },
  );
}
