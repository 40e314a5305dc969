import { InfrastructureError } from '../platform/errors.ts';

/**
 * What went wrong, in words the engine can branch on. ari-client rejects with a plain Error
 * whose message is the response body; the adapter wraps it here.
 */
export type TelephonyErrorKind =
  /** The originate request was refused (e.g. `Allocation failed`: unknown technology/endpoint). */
  | 'originate-failed'
  /** The channel, bridge or recording does not exist (any more). */
  | 'not-found'
  /** The request was invalid (bad arguments, channel not in Stasis...). */
  | 'rejected'
  /** Not connected to the telephone system, or it did not answer. */
  | 'unavailable'
  /** A trunk limit refused the call (the adapter was stopped while it waited). */
  | 'limit'
  | 'failed';

export class TelephonyError extends InfrastructureError {
  readonly kind: TelephonyErrorKind;

  constructor(kind: TelephonyErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, `telephony_${kind.replace('-', '_')}`, options);
    this.kind = kind;
  }
}

export function isTelephonyError(error: unknown, kind?: TelephonyErrorKind): error is TelephonyError {
  return error instanceof TelephonyError && (kind === undefined || error.kind === kind);
}
