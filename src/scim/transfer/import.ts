import { stat } from 'node:fs/promises';
import type { Ctx } from '../../domain/context.js';
import { isDomainError } from '../../domain/errors.js';
import type { MemberType } from '../../domain/group/group.js';
import type { Services } from '../../domain/services.js';
import { ScimError } from '../scim.errors.js';
import { batches, readLines, type Line } from './lines.js';
import { idsByName, nameKey } from './refs.js';

/**
 * Import (`roster users import`, `roster groups import`): upserts a tenant's resources from SCIM
 * JSON lines through the domain services, so validation and audit apply as for any other write.
 *
 * - Lines are read in batches; a batch is one transaction and each line's write a savepoint in it,
 *   so a rejected line is undone alone and the batch goes on (one commit per batch, not per line).
 * - A line names its resource by userName or displayName; a resource with that name is updated,
 *   one without is created. Re-importing a file changes nothing: an unchanged resource is not
 *   written, so its version stays and no audit event is recorded.
 * - References (manager, members) are resolved by name in the target tenant. A reference to a
 *   resource of the file's own type that is not there yet may name a later line: such lines are
 *   applied without it first and linked in a second pass over the file, once every line is in.
 * - A dry run runs the same writes and rolls every batch back.
 */

export type Outcome = 'created' | 'updated' | 'unchanged';

/** A reference by name; `name` is null when the reference carries none (it cannot be resolved). */
export interface Ref {
  readonly type: MemberType;
  readonly name: string | null;
}

/** Finds the id of a resource by type and name in the target tenant. */
export type Resolve = (type: MemberType, name: string) => string | undefined;

/**
 * The services a line is applied with, over its batch's transaction: each write they make is a
 * savepoint of its own, so a line that makes one write is undone alone when it fails; `atomically`
 * makes several writes of one line a single savepoint.
 */
export interface LineServices {
  readonly services: Services;
  atomically<U>(fn: (services: Services) => Promise<U>): Promise<U>;
}

/** What one resource type does with its lines. */
export interface ImportKind<T> {
  /** The type of resource each line holds; references to this type may point to later lines. */
  readonly type: MemberType;
  /** A line's value as this kind's item; throws when it is not a valid resource. */
  parse(value: unknown): T;
  /** The name the line's resource is upserted by. */
  name(item: T): string | null;
  refs(item: T): readonly Ref[];
  /**
   * Creates or updates the line's resource. With `deferred`, references to resources of the
   * file's own type that do not resolve are left as they are, to be linked in the second pass.
   */
  apply(on: LineServices, ctx: Ctx, item: T, resolve: Resolve, deferred: boolean): Promise<{ id: string; outcome: Outcome }>;
  /** How to say that these references named nothing in the tenant (no names: never a line's values). */
  unresolved(refs: readonly Ref[]): string;
}

/**
 * Runs `fn` with services whose writes share one transaction (each write a savepoint of its own),
 * then commits it, or rolls it back for a dry run or when `fn` throws.
 */
export type BatchRunner = <T>(opts: { rollback: boolean }, fn: (on: LineServices) => Promise<T>) => Promise<T>;

/** How far long work got (the CLI draws it on a terminal). */
export interface Progress {
  /** `done` items so far; `fraction` of the whole when known (0..1). */
  update(done: number, fraction?: number): void;
  end(): void;
}

export interface ImportDeps {
  readonly inBatch: BatchRunner;
  readonly ctx: Ctx;
  readonly file: string;
  readonly dryRun: boolean;
  readonly batchSize: number;
  readonly progress: (label: string) => Progress;
  /** Reports a problem with one line; `reason` never holds the line's values. */
  readonly report: (line: number, problem: 'rejected' | 'unresolved', reason: string) => void;
}

export interface ImportSummary {
  readonly lines: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
  /** Lines applied with references that named nothing in the tenant. */
  readonly unresolved: number;
  readonly dryRun: boolean;
  readonly seconds: number;
}

