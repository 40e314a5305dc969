import { type Kysely, sql, type Transaction } from 'kysely';
import { ROLES } from '../../engine/access/permissions.ts';
import { ConflictError, NotFoundError, UserError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { Database, UserRole } from '../schema.ts';
import { insertToken } from './api-tokens.ts';
import { recordAudit } from './audit.ts';

/**
 * Users and their roles. What a role may do is decided in engine/access/permissions.ts; these
 * statements only store people, and audit every change with the authenticated actor.
 */

export const USER_ROLES: readonly UserRole[] = ROLES;

/** Who did it: the authenticated user and their role, as the audit log records it. */
export interface Actor {
  readonly name: string;
  readonly role: UserRole;
}

/** What a user listing shows, in order: the public columns but the internal id. */
export const userListColumns = [
  'name',
  'role',
  'created_by',
  'created_at',
  'disabled_at',
  'password_changed_at',
] as const;

/** What lists and --json show of a user: never the password hash. */
const publicColumns = ['id', ...userListColumns] as const;

type Db = Kysely<Database> | Transaction<Database>;

/** A first token created with the user, in the same transaction (its secret is the caller's). */
export interface FirstToken {
  readonly tokenHash: string;
  readonly expiresAt: Date;
  readonly name: string;
}

export async function addUser(
  db: Kysely<Database>,
  input: { name: string; role: UserRole; actor: Actor; token?: FirstToken },
) {
  return db.transaction().execute(async (trx) => {
    try {
      const row = await trx
        .insertInto('users')
        .values({ name: input.name, role: input.role, created_by: input.actor.name })
        .returning(publicColumns)
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: input.actor.name,
        role: input.actor.role,
        action: 'user.add',
        subject: `user:${row.name}`,
        details: { role: row.role },
      });
      const token = input.token
        ? await insertToken(trx, { userId: row.id, userName: row.name, ...input.token, actor: input.actor })
        : undefined;
      return { ...row, token };
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION)
        throw new ConflictError(`user "${input.name}" already exists`);
      throw error;
    }
  });
}

/**
 * The first admin, only on an empty user table. The table is locked for the check and the
 * insert (share row exclusive conflicts with itself and with inserts), so two bootstraps at
 * once cannot both see it empty.
 */
export async function bootstrapAdmin(db: Kysely<Database>, name: string, token: FirstToken) {
  return db.transaction().execute(async (trx) => {
    await sql`lock table users in share row exclusive mode`.execute(trx);
    const existing = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (existing) {
      throw new UserError(
        'users already exist: bootstrap only creates the first admin (ask an admin for `dialer user add`)',
        'already_bootstrapped',
      );
    }
    const row = await trx
      .insertInto('users')
      .values({ name, role: 'admin', created_by: name })
      .returning(publicColumns)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor: name, role: 'admin', action: 'user.bootstrap', subject: `user:${name}` });
    const created = await insertToken(trx, {
      userId: row.id,
      userName: name,
      ...token,
      actor: { name, role: 'admin' },
    });
    return { ...row, token: created };
  });
}

/**
 * Can anyone prove who they are here: do tokens exist (the table may not yet, before migration
 * 060)? `db migrate` is open to anyone until then, so a new database can be set up.
 */
export async function hasCredentials(db: Kysely<Database>): Promise<boolean> {
  const exists = await sql<{
    present: boolean;
  }>`select to_regclass('api_tokens') is not null as present`.execute(db);
  if (!exists.rows[0]?.present) return false;
  return Boolean(await db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst());
}

/** Does any user exist? (The demo makes its own users only on a database without any.) */
export async function hasUsers(db: Kysely<Database>): Promise<boolean> {
  return Boolean(await db.selectFrom('users').select('id').limit(1).executeTakeFirst());
}

export function listUsers(db: Kysely<Database>) {
  return db.selectFrom('users').select(publicColumns).orderBy('name').execute();
}

export async function findUser(db: Db, name: string) {
  return db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
}

async function getUserForUpdate(trx: Transaction<Database>, name: string) {
  // for update: a concurrent role change or disable of the same user waits for this one.
  const row = await trx
    .selectFrom('users')
    .selectAll()
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFoundError('user', name);
  return row;
}

/**
 * Refuses a change that would leave no enabled admin (nobody could then manage users). Locks
 * the admin rows so two concurrent demotions cannot each leave the other as the last.
 */
async function keepAnAdmin(trx: Transaction<Database>, leaving: string) {
  const admins = await trx
    .selectFrom('users')
    .select('name')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .forUpdate()
    .execute();
  if (admins.every((a) => a.name === leaving)) {
    throw new UserError(`${leaving} is the last enabled admin; make another admin first`, 'last_admin');
  }
}

export async function setUserRole(
  db: Kysely<Database>,
  input: { name: string; role: UserRole; actor: Actor },
) {
  return db.transaction().execute(async (trx) => {
    const user = await getUserForUpdate(trx, input.name);
    if (user.role === input.role) return { name: user.name, role: user.role, changed: false };
    if (user.role === 'admin') await keepAnAdmin(trx, user.name);
    await trx.updateTable('users').set({ role: input.role }).where('id', '=', user.id).execute();
    await recordAudit(trx, {
      actor: input.actor.name,
      role: input.actor.role,
      action: 'user.role',
      subject: `user:${user.name}`,
      details: { from: user.role, to: input.role },
    });
    return { name: user.name, role: input.role, changed: true };
  });
}

/** Disables a user: their tokens stop working at once (authentication checks disabled_at). */
export async function disableUser(db: Kysely<Database>, input: { name: string; actor: Actor; at: Date }) {
  return db.transaction().execute(async (trx) => {
    const user = await getUserForUpdate(trx, input.name);
    if (user.disabled_at) return { name: user.name, disabledAt: user.disabled_at, changed: false };
    if (user.role === 'admin') await keepAnAdmin(trx, user.name);
    await trx.updateTable('users').set({ disabled_at: input.at }).where('id', '=', user.id).execute();
    await recordAudit(trx, {
      actor: input.actor.name,
      role: input.actor.role,
      action: 'user.disable',
      subject: `user:${user.name}`,
    });
    return { name: user.name, disabledAt: input.at, changed: true };
  });
}

export async function setPasswordHash(
  db: Kysely<Database>,
  input: { name: string; passwordHash: string; actor: Actor; at: Date },
) {
  return db.transaction().execute(async (trx) => {
    const user = await getUserForUpdate(trx, input.name);
    await trx
      .updateTable('users')
      .set({ password_hash: input.passwordHash, password_changed_at: input.at })
      .where('id', '=', user.id)
      .execute();
    // The audit entry names who set it, never anything of the password.
    await recordAudit(trx, {
      actor: input.actor.name,
      role: input.actor.role,
      action: 'user.password',
      subject: `user:${user.name}`,
      details: { own: input.actor.name === user.name },
    });
  });
}
