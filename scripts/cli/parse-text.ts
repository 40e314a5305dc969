import { UsageError } from '../../engine/platform/errors.ts';

/**
 * A free-text option (`--source`, `--reason`, `--note`…) within its length
 * (engine/platform/field-limits.ts): a longer one is a usage error before anything is written.
 */
export function limitedText<T extends string | undefined>(value: T, flag: string, max: number): T {
  if (value !== undefined && value.length > max) {
    throw new UsageError(`${flag} must be at most ${max} characters, got ${value.length}`);
  }
  return value;
}