/** Failures of a line that reject the line alone; anything else stops the import. */
function rejection(e: unknown): string | null {
  if (e instanceof Unreadable) return e.message;
  if (e instanceof ScimError) return e.detail;
  if (isDomainError(e)) return e.code === 'UNAVAILABLE' ? null : `${e.code}: ${e.message}`;
  // Data exceptions (class 22) and integrity violations (class 23) the domain did not foresee.
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return `the database refused a value of this line (SQLSTATE ${code})`;
  return null;
}

/** Why a line cannot be read at all. */
class Unreadable extends Error {}

/** A line as an item of `kind`. */
function read<T>(kind: ImportKind<T>, text: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Unreadable('not valid JSON');
  }
  try {
    return kind.parse(value);
  } catch (e) {
    // Reading recurses through the document: one nested beyond the stack is refused, not fatal.
    if (e instanceof RangeError) throw new Unreadable('nested too deeply to read');
    throw e;
  }
}

/** A line read as an item, or why it cannot be (it is rejected in its turn, so reports come in line order). */
type Parsed<T> = { readonly ok: true; readonly line: Line; readonly item: T } | { readonly ok: false; readonly line: Line; readonly error: unknown };

export async function importLines<T>(kind: ImportKind<T>, deps: ImportDeps): Promise<ImportSummary> {
  const started = performance.now();
  const size = (await stat(deps.file)).size;
  const counts = { lines: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, unresolved: 0 };
  /** Lines waiting for the second pass, with their first pass's outcome. */
  const deferred = new Map<number, Outcome>();
  /** Dry run: names that deferred lines refer to, and lines that were rejected (they define nothing). */
  const wanted = new Set<string>();
  const rejectedLines = new Set<number>();

  const reject = (line: number, e: unknown): void => {
    const reason = rejection(e);
    if (reason === null) throw e;
    counts.rejected += 1;
    rejectedLines.add(line);
    deps.report(line, 'rejected', reason);
  };

  /** The lines of a batch as items. Blank lines are skipped. */
  const parse = (batch: readonly Line[]): Parsed<T>[] =>
    batch.flatMap((line): Parsed<T>[] => {
      if (line.text.trim() === '') return [];
      try {
        return [{ ok: true, line, item: read(kind, line.text) }];
      } catch (error) {
        return [{ ok: false, line, error }];
      }
    });

  /** Ids by name of everything the items are named by or refer to. */
  const lookup = async (services: Services, items: readonly Parsed<T>[]): Promise<Record<MemberType, Map<string, string>>> => {
    const names: Record<MemberType, string[]> = { User: [], Group: [] };
    for (const p of items) {
      if (!p.ok) continue;
      const { item } = p;
      const own = kind.name(item);
      if (own) names[kind.type].push(own);
      for (const r of kind.refs(item)) if (r.name) names[r.type].push(r.name);
    }
    return {
      User: names.User.length ? await idsByName(services, deps.ctx, 'User', names.User) : new Map(),
      Group: names.Group.length ? await idsByName(services, deps.ctx, 'Group', names.Group) : new Map(),
    };
  };

  const tally = (outcome: Outcome): void => {
    counts[outcome] += 1;
  };

  // Pass 1: every line, in batches.
  const first = deps.progress(deps.dryRun ? 'checking' : 'importing');
  let seen = 0;
  try {
    for await (const batch of batches(readLines(deps.file), deps.batchSize)) {
      counts.lines += batch.filter((l) => l.text.trim() !== '').length;
      await deps.inBatch({ rollback: deps.dryRun }, async (on) => {
        const items = parse(batch);
        const ids = await lookup(on.services, items);
        const resolve: Resolve = (type, name) => ids[type].get(nameKey(name));
        for (const p of items) {
          const { line } = p;
          if (!p.ok) {
            reject(line.number, p.error);
            continue;
          }
          const { item } = p;
          const refs = kind.refs(item);
          const open = refs.filter((r) => r.name === null || resolve(r.type, r.name) === undefined);
          const waits = open.some((r) => r.type === kind.type && r.name !== null);
          try {
            const { id, outcome } = await kind.apply(on, deps.ctx, item, resolve, waits);
            const own = kind.name(item);
            // Later lines of the batch may refer to this one.
            if (own) ids[kind.type].set(nameKey(own), id);
            if (waits) {
              deferred.set(line.number, outcome);
              if (deps.dryRun) for (const r of open) if (r.type === kind.type && r.name) wanted.add(nameKey(r.name));
            } else {
              tally(outcome);
              if (open.length) {
                counts.unresolved += 1;
                deps.report(line.number, 'unresolved', kind.unresolved(open));
              }
            }
          } catch (e) {
            reject(line.number, e);
          }
        }
      });
      seen = batch[batch.length - 1]!.offset;
      first.update(counts.lines, size ? seen / size : undefined);
    }
  } finally {
    first.end();
  }

  if (deferred.size > 0) await link(kind, deps, { deferred, wanted, rejectedLines, parse, lookup, tally, counts });
  return { ...counts, dryRun: deps.dryRun, seconds: (performance.now() - started) / 1000 };
}

