import { DEFAULT_POLICIES, type ProvisioningPolicies } from '../connection/connection.js';
import { assertCanRead, assertCanWrite, type Ctx } from '../context.js';
import { ConflictError, ForbiddenError, InvalidValueError, NotFoundError, StaleWriteError, UnavailableError } from '../errors.js';
import type { ListQuery, ListResult, Repositories } from '../ports.js';
import { coalescing } from '../shared/coalesce.js';
import { keysetCursor } from '../shared/cursor.js';
import { sameData } from '../shared/equal.js';
import { validateFilter } from '../shared/filter.js';
import { lookupNames } from '../shared/resource.js';
import { deletedUserData, userData } from '../event/event.js';
import { actingConnection, assertMayChange, assertVersion, explainSourceConflict, recordAudit, recordEvent, retryStale, type ServiceDeps } from '../shared/service-kit.js';
import { extended } from '../shared/objects.js';
import { recentUsers } from './recent-users.js';
import { CREATE_ATTEMPTS, loginNameBase, loginNameCandidates, randomSuffixed } from './login-name.js';
import { changedAttributes, emptyProfile, USER_FIELDS, validateProfile, VALUE_ATTRIBUTES, type User, type UserProfile } from './user.js';

export interface WriteOptions {
  /** Optimistic concurrency: fail with PRECONDITION_FAILED unless the user is at this version. */
  readonly ifVersion?: number | null;
  /**
   * Read the user's groups along with it, as the reader sees them, for an answer that shows them:
   * a write leaves them as they are, so the answer needs no read of its own after it
   * (docs/architecture.md#statements-per-request).
   */
  readonly withGroups?: boolean;
}

export interface CreateResult {
  readonly user: User;
  /** True when an existing user was matched and adopted instead of created (docs/architecture.md#provisioning-policies). */
  readonly adopted: boolean;
}

/**
 * Admin tools create users without a connection: the login name is the userName, and a taken one
 * is refused, since the admin sees the refusal and can choose another name.
 */
const ADMIN_CREATE: ProvisioningPolicies = Object.freeze({ ...DEFAULT_POLICIES, onLoginNameCollision: 'reject' });

/** The most creates, changes or reads of users made together (docs/architecture.md#optimistic-writes). */
const MAX_TOGETHER = 64;

/** A new user ready to be written, with the caller that creates it. */
interface NewUser {
  readonly ctx: Ctx;
  readonly user: User;
  readonly profile: UserProfile;
}

/** A read of one user by id, or by userName or externalId as Entra's matching query makes it, with what the reader may see. */
interface Lookup {
  readonly tenantId: string;
  readonly by: 'id' | 'userName' | 'externalId';
  readonly value: string;
  readonly visibleTo: string | null;
  readonly withGroups: boolean;
}

/** What a list asks for when it is Entra's matching query (`userName eq` or `externalId eq`, from the first position, no sortBy), else null. */
function matchingQuery(q: ListQuery): { by: 'userName' | 'externalId'; value: string } | null {
  const f = q.filter;
  if (f?.op !== 'eq' || (f.field !== 'userName' && f.field !== 'externalId') || typeof f.value !== 'string') return null;
  return q.sort === null && q.page.mode === 'offset' && q.page.offset === 0 ? { by: f.field, value: f.value } : null;
}

/** A change of a user computed from a plain read: the state read, and the state to write (null when nothing changed). */
interface PlannedChange {
  readonly ctx: Ctx;
  readonly current: User;
  readonly updated: User | null;
  readonly changes: readonly string[];
  /** Whether the answer shows the user's groups and `current` has none (a remembered state): the write reads them. */
  readonly groupsFromWrite?: boolean;
}

/** Whether a change leaves every multi-valued attribute as it was, as a change written with others must (UserRepository.updateAll). */
const keepsValues = ({ current, updated }: PlannedChange): boolean =>
  updated !== null && sameData(current.addresses, updated.addresses) && VALUE_ATTRIBUTES.every((a) => sameData(current[a], updated[a]));

