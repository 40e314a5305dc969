import type { Kysely } from 'kysely';
import { findTokenByHash, touchToken } from '../../db/queries/api-tokens.ts';
import type { Database } from '../../db/schema.ts';
import { AuthenticationError } from './errors.ts';
import type { Principal } from './permissions.ts';
import { hashToken, looksLikeToken } from './tokens.ts';

/** How stale a token's recorded last use may get (token list shows it). */
const TOUCH_EVERY_MS = 60_000;

/**
 * The user a presented API token stands for, or a refusal that says why (unknown, expired,
 * revoked, user disabled). Records the token's last use (to the minute) on success only: a refusal
 * changes nothing.
 */
export async function authenticateToken(db: Kysely<Database>, token: string, now: Date): Promise<Principal> {
  if (!looksLikeToken(token)) {
    throw new AuthenticationError(
      'the API token is malformed (expected dlr_ and 43 characters)',
      'token_invalid',
    );
  }
  const found = await findTokenByHash(db, hashToken(token));
  if (!found)
    throw new AuthenticationError(
      'the API token is not known (revoked long ago, or mistyped)',
      'token_invalid',
    );
  if (found.revokedAt) {
    throw new AuthenticationError(
      `the API token (id ${found.tokenId}) was revoked at ${found.revokedAt.toISOString()}`,
      'token_revoked',
    );
  }
  if (found.expiresAt.getTime() <= now.getTime()) {
    throw new AuthenticationError(
      `the API token (id ${found.tokenId}) expired at ${found.expiresAt.toISOString()}; create a new one (dialer token create)`,
      'token_expired',
    );
  }
  if (found.disabledAt) {
    throw new AuthenticationError(`user ${found.userName} is disabled`, 'user_disabled');
  }
  // The last use to the minute: a busy API client (a browser's every request) would otherwise
  // write the token's row on every request.
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
    await touchToken(db, found.tokenId, now);
  }
  return { userId: found.userId, name: found.userName, role: found.role, tokenId: found.tokenId };
}
