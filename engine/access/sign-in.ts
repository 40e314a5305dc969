import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertToken } from '../../db/queries/api-tokens.ts';
import { findUser } from '../../db/queries/users.ts';
import type { Database } from '../../db/schema.ts';
import { AuthenticationError } from './errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Principal } from './permissions.ts';
import { generateToken, hashToken } from './tokens.ts';

/** The token name a browser sign-in creates (token list shows these as web sessions). */
export const WEB_SESSION_TOKEN_NAME = 'web session';

let dummyHash: Promise<string> | undefined;
/** A real argon2 hash to verify against when the user is unknown: both refusals take as long. */
function dummy(): Promise<string> {
  dummyHash ??= hashPassword('not-a-password-anyone-has');
  return dummyHash;
}

export interface SignedIn {
  principal: Principal;
  /** The session's API token: the browser keeps it in an HttpOnly cookie, never in script. */
  token: string;
  expiresAt: Date;
}

/**
 * A browser sign-in with name and password: a short-lived API token of the user, so a session is
 * revoked, listed, expired and audited exactly as tokens are (engine/access/tokens.ts). One
 * refusal for every failure (unknown user, no password, wrong password, disabled): the answer
 * does not tell which names exist.
 */
export async function signIn(
  db: Kysely<Database>,
  input: { name: string; password: string; now: Date; hours: number },
): Promise<SignedIn> {
  const user = await findUser(db, input.name);
  const ok = await verifyPassword(user?.password_hash ?? (await dummy()), input.password);
  if (!user?.password_hash || !ok || user.disabled_at) {
    throw new AuthenticationError('wrong user name or password', 'unauthenticated');
  }
  const token = generateToken();
  const expiresAt = new Date(input.now.getTime() + input.hours * 3_600_000);
  const row = await insertToken(db, {
    userId: user.id,
    userName: user.name,
    name: WEB_SESSION_TOKEN_NAME,
    tokenHash: hashToken(token),
    expiresAt,
    actor: { name: user.name, role: user.role },
  });
  return {
    principal: { userId: user.id, name: user.name, role: user.role, tokenId: row.id },
    token,
    expiresAt,
  };
}

/**
 * The CSRF token of a cookie session: an HMAC of the session token, so it needs no storage, and a
 * page of another site (which cannot read our responses) cannot produce it. The browser sends
 * it back in `x-csrf-token` on every change; a bearer token is not sent by browsers on their
 * own and needs none.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', 'dialer-csrf-v1').update(sessionToken).digest('base64url');
}

export function csrfTokenMatches(sessionToken: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