interface LinkState<T> {
  readonly deferred: Map<number, Outcome>;
  readonly wanted: Set<string>;
  readonly rejectedLines: Set<number>;
  readonly parse: (batch: readonly Line[]) => Parsed<T>[];
  readonly lookup: (services: Services, items: readonly Parsed<T>[]) => Promise<Record<MemberType, Map<string, string>>>;
  readonly tally: (outcome: Outcome) => void;
  readonly counts: { unresolved: number };
}

/**
 * Pass 2: links the references of the deferred lines, now that every line is in. A dry run wrote
 * nothing, so it counts a reference as resolvable when another (valid) line of the file defines it.
 */
async function link<T>(kind: ImportKind<T>, deps: ImportDeps, st: LinkState<T>): Promise<void> {
  const defined = new Set<string>();
  if (deps.dryRun) {
    for await (const line of readLines(deps.file)) {
      if (line.text.trim() === '' || st.rejectedLines.has(line.number)) continue;
      try {
        const name = kind.name(read(kind, line.text));
        if (name && st.wanted.has(nameKey(name))) defined.add(nameKey(name));
      } catch {
        // rejected in the first pass already
      }
    }
  }
  const progress = deps.progress('linking');
  let done = 0;
  try {
    const pending = (async function* () {
      for await (const line of readLines(deps.file)) if (st.deferred.has(line.number)) yield line;
    })();
    for await (const batch of batches(pending, deps.batchSize)) {
      await deps.inBatch({ rollback: deps.dryRun }, async (on) => {
        const items = st.parse(batch);
        const ids = await st.lookup(on.services, items);
        const inDb: Resolve = (type, name) => ids[type].get(nameKey(name));
        const resolve: Resolve = (type, name) => inDb(type, name) ?? (type === kind.type && defined.has(nameKey(name)) ? 'defined' : undefined);
        for (const p of items) {
          const { line } = p;
          // The first pass parsed this line, so it parses again.
          if (!p.ok) throw p.error;
          const { item } = p;
          const before = st.deferred.get(line.number)!;
          const refs = kind.refs(item);
          const open = refs.filter((r) => r.name === null || resolve(r.type, r.name) === undefined);
          try {
            let outcome: Outcome;
            if (deps.dryRun) {
              // References the first pass left open and the file defines would now be set.
              outcome = refs.some((r) => r.type === kind.type && r.name !== null && inDb(r.type, r.name) === undefined && resolve(r.type, r.name)) ? 'updated' : 'unchanged';
            } else {
              outcome = (await kind.apply(on, deps.ctx, item, resolve, false)).outcome;
            }
            st.tally(before === 'unchanged' ? outcome : before);
            if (open.length) {
              st.counts.unresolved += 1;
              deps.report(line.number, 'unresolved', kind.unresolved(open));
            }
          } catch (e) {
            // The first pass's write committed with its batch and stays: the line made what it
            // made, without the references this pass could not link (a membership that would make
            // a cycle, say), and is reported so, not as a line that left nothing.
            const reason = rejection(e);
            if (reason === null) throw e;
            st.tally(before);
            st.counts.unresolved += 1;
            deps.report(line.number, 'unresolved', `its references were not linked: ${reason}; it was ${before === 'unchanged' ? 'left as it was' : before} without them`);
          }
        }
      });
      done += batch.length;
      progress.update(done, done / st.deferred.size);
    }
  } finally {
    progress.end();
  }
}
