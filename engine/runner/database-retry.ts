import { databaseFault } from '../../db/pg-error.ts';
import { DatabaseUnavailableError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';

/** How often and how patiently an operation is retried on a database fault. Real milliseconds. */
export interface DatabaseRetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Pause before the second try; doubles each time up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * About six seconds in all: enough for a pool to reconnect after `pg_terminate_backend` or a
 * fail-over; a longer outage is left to the runner's reconciliation after it reconnects.
 */
export const DEFAULT_DATABASE_RETRY: DatabaseRetryPolicy = {
  attempts: 6,
  firstDelayMs: 200,
  maxDelayMs: 2000,
};

/**
 * Runs `task`; a database fault (databaseFault: the connection went away, a serialization
 * failure) is logged with its error and tried again after a growing pause, at most
 * `policy.attempts` times. Then a DatabaseUnavailableError carries the last fault as its cause.
 * Any other error (a refusal, a constraint, a bug) is thrown at once: it would fail again.
 * `task` must be safe to run again after a failure (one transaction, or idempotent).
 */
export async function withDatabaseRetry<T>(
  task: () => Promise<T>,
  context: { log: Logger; what: string; policy?: DatabaseRetryPolicy | undefined },
): Promise<T> {
  const policy = context.policy ?? DEFAULT_DATABASE_RETRY;
  let delay = policy.firstDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await task();
    } catch (error) {
      if (databaseFault(error) === undefined) throw error;
      if (attempt >= policy.attempts) {
        context.log.error({ err: error, attempt }, `${context.what} failed; the database stays unavailable`);
        throw new DatabaseUnavailableError(`${context.what}: the database is unavailable`, { cause: error });
      }
      context.log.warn({ err: error, attempt, retryInMs: delay }, `${context.what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
