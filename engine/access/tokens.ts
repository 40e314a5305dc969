import { createHash, randomBytes } from 'node:crypto';
import { UsageError } from '../platform/errors.ts';

/**
 * Personal API tokens: 32 random bytes, shown once. Only their SHA-256 is stored: a hash of a
 * high-entropy secret needs no salt or slow hash, and looking it up by hash costs one index probe.
 */
export const TOKEN_PREFIX = 'dlr_';

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeToken(text: string): boolean {
  return /^dlr_[A-Za-z0-9_-]{43}$/.test(text);
}

/** Tokens always expire: the default lifetime and the longest one allowed. */
export const DEFAULT_TOKEN_DAYS = 30;
export const MAX_TOKEN_DAYS = 366;

/** `30d`, `12h`, `90m` → milliseconds; refuses zero, a negative, or more than MAX_TOKEN_DAYS. */
export function parseLifetime(text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text.trim());
  if (!match) throw new UsageError(`--expires must look like 30d, 12h or 90m; got "${text}"`);
  const n = Number(match[1]);
  const unit = match[2] === 'd' ? 86_400_000 : match[2] === 'h' ? 3_600_000 : 60_000;
  const ms = n * unit;
  if (ms <= 0 || ms > MAX_TOKEN_DAYS * 86_400_000) {
    throw new UsageError(`--expires must be more than 0 and at most ${MAX_TOKEN_DAYS}d; got "${text}"`);
  }
  return ms;
}
