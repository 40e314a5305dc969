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

/** The most rows a listing shows at once: a bound on one answer, not on what exists. */
export const MAX_LIMIT = 100_000;

/**
 * Parses `--limit <n>`: a whole number from 1 to MAX_LIMIT. `--limit abc` or `--limit 0` is a
 * usage error (exit 2) rather than quietly replaced by the default.
 */
export function parseLimit(value: string, option = '--limit'): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be a positive whole number, got "${value}"`);
  const limit = Number(text);
  if (limit < 1 || limit > MAX_LIMIT) {
    throw new UsageError(`${option} must be between 1 and ${MAX_LIMIT}, got "${value}"`);
  }
  return limit;
}
