import { UsageError } from '../../engine/platform/errors.ts';

/** Parses a positive integer id given on the command line. */
export function parseId(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${what} must be a positive number, got "${value}"`);
  return Number(value);
}
