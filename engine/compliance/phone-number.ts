import { Metadata } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/metadata.min.json';
import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/min';

/**
 * Numbers given to compliance commands (do-not-call entries, registry files, approval lists)
 * → E.164. The accepted test is libphonenumber's "possible number" (right length for the
 * country), not full validity: a registry lists numbers as its owner knows them, and refusing
 * one because our metadata thinks its range unassigned would let it be called.
 *
 * Registry files hold tens of millions of bare digit strings, so the usual shapes (digits, or
 * `+` and digits) take a fast path on the country's possible lengths; anything else goes
 * through libphonenumber's parser.
 */

export interface PhoneNormalizer {
  (raw: string): string | null;
  /** The region's calling code and national number lengths, for byte-level fast paths. */
  readonly callingCode: string;
  readonly nationalLengths: readonly number[];
}

export class UnknownRegionError extends Error {}

const SEPARATORS = /[\s\-().]/g;

export function createPhoneNormalizer(region: string): PhoneNormalizer {
  if (!isSupportedCountry(region)) throw new UnknownRegionError(`unknown region "${region}"`);
  const country = region as CountryCode;
  const callingCode = getCountryCallingCode(country);
  const m = new Metadata(metadata);
  m.selectNumberingPlan(country);
  const lengths = new Set(m.numberingPlan?.possibleLengths() ?? []);
  const slow = (raw: string): string | null => {
    const parsed = parsePhoneNumberFromString(raw, country);
    return parsed?.isPossible() ? parsed.number : null;
  };
  const normalizer = (raw: string): string | null => {
    // Fast path: optional '+', then digits only (the whole of a registry file).
    const n = raw.length;
    const plus = n > 0 && raw.charCodeAt(0) === 43;
    let i = plus ? 1 : 0;
    if (i === n) return slow(raw);
    for (; i < n; i++) {
      const c = raw.charCodeAt(i);
      if (c < 48 || c > 57) break;
    }
    if (i < n) {
      const compact = raw.trim().replace(SEPARATORS, '');
      return compact !== raw && /^\+?\d+$/.test(compact) ? normalizeDigits(compact) : slow(raw);
    }
    return normalizeDigits(raw);
  };

  function normalizeDigits(text: string): string | null {
    const plus = text.charCodeAt(0) === 43;
    const digits = plus ? text.slice(1) : text;
    if (!plus) {
      // A national number of this region (no trunk prefix to strip)...
      if (lengths.has(digits.length) && digits.charCodeAt(0) !== 48) return `+${callingCode}${digits}`;
      // ...or the calling code written without the '+'.
      if (digits.startsWith(callingCode) && lengths.has(digits.length - callingCode.length)) {
        return `+${digits}`;
      }
      return slow(text);
    }
    if (digits.startsWith(callingCode) && lengths.has(digits.length - callingCode.length)) return text;
    return slow(text);
  }
  return Object.assign(normalizer, { callingCode, nationalLengths: [...lengths] });
}

/** One number, or a readable refusal for a command-line argument. */
export function normalizeOne(raw: string, region: string): string | null {
  return createPhoneNormalizer(region)(raw);
}
