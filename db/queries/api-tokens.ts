import type { Kysely, Transaction } from 'kysely';
import { NotFoundError } from '../../engine/platform/errors.ts';
import type { Database } from '../schema.ts';
import { recordAudit } from './audit.ts';
import type { Actor } from './users.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** What `token list` shows: never the hash. */
const listedColumns = [
  'api_tokens.id',
  'api_tokens.name',
  'users.name as user',
  'api_tokens.created_by',
  'api_tokens.created_at',
  'api_tokens.expires_at',
  'api_tokens.revoked_at',
  'api_tokens.last_used_at',
] as const;

/** Stores a new token's hash (the caller shows the token itself once) and audits it. */
export async function insertToken(
  db: Db,
  input: { userId: number; userName: string; name: string; tokenHash: string; expiresAt: Date; actor: Actor },
) {
  const row = await db
    .insertInto('api_tokens')
    .values({
      user_id: input.userId,
      name: input.name,
      token_hash: input.tokenHash,
      created_by: input.actor.name,
      expires_at: input.expiresAt,
    })
    .returning(['id', 'name', 'created_at', 'expires_at'])
    .executeTakeFirstOrThrow();
  await recordAudit(db, {
    actor: input.actor.name,
    role: input.actor.role,
    action: 'token.create',
    subject: `user:${input.userName}`,
    details: { tokenId: row.id, name: row.name, expiresAt: row.expires_at.toISOString() },
  });
  return row;
}

/**
 * The token with this hash and its user: one probe of the unique index on token_hash. The
 * caller decides (expired, revoked, user disabled) so each refusal can say which.
 */
export function findTokenByHash(db: Kysely<Database>, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.expires_at as expiresAt',
      'api_tokens.revoked_at as revokedAt',
      'api_tokens.last_used_at as lastUsedAt',
      'users.id as userId',
      'users.name as userName',
      'users.role as role',
      'users.disabled_at as disabledAt',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Notes the token's last use (by primary key; no lock beyond the row's own). */
export async function touchToken(db: Kysely<Database>, tokenId: number, at: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}

/** One user's tokens, or everyone's (admin), newest first. Uses api_tokens_user. */
export function listTokens(db: Kysely<Database>, filter: { userId?: number } = {}) {
  let query = db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(listedColumns)
    .orderBy('api_tokens.id', 'desc');
  if (filter.userId !== undefined) query = query.where('api_tokens.user_id', '=', filter.userId);
  return query.execute();
}

/**
 * Revokes a token. `ownerId` limits it to that user's tokens (a non-admin revoking their own):
 * another user's token id is reported as not existing rather than confirmed.
 */
export async function revokeToken(
  db: Kysely<Database>,
  input: { tokenId: number; ownerId?: number; actor: Actor; at: Date },
) {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['api_tokens.id', 'api_tokens.revoked_at', 'users.name as user'])
      .where('api_tokens.id', '=', input.tokenId);
    if (input.ownerId !== undefined) query = query.where('api_tokens.user_id', '=', input.ownerId);
    // for update of api_tokens: two revocations of one token record one revocation.
    const token = await query.forUpdate('api_tokens').executeTakeFirst();
    if (!token) throw new NotFoundError('token', input.tokenId);
    if (token.revoked_at)
      return { id: token.id, user: token.user, revokedAt: token.revoked_at, changed: false };
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: input.at, revoked_by: input.actor.name })
      .where('id', '=', token.id)
      .execute();
    await recordAudit(trx, {
      actor: input.actor.name,
      role: input.actor.role,
      action: 'token.revoke',
      subject: `user:${token.user}`,
      details: { tokenId: token.id },
    });
    return { id: token.id, user: token.user, revokedAt: input.at, changed: true };
  });
}
