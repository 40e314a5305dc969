import type { Kysely } from 'kysely';
import { ConflictError, UserError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { Database, UserRole } from '../schema.ts';
import { recordAudit } from './audit.ts';

/**
 * Who may see full numbers. Roles: compliance_officer (full numbers: exports, unmask),
 * manager and agent (masked views only). The acting user is the CLI's --as / DIALER_USER.
 */

export const USER_ROLES: readonly UserRole[] = ['compliance_officer', 'manager', 'agent'];
/** Roles allowed to see and export full phone numbers. */
export const FULL_NUMBER_ROLES: readonly UserRole[] = ['compliance_officer'];

export async function addUser(db: Kysely<Database>, input: { name: string; role: UserRole; actor: string }) {
  return db.transaction().execute(async (trx) => {
    // Only a compliance officer grants the privileged role, except the very first one.
    if (input.role === 'compliance_officer') {
      const officers = await trx
        .selectFrom('users')
        .select('name')
        .where('role', '=', 'compliance_officer')
        .where('disabled_at', 'is', null)
        .execute();
      if (officers.length > 0 && !officers.some((o) => o.name === input.actor)) {
        throw new UserError(
          `only a compliance officer may add a compliance officer (acting as "${input.actor}"; use --as)`,
          'forbidden',
        );
      }
    }
    try {
      const row = await trx
        .insertInto('users')
        .values({ name: input.name, role: input.role, created_by: input.actor })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: input.actor,
        action: 'user.add',
        subject: `user:${row.name}`,
        details: { role: row.role },
      });
      return row;
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION)
        throw new ConflictError(`user "${input.name}" already exists`);
      throw error;
    }
  });
}

export function listUsers(db: Kysely<Database>) {
  return db.selectFrom('users').selectAll().orderBy('name').execute();
}

export async function findUser(db: Kysely<Database>, name: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where('name', '=', name)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
}

/** The acting user, if they hold one of `roles`; a clear refusal otherwise. */
export async function requireRole(
  db: Kysely<Database>,
  name: string,
  roles: readonly UserRole[],
  what: string,
) {
  const user = await findUser(db, name);
  if (!user) {
    throw new UserError(
      `${what} needs a privileged user (${roles.join(' or ')}); "${name}" is not a known user (dialer user add, then --as <user>)`,
      'forbidden',
    );
  }
  if (!roles.includes(user.role)) {
    throw new UserError(
      `${what} needs the role ${roles.join(' or ')}; "${name}" is ${user.role}`,
      'forbidden',
    );
  }
  return user;
}
