import { UsageError } from '../../engine/platform/errors.ts';

/** Every id in the database is an `integer` (int4): nothing above this can name a row. */
export const MAX_ID = 2_147_483_647;

/**
 * Parses a positive integer id given on the command line. Anything else — a sign, a fraction,
 * letters, or a number beyond the database's integer range — is a usage error (exit 2) before
 * the database is asked, so `campaign show 99999999999999999999` never reaches PostgreSQL's
 * "out of range" error.
 */
export function parseId(value: string, what: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a positive whole number, got "${value}"`);
  const id = Number(text);
  if (id < 1 || id > MAX_ID) {
    throw new UsageError(`${what} must be between 1 and ${MAX_ID}, got "${value}"`);
  }
  return id;
}