/** A create or a change of a user, written with the others of its tenant that arrive together. */
type UserWrite = { readonly create: NewUser; readonly change?: undefined } | { readonly change: PlannedChange; readonly create?: undefined };

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(deps: ServiceDeps) {
  const { store } = deps;
  const recent = recentUsers(deps.recentUsersBytes ?? 0);
  /** Remembers a user as written, for the next change of it (docs/architecture.md#remembered-users). */
  const rememberWritten = (u: User): User => {
    recent.remember(u);
    return u;
  };

  /** The user as the caller sees it: a connection gets NOT_FOUND for what it may not see (docs/architecture.md#provisioning-policies). */
  async function load(r: Repositories, ctx: Ctx, id: string, opts: { forUpdate?: boolean; withGroups?: boolean } = {}): Promise<User> {
    const u = await r.users.get(ctx.tenantId, id, { ...opts, visibleTo: actingConnection(ctx) });
    if (!u) throw new NotFoundError('User', id);
    return u;
  }

  /**
   * Reads of single users that arrive while one of the same kind (tenant, by id or by userName,
   * what the reader sees, with or without groups) is on its way wait for it and are then made
   * together, in one statement (docs/architecture.md#statements-per-request): GET by id, Entra's
   * matching query and the reads that plan changes come side by side.
   */
  const lookupTogether = coalescing<Lookup, User[]>(async (items, answerBefore) => {
    // A read's statement is quick to build: the reads before it are answered first.
    answerBefore();
    const { tenantId, by, visibleTo, withGroups } = items[0]!;
    const found = await store.read((r) => r.users.findEach(tenantId, by, items.map((l) => l.value), { visibleTo, withGroups }));
    // Reads by id: Entra reads a user by id before it changes it (docs/architecture.md#remembered-users).
    if (by === 'id') for (const users of found) for (const u of users) recent.remember(u);
    return found.map((value) => ({ status: 'fulfilled', value }));
  }, MAX_TOGETHER);
  const lookup = (l: Lookup): Promise<User[]> => lookupTogether(`${l.tenantId}:${l.by}:${l.visibleTo ?? ''}:${l.withGroups}`, l);

  /** The user as the caller sees it, read with the reads of others that arrive together. */
  async function find(ctx: Ctx, id: string, withGroups: boolean): Promise<User> {
    const [u] = await lookup({ tenantId: ctx.tenantId, by: 'id', value: id, visibleTo: actingConnection(ctx), withGroups });
    if (!u) throw new NotFoundError('User', id);
    return u;
  }

  function checkList(q: ListQuery): void {
    if (q.filter) validateFilter(q.filter, USER_FIELDS, deps.limits.filter);
    if (q.sort && !USER_FIELDS.simple[q.sort.field]?.sortable) {
      throw new InvalidValueError(`users cannot be sorted by "${q.sort.field}"`);
    }
  }

  /** Finds a user a connection may adopt instead of creating a duplicate (docs/architecture.md#provisioning-policies, matchBy). */
  async function findAdoptable(r: Repositories, ctx: Ctx, profile: UserProfile, policies: ProvisioningPolicies): Promise<User | null> {
    if (policies.matchBy.length === 0) return null;
    const byUserName = policies.matchBy.includes('userName');
    const emails = policies.matchBy.includes('anyEmail')
      ? profile.emails.map((e) => e.value)
      : policies.matchBy.includes('primaryEmail')
        ? profile.emails.filter((e) => e.primary).map((e) => e.value)
        : [];
    const candidates = await r.users.findCandidates(ctx.tenantId, {
      ...(byUserName ? { userName: profile.userName } : {}),
      emails,
      primaryOnly: !policies.matchBy.includes('anyEmail'),
    });
    const mine = actingConnection(ctx);
    const adoptable = candidates.filter((c) => c.managedBy === null || c.managedBy === mine);
    return adoptable.length === 1 ? adoptable[0]! : null;
  }

  /**
   * The existing user a SCIM create is for: one this connection deprovisioned with the same
   * userName (it comes back, docs/architecture.md#provisioning-policies, onDelete), else one its matchBy adopts.
   */
  async function findExisting(r: Repositories, ctx: Ctx, profile: UserProfile, policies: ProvisioningPolicies, sameUserName: readonly User[]): Promise<User | null> {
    const mine = actingConnection(ctx);
    const gone = mine === null ? undefined : sameUserName.find((u) => u.managedBy === mine && u.deprovisionedAt !== null);
    return gone ?? findAdoptable(r, ctx, profile, policies);
  }

  /**
   * Creates and changes of users of one tenant that arrive while one is being written wait for it
   * and are then written together, in one unit (docs/architecture.md#optimistic-writes): the rows of
   * all creates in one insert, those of all changes in one update, sent as one statement with each
   * one's audit and change events; an identity provider's sync interleaves the two. When the unit
   * fails, nothing of it landed, and each write is answered StaleWriteError, so that it is made
   * again on its own and meets its own outcome; not when the database was unavailable, which each
   * would only meet again.
   */
  const writeTogether = coalescing<UserWrite, CreateResult | User>(async (items, answerBefore, tenantId) => {
    const creates = items.flatMap((w) => (w.create ? [w.create] : []));
    const changes = items.flatMap((w) => (w.change ? [w.change] : []));
    try {
      const results = await store.write(
        async (r) => {
          if (creates.length > 0) await r.users.insertAll(creates.map((c) => c.user));
          const groups = changes.length > 0 ? await r.users.updateAll(changes.map(updateOf)) : null;
          const out: (CreateResult | User)[] = [];
          for (const w of items) out.push(w.create ? await recordCreated(r, w.create) : await recordChanged(r, w.change!));
          return { out, groups };
        },
        // Each answer holds a whole user: those of the batch before are built while this statement is
        // on its way. The next batch may follow it on its connection (docs/architecture.md#pipelined-writes).
        { sent: answerBefore, pipeline: `users:${tenantId}` },
      );
      return items.map((w, i) => {
        const value = results.out[i]!;
        if (!w.change) {
          recent.rememberCreated((value as CreateResult).user);
          return { status: 'fulfilled', value };
        }
        const changed = w.change.groupsFromWrite ? { ...(value as User), groups: results.groups!.get().get(w.change.current.id) ?? [] } : (value as User);
        return { status: 'fulfilled', value: rememberWritten(changed) };
      });
    } catch (e) {
      const reason = items.length === 1 || e instanceof UnavailableError ? e : new StaleWriteError(e);
      return items.map(() => ({ status: 'rejected', reason }));
    }
  }, MAX_TOGETHER, { depth: 2 });

  /** A planned change as `updateAll` writes it, reading the user's groups when the answer needs them and the plan has none. */
  const updateOf = (p: PlannedChange) => ({
    next: p.updated!,
    previous: p.current,
    ...(p.groupsFromWrite ? { groups: { visibleTo: actingConnection(p.ctx) } } : {}),
  });

  /** A new user of the caller's tenant with this profile and login name. */
  function newUser(ctx: Ctx, profile: UserProfile, loginName: string): User {
    const now = deps.now();
    return extended(profile, { loginName, id: deps.newId(), tenantId: ctx.tenantId, managedBy: actingConnection(ctx), deprovisionedAt: null, version: 1, createdAt: now, updatedAt: now });
  }

  /** The audit and change events of a created user. */
  async function recordCreated(r: Repositories, { ctx, user, profile }: NewUser): Promise<CreateResult> {
    const changes = changedAttributes(emptyProfile(''), profile);
    await recordAudit(deps, r, ctx, { action: 'user.create', resourceType: 'User', resourceId: user.id, changes });
    await recordEvent(deps, r, ctx, { type: 'user.created', resourceType: 'User', resourceId: user.id, data: userData(user), changedAttributes: changes });
    return { user, adopted: false };
  }

  /** Inserts a new user with its audit and change events; a taken name is a ConflictError. */
  async function insertNew(r: Repositories, ctx: Ctx, profile: UserProfile, loginName: string): Promise<CreateResult> {
    const user = newUser(ctx, profile, loginName);
    await r.users.insert(user);
    return recordCreated(r, { ctx, user, profile });
  }

  /**
   * The first statements of creates (docs/architecture.md#optimistic-writes), written together: one
   * commit for many, as an identity provider's initial sync sends creates side by side. A create of
   * a batch that failed (a name taken, by a user or by another create of the batch) is made from its
   * lookups, as when its own first statement failed.
   */
  const createTogether = async (create: NewUser): Promise<CreateResult> => (await writeTogether(create.ctx.tenantId, { create })) as CreateResult;

  /** Runs a write that sets `userName`, explaining a conflict with another source's user. */
  const explainConflict = <T>(ctx: Ctx, userName: () => string, write: () => Promise<T>): Promise<T> =>
    explainSourceConflict(ctx, 'user.userName', async () => (await store.read((r) => r.users.findCandidates(ctx.tenantId, { userName: userName() })))[0], write);

  /** The login names a new user may get, in order; none to look up under 'reject', where the unique index turns a taken name into a 409, like a taken userName. */
  const loginNamesToTry = (userName: string, policies: ProvisioningPolicies): string[] =>
    policies.onLoginNameCollision === 'reject' ? [] : loginNameCandidates(loginNameBase(userName, policies));

  /** The login name for a new user under the connection's policies (docs/architecture.md#provisioning-policies), given which are taken. */
  function chooseLoginName(userName: string, policies: ProvisioningPolicies, taken: ReadonlySet<string>): string {
    const base = loginNameBase(userName, policies);
    if (policies.onLoginNameCollision === 'reject') return base;
    return loginNameCandidates(base).find((c) => !taken.has(c.toLowerCase())) ?? randomSuffixed(base);
  }

  /**
   * Under the suffix policy, parallel creates may choose the same free login name; the unique
   * index lets one win, and each other retries in a fresh transaction, which sees that name taken
   * and picks the next suffix (docs/architecture.md#provisioning-policies). Never a 409 for it.
   */
  async function retryLostLoginNameRace<T>(once: () => Promise<T>, policies: ProvisioningPolicies): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (e) {
        const lostRace = policies.onLoginNameCollision === 'suffix' && e instanceof ConflictError && e.rule === 'user.loginName';
        if (!lostRace || attempt >= CREATE_ATTEMPTS) throw e;
      }
    }
  }

  /** The change of the user `current` that `change` asks for: the state to write, with the attributes it changes. */
  function planChange(ctx: Ctx, id: string, current: User, change: (current: User) => UserProfile, opts: WriteOptions): PlannedChange {
    assertMayChange(ctx, current, 'User', id);
    assertVersion(current.version, opts.ifVersion, 'User', id);
    const next = change(current);
    validateProfile(next, deps.limits);
    const changes = changedAttributes(current, next);
    if (changes.length === 0) return { ctx, current, updated: null, changes };
    // A login name that mirrors the userName keeps mirroring it; a derived one stays as it is.
    const loginName = current.loginName === current.userName ? next.userName : current.loginName;
    const groupsFromWrite = opts.withGroups === true && current.groups === undefined;
    return { ctx, current, changes, groupsFromWrite, updated: { ...current, ...next, loginName, version: current.version + 1, updatedAt: deps.now() } };
  }

  /**
   * A change planned from the user's remembered state (docs/architecture.md#remembered-users) and
   * written with the others that arrive together, or null when it has to be planned from a read:
   * nothing remembered, another version asked for, a plan that fails or changes nothing (either
   * may only say that the state is stale), or a change of multi-valued attributes. A stale state
   * fails the guarded write; it is then forgotten, and null lets the change be made from a read.
   */
  async function changeRemembered(ctx: Ctx, id: string, plan: (current: User) => PlannedChange, opts: WriteOptions): Promise<User | null> {
    const remembered = recent.get(ctx.tenantId, id, actingConnection(ctx));
    if (!remembered || (opts.ifVersion != null && opts.ifVersion !== remembered.version)) return null;
    let planned: PlannedChange;
    try {
      planned = plan(remembered);
    } catch {
      return null;
    }
    if (!planned.updated || !keepsValues(planned)) return null;
    try {
      return await changeTogether(planned);
    } catch (e) {
      if (!(e instanceof StaleWriteError)) throw e;
      recent.forget(ctx.tenantId, id);
      return null;
    }
  }

  /** Writes a planned change alone, guarded by the state it was planned from, with its events. */
  async function writeChange(r: Repositories, planned: PlannedChange): Promise<User> {
    await r.users.update(planned.updated!, planned.current);
    return recordChanged(r, planned);
  }

  /** The audit and change events of a planned change. */
  async function recordChanged(r: Repositories, { ctx, updated, changes }: PlannedChange): Promise<User> {
    const user = updated!;
    const action = changes.length === 1 && changes[0] === 'active' ? (user.active ? 'user.reactivate' : 'user.deactivate') : 'user.update';
    await recordAudit(deps, r, ctx, { action, resourceType: 'User', resourceId: user.id, changes });
    await recordChange(r, ctx, user, changes);
    return user;
  }

  /**
   * Changes of users that leave their multi-valued attributes as they were, written together
   * (docs/architecture.md#optimistic-writes). A change of a batch that failed (a user changed since
   * it was read, a name taken) is made again from a read under its user's lock, as when its own
   * statement failed.
   */
  const changeTogether = async (change: PlannedChange): Promise<User> => (await writeTogether(change.ctx.tenantId, { change })) as User;

  /**
   * The events of a change to an existing user: user.updated for its attributes other than
   * `active`, then user.deactivated or user.reactivated when `active` changed.
   */
  async function recordChange(r: Repositories, ctx: Ctx, user: User, changes: readonly string[]): Promise<void> {
    const others = changes.filter((c) => c !== 'active');
    const base = { resourceType: 'User', resourceId: user.id, data: userData(user) } as const;
    if (others.length > 0) await recordEvent(deps, r, ctx, extended(base, { type: 'user.updated', changedAttributes: others }));
    if (changes.includes('active')) {
      await recordEvent(deps, r, ctx, extended(base, { type: user.active ? 'user.reactivated' : 'user.deactivated', changedAttributes: ['active'] }));
    }
  }

  return {
    /** The user; with `withGroups`, its direct groups too (`User.groups`), read in the same statement. */
    async get(ctx: Ctx, id: string, opts: { withGroups?: boolean } = {}): Promise<User> {
      assertCanRead(ctx);
      return find(ctx, id, opts.withGroups === true);
    },

    /** Users by id, in no particular order; missing ids are left out. */
    async getMany(ctx: Ctx, ids: readonly string[]): Promise<User[]> {
      assertCanRead(ctx);
      if (ids.length === 0) return [];
      return store.read((r) => r.users.getMany(ctx.tenantId, ids));
    },

    /** Ids of the users with these userNames (case-insensitively), keyed by the name as given; unknown names are left out. */
    async idsByUserName(ctx: Ctx, userNames: readonly string[]): Promise<Map<string, string>> {
      assertCanRead(ctx);
      const names = lookupNames(userNames);
      return names.length ? store.read((r) => r.users.idsByUserName(ctx.tenantId, names)) : new Map();
    },

    async list(ctx: Ctx, q: ListQuery): Promise<ListResult<User>> {
      assertCanRead(ctx);
      checkList(q);
      const matching = matchingQuery(q);
      const found = matching && (await lookup({ tenantId: ctx.tenantId, ...matching, visibleTo: actingConnection(ctx), withGroups: q.withGroups === true }));
      // None or one found is the whole answer: its total, and an order no one needs. Users who share
      // an externalId are listed as any filter is.
      if (found && found.length <= 1) {
        const items = q.page.limit > 0 ? found.map((u) => ({ node: u, cursor: keysetCursor('id', u.id, u.id) })) : [];
        return { items, total: q.withTotal ? found.length : null, hasMore: items.length < found.length };
      }
      return store.read((r) => r.users.list(ctx.tenantId, { ...q, visibleTo: actingConnection(ctx) }));
    },

    /**
     * Creates a user, or, under a connection's policies, brings back or adopts the existing user the
     * create is for. `merge` gives the adopted user's new profile from its current one (attributes
     * the request carries replace, the others stay); without it the profile replaces the whole.
     */
    async create(ctx: Ctx, profile: UserProfile, opts: { policies?: ProvisioningPolicies; merge?: (existing: User) => UserProfile } = {}): Promise<CreateResult> {
      assertCanWrite(ctx);
      validateProfile(profile, deps.limits);
      const policies = opts.policies ?? ADMIN_CREATE;
      let loginName = '';
      const once = () => store.write(async (r): Promise<CreateResult> => {
        const managedBy = actingConnection(ctx);
        // A connection's deprovisioned user with this userName comes back (docs/architecture.md#provisioning-policies, onDelete):
        // it is read with the login names the new user may get, in one statement.
        const lookups = await r.users.createLookups(ctx.tenantId, {
          ...(opts.policies && managedBy !== null && typeof profile.userName === 'string' ? { userName: profile.userName } : {}),
          loginNames: loginNamesToTry(profile.userName, policies),
        });
        if (opts.policies) {
          const match = await findExisting(r, ctx, profile, opts.policies, lookups.sameUserName);
          // Read again under a row lock; a deprovisioned user is not visible to its connection, so no visibility here.
          const locked = match ? await r.users.get(ctx.tenantId, match.id, { forUpdate: true }) : null;
          if (locked) {
            const next = opts.merge ? opts.merge(locked) : profile;
            validateProfile(next, deps.limits);
            const adopted: User = { ...locked, ...next, managedBy, deprovisionedAt: null, version: locked.version + 1, updatedAt: deps.now() };
            await r.users.update(adopted, locked);
            // Only what changed: attributes the request left out, or sent as they were, are not named.
            const changes = [...changedAttributes(locked, next), ...(locked.managedBy !== managedBy ? ['managedBy'] : [])];
            await recordAudit(deps, r, ctx, { action: locked.deprovisionedAt !== null ? 'user.reprovision' : 'user.adopt', resourceType: 'User', resourceId: adopted.id, changes });
            await recordChange(r, ctx, adopted, changes);
            return { user: adopted, adopted: true };
          }
        }
        loginName = chooseLoginName(profile.userName, policies, lookups.takenLoginNames);
        return insertNew(r, ctx, profile, loginName);
      });
      // A create no existing user can be for but one holding its userName (no matchBy) is first sent
      // as one statement, with the first login name it may get (with the creates of the tenant that
      // arrived while the one before was being written): when the userName or that login name is
      // taken, nothing of it lands (StaleWriteError), and the create is made from its lookups,
      // which bring back a deprovisioned user, choose another login name or say what is in the way
      // (docs/architecture.md#optimistic-writes).
      const atOnce = () => {
        loginName = chooseLoginName(profile.userName, policies, new Set());
        return createTogether({ ctx, user: newUser(ctx, profile, loginName), profile });
      };
      return explainConflict(ctx, () => profile.userName, async () => {
        try {
          if (policies.matchBy.length === 0) {
            try {
              return await atOnce();
            } catch (e) {
              if (!(e instanceof StaleWriteError)) throw e;
            }
          }
          return await retryLostLoginNameRace(once, policies);
        } catch (e) {
        // A connection that asked for 'reject' learns which login name: its identity provider found the
        // userName free, so a bare "taken" would not say what to fix.
          if (opts.policies && e instanceof ConflictError && e.rule === 'user.loginName') {
            throw new ConflictError(`the login name "${loginName}" derived from userName is already taken by another user in this tenant (policy onLoginNameCollision: reject)`, e.field, e.rule);
          }
          throw e;
        }
      });
    },

    /**
     * Changes a user: `change` receives the current state and returns the new profile. Nothing is
     * written when nothing changed. The state is read without a lock and the write lands only if
     * the user is still in it, with the changes of other users that arrived while one was being
     * written when it leaves the multi-valued attributes as they were; when another write got there
     * first, the change is made again from a read under the user's lock (docs/architecture.md#optimistic-writes).
     */
    async update(ctx: Ctx, id: string, change: (current: User) => UserProfile, opts: WriteOptions = {}): Promise<User> {
      assertCanWrite(ctx);
      const withGroups = opts.withGroups === true;
      let userName = '';
      const plan = (current: User): PlannedChange => {
        const planned = planChange(ctx, id, current, change, opts);
        userName = (planned.updated ?? current).userName;
        return planned;
      };
      return explainConflict(ctx, () => userName, () =>
        retryStale(async (locked) => {
          if (!locked) {
            const done = await changeRemembered(ctx, id, plan, opts);
            if (done) return done;
            const planned = plan(await find(ctx, id, withGroups));
            if (!planned.updated) return planned.current;
            return keepsValues(planned) ? changeTogether(planned) : rememberWritten(await store.write((r) => writeChange(r, planned)));
          }
          return rememberWritten(
            await store.write(async (r) => {
              const planned = plan(await load(r, ctx, id, { forUpdate: true, withGroups }));
              return planned.updated ? writeChange(r, planned) : planned.current;
            }),
          );
        }),
      );
    },

    /** Deactivation keeps the user, its attributes and its memberships (docs/architecture.md#provisioning-policies). */
    async setActive(ctx: Ctx, id: string, active: boolean, opts: WriteOptions = {}): Promise<User> {
      return this.update(ctx, id, (u) => ({ ...u, active }), opts);
    },

    /** Hard delete: the user and its memberships go. */
    async delete(ctx: Ctx, id: string, opts: WriteOptions = {}): Promise<void> {
      assertCanWrite(ctx);
      await store.write(async (r) => {
        const current = await load(r, ctx, id, { forUpdate: true });
        assertMayChange(ctx, current, 'User', id);
        assertVersion(current.version, opts.ifVersion, 'User', id);
        await r.users.delete(ctx.tenantId, id);
        await recordAudit(deps, r, ctx, { action: 'user.delete', resourceType: 'User', resourceId: id });
        await recordEvent(deps, r, ctx, { type: 'user.deleted', resourceType: 'User', resourceId: id, data: deletedUserData(current) });
      });
      recent.forget(ctx.tenantId, id);
    },

    /**
     * A SCIM delete under onDelete: deactivate (docs/architecture.md#provisioning-policies): the user stays, inactive, with its
     * attributes and group memberships, for admins; for the connection it is gone (404, no filter
     * finds it) until a create for the same person brings it back.
     */
    async deprovision(ctx: Ctx, id: string, opts: WriteOptions = {}): Promise<void> {
      assertCanWrite(ctx);
      const mine = actingConnection(ctx);
      if (mine === null) throw new ForbiddenError('Only a SCIM connection deprovisions users; admins deactivate or delete them');
      await store.write(async (r) => {
        const current = await load(r, ctx, id, { forUpdate: true });
        assertMayChange(ctx, current, 'User', id);
        assertVersion(current.version, opts.ifVersion, 'User', id);
        // The connection takes what it deletes: an unowned user it deprovisions becomes its own, so it is gone for it.
        const updated: User = { ...current, active: false, managedBy: mine, deprovisionedAt: deps.now(), version: current.version + 1, updatedAt: deps.now() };
        await r.users.update(updated);
        const changes = [...(current.active ? ['active'] : []), ...(current.managedBy !== mine ? ['managedBy'] : []), 'deprovisioned'];
        await recordAudit(deps, r, ctx, { action: 'user.deprovision', resourceType: 'User', resourceId: id, changes });
        await recordChange(r, ctx, updated, changes);
      });
      recent.forget(ctx.tenantId, id);
    },

    /** Ends SCIM ownership so admin tools may change the user again. Admins only. */
    async release(ctx: Ctx, id: string): Promise<User> {
      assertCanWrite(ctx);
      if (ctx.actor.type === 'connection') throw new ForbiddenError('A SCIM connection cannot release users');
      const released = await store.write(async (r) => {
        const current = await load(r, ctx, id, { forUpdate: true });
        if (current.managedBy === null) return current;
        // A released user is the admins' own: no longer deprovisioned by a connection that gave it up.
        const updated: User = { ...current, managedBy: null, deprovisionedAt: null, version: current.version + 1, updatedAt: deps.now() };
        await r.users.update(updated);
        const changes = ['managedBy', ...(current.deprovisionedAt !== null ? ['deprovisioned'] : [])];
        await recordAudit(deps, r, ctx, { action: 'user.release', resourceType: 'User', resourceId: id, changes });
        await recordChange(r, ctx, updated, changes);
        return updated;
      });
      return rememberWritten(released);
    },
  };
}
