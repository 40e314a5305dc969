import { InfrastructureError } from '../engine/platform/errors.ts';

/** PostgreSQL error codes the application reacts to, by name (both pg and PGlite expose `code`). */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';
export const PG_SERIALIZATION_FAILURE = '40001';
export const PG_DEADLOCK_DETECTED = '40P01';
export const PG_RAISE_EXCEPTION = 'P0001';
export const PG_UNDEFINED_TABLE = '42P01';
/** The server ended our session: `pg_terminate_backend`, a fast shutdown. */
export const PG_ADMIN_SHUTDOWN = '57P01';
export const PG_CRASH_SHUTDOWN = '57P02';
export const PG_CANNOT_CONNECT_NOW = '57P03';
export const PG_TOO_MANY_CONNECTIONS = '53300';

/**
 * Our code for a connection that failed under a query: the pg driver reports a dead socket
 * ("Connection terminated unexpectedly", "not queryable") as a plain Error with no SQLSTATE, so
 * db/connect.ts wraps those in an InfrastructureError with this code.
 */
export const DATABASE_CONNECTION_LOST = 'database_connection_lost';
/** The database stayed unavailable through every retry (engine/runner/database-retry.ts). */
export const DATABASE_UNAVAILABLE = 'database_unavailable';

/** Socket-level failures Node reports while reaching the server. */
const NETWORK_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * What kind of database fault an error is, from its code alone:
 * - `connection`: the session or the server went away (SQLSTATE class 08, 57P01–57P03, too many
 *   connections, a socket errno, or our wrapped driver error). A new connection may succeed.
 * - `contention`: serialization failure or deadlock; the same statement may succeed at once.
 * - undefined: not a fault of the database's availability (a constraint, a bug, a refusal):
 *   retrying would fail the same way.
 */
export type DatabaseFault = 'connection' | 'contention';

export function databaseFault(error: unknown): DatabaseFault | undefined {
  const code = pgErrorCode(error);
  if (code === undefined) return undefined;
  if (code === DATABASE_CONNECTION_LOST || code === DATABASE_UNAVAILABLE) return 'connection';
  if (code.startsWith('08')) return 'connection';
  if (
    code === PG_ADMIN_SHUTDOWN ||
    code === PG_CRASH_SHUTDOWN ||
    code === PG_CANNOT_CONNECT_NOW ||
    code === PG_TOO_MANY_CONNECTIONS
  )
    return 'connection';
  if (NETWORK_ERRNO.has(code)) return 'connection';
  if (code === PG_SERIALIZATION_FAILURE || code === PG_DEADLOCK_DETECTED) return 'contention';
  return undefined;
}

/** True for faults that a later try (new connection, next transaction) may not meet again. */
export function isRetryableDatabaseError(error: unknown): boolean {
  return databaseFault(error) !== undefined;
}

/**
 * The driver's error for a connection that failed under a query. Errors the server sent
 * (pg's DatabaseError, with a SQLSTATE) and errors Node gave with an errno code pass unchanged;
 * a plain Error with no code from the driver can only be about the connection, so it gets one.
 */
export function connectionErrorFrom(error: unknown): unknown {
  if (!(error instanceof Error) || error.constructor !== Error) return error;
  if (pgErrorCode(error) !== undefined) return error;
  // The driver's own words stay in the cause (pino prints the chain).
  return new InfrastructureError('the database connection failed', DATABASE_CONNECTION_LOST, {
    cause: error,
  });
}
