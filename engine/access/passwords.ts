import argon2 from 'argon2';
import { UsageError } from '../platform/errors.ts';

/**
 * Passwords, for the web/API sign-in: argon2id (the `argon2` binding's defaults: 64 MiB, 3
 * passes, parallelism 4), stored as the PHC string, which carries its own salt and parameters.
 */
export const MIN_PASSWORD_LENGTH = 12;

export function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

export function hashPassword(password: string): Promise<string> {
  checkPasswordStrength(password);
  return argon2.hash(password, { type: argon2.argon2id });
}

/** False for a wrong password or a hash that is not an argon2 string; never throws for those. */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
