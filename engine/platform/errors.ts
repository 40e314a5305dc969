/**
 * The small set of error kinds the whole product throws. The CLI maps them to exit codes:
 * a user mistake prints its message and exits 2 (usage) or 1 (refused); an infrastructure
 * fault is retryable; anything else is a bug and shows a stack trace only with --debug.
 */

export abstract class DialerError extends Error {
  abstract readonly exitCode: number;
  /** Machine-readable code for --json output and logs. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong: unknown flag, missing argument. Exit 2. */
export class UsageError extends DialerError {
  readonly exitCode = 2;
  readonly code = 'usage';
}

/** The input was understood but refused: invalid file, unknown campaign, a rule forbids it. Exit 1. */
export class UserError extends DialerError {
  readonly exitCode = 1;
  readonly code: string;

  constructor(message: string, code = 'refused', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class NotFoundError extends UserError {
  constructor(what: string, id: string | number) {
    super(`${what} ${JSON.stringify(String(id))} does not exist`, 'not_found');
  }
}

export class ConflictError extends UserError {
  constructor(message: string) {
    super(message, 'conflict');
  }
}

/** A file or document failed validation; the message names the field path and the problem. */
export class ValidationError extends UserError {
  readonly issues: readonly string[];

  constructor(message: string, issues: readonly string[] = []) {
    super(message, 'invalid');
    this.issues = issues;
  }
}

/** The database, Asterisk or the file system failed; retrying may succeed. Exit 1. */
export class InfrastructureError extends DialerError {
  readonly exitCode = 1;
  readonly code: string;

  constructor(message: string, code = 'infrastructure', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The database stayed unavailable through every retry of an operation: the caller leaves the
 * work for its reconciliation (the row stays open, the runner re-checks after reconnecting).
 */
export class DatabaseUnavailableError extends InfrastructureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'database_unavailable', options);
  }
}

export function isDialerError(error: unknown): error is DialerError {
  return error instanceof DialerError;
}
