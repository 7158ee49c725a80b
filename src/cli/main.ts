#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { openServices } from '../composition/services.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { API_KEY_ROLES, type ApiKeyRole } from '../domain/apikey/apikey.js';
import { systemActor, type Ctx } from '../domain/context.js';
import { isDomainError } from '../domain/errors.js';
import type { Services } from '../domain/services.js';

/**
 * The admin command line: tenants, SCIM connections and their tokens, API keys, migrations.
 * It works on the database of the configuration (DATABASE_URL, or the embedded one — also while
 * `npm start` is running on it). It acts as the system and so is trusted fully: whoever can run
 * it can read the database anyway.
 */

interface Out {
  json: boolean;
  print(human: string, data: unknown): void;
}

type Action = (services: Services, out: Out) => Promise<void>;

const tenantCtx = (tenantId: string): Ctx => ({ tenantId, actor: systemActor, requestId: null });

function buildProgram(run: (action: Action) => Promise<void>, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Command {
  const program = new Command('roster')
    // Set before the sub-commands are added: they copy it when created.
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .description('Roster admin command line')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride();

  const tenant = program.command('tenant').description('manage tenants');
  tenant
    .command('create')
    .description('create a tenant and print its id')
    .requiredOption('--name <name>', 'tenant name')
    .action((o: { name: string }) =>
      run(async (s, out) => {
        const t = await s.tenants.create(systemActor, o.name);
        out.print(`tenant ${t.id} created (${t.name})`, { id: t.id, name: t.name });
      }),
    );
  tenant
    .command('list')
    .description('list tenants')
    .action(() =>
      run(async (s, out) => {
        const ts = await s.tenants.list(systemActor);
        out.print(ts.map((t) => `${t.id}  ${t.name}`).join('\n') || '(no tenants)', ts.map((t) => ({ id: t.id, name: t.name })));
      }),
    );

  const connection = program.command('connection').description('manage SCIM connections (one per identity provider source)');
  connection
    .command('create')
    .description('create a SCIM connection and print its secret token (shown once)')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--name <name>', 'connection name, e.g. "Entra ID"')
    .action((o: { tenant: string; name: string }) =>
      run(async (s, out) => {
        const { connection: c, token } = await s.connections.create(tenantCtx(o.tenant), o.name);
        out.print(
          `connection ${c.id} created for tenant ${c.tenantId}\ntoken (shown once, store it in your identity provider now):\n${token}`,
          { id: c.id, tenantId: c.tenantId, name: c.name, token },
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
    .description('list the SCIM connections of a tenant')
    .requiredOption('--tenant <id>', 'tenant id')
    .action((o: { tenant: string }) =>
      run(async (s, out) => {
        const cs = await s.connections.list(tenantCtx(o.tenant));
        out.print(
          cs.map((c) => `${c.id}  ${c.name}  last used ${c.lastUsedAt?.toISOString() ?? 'never'}`).join('\n') || '(no connections)',
          cs.map((c) => ({ id: c.id, name: c.name, createdAt: c.createdAt, rotatedAt: c.rotatedAt, lastUsedAt: c.lastUsedAt })),
        );
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
    if (e instanceof CommanderError) return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
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
      return 2;
    }
    throw e;
  }
  const { db, services } = await openServices({ url: config.databaseUrl, dataDir: config.dataDir, reuseRunning: true, limits: config.limits });
  try {
    await action(services, out);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    io.stderr.write(`error (${e.code}): ${e.message}\n`);
    exitCode = 1;
  } finally {
    await db.close();
  }
  return exitCode;
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/roster')) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`roster: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
