import { UserError } from '../platform/errors.ts';
import type { Permission, Principal, Role } from './permissions.ts';

/**
 * Who is acting could not be established: no token, an unknown, expired or revoked one, a token
 * file others can read, or an identity claimed by name. Exit 1; nothing was done.
 */
export type AuthenticationCode =
  | 'unauthenticated'
  | 'token_invalid'
  | 'token_expired'
  | 'token_revoked'
  | 'user_disabled'
  | 'token_file_open'
  | 'identity_claimed';

export class AuthenticationError extends UserError {
  declare readonly code: AuthenticationCode;

  constructor(message: string, code: AuthenticationCode) {
    super(message, code);
  }
}

/** The acting user's role does not hold the permission. Exit 1; nothing was done. */
export class ForbiddenError extends UserError {
  readonly permission: Permission;

  constructor(
    principal: Pick<Principal, 'name' | 'role'>,
    permission: Permission,
    needs: readonly Role[],
    what?: string,
  ) {
    super(
      `${what ?? permission} needs the role ${needs.join(' or ')}; ${principal.name} is ${principal.role}`,
      'forbidden',
    );
    this.permission = permission;
  }
}
