import { type CountryCode, Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import type { RejectReason } from './reject-reasons.ts';

/**
 * Phone number text from a list → E.164, or a reason it cannot be one.
 *
 * libphonenumber-js with the full ("max") metadata is the judge: the smaller metadata validates
 * by length only and calls 12345678901 a Chinese number. Full parsing costs ~15 µs a number,
 * too slow for a million-row list, so the common shapes (digits, optional `+`, the usual
 * separators) take a fast path that applies the same metadata directly: the national number
 * must match the country's number pattern and one number type's pattern and lengths, exactly as
 * libphonenumber's isValid() decides. Anything the fast path does not accept — an invalid number,
 * a trunk prefix, an international call prefix, letters, an extension — goes to
 * parsePhoneNumberFromString, so only valid numbers are ever decided by the fast path.
 * test/import/phone-normalizer.test.ts checks both paths agree.
 */

export type PhoneResult =
  | { readonly ok: true; readonly e164: string }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/** The metadata methods used here (libphonenumber-js's Metadata class; its typings omit them). */
interface NumberingPlanInternals {
  callingCode(): string;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}
interface MetadataInternals {
  numberingPlan: NumberingPlanInternals;
  selectNumberingPlan(country: string): void;
  countryCallingCodes(): Record<string, string[]>;
  hasCountry(country: string): boolean;
}

const NUMBER_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

interface CompiledType {
  readonly pattern: RegExp;
  readonly lengths: ReadonlySet<number> | undefined;
}
interface CompiledPlan {
  readonly nationalPattern: RegExp;
  readonly types: readonly CompiledType[];
  readonly nationalPrefix: RegExp | undefined;
  readonly possibleLengths: ReadonlySet<number> | undefined;
}

const metadata = new Metadata(metadataJson) as unknown as MetadataInternals;
const callingCodeRegions = metadata.countryCallingCodes();
const compiledPlans = new Map<string, CompiledPlan>();

function compiledPlan(region: string): CompiledPlan {
  const cached = compiledPlans.get(region);
  if (cached) return cached;
  metadata.selectNumberingPlan(region);
  const plan = metadata.numberingPlan;
  const types: CompiledType[] = [];
  for (const name of NUMBER_TYPES) {
    const type = plan.type(name);
    const pattern = type?.pattern();
    if (!type || !pattern) continue;
    const lengths = type.possibleLengths();
    types.push({ pattern: new RegExp(`^(?:${pattern})$`), lengths: lengths ? new Set(lengths) : undefined });
  }
  const prefix = plan.nationalPrefixForParsing();
  const lengths = plan.possibleLengths();
  const compiled: CompiledPlan = {
    nationalPattern: new RegExp(`^(?:${plan.nationalNumberPattern()})$`),
    types,
    nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
    possibleLengths: lengths ? new Set(lengths) : undefined,
  };
  compiledPlans.set(region, compiled);
  return compiled;
}

function isValidNational(plan: CompiledPlan, national: string): boolean {
  if (!plan.nationalPattern.test(national)) return false;
  for (const type of plan.types) {
    if (type.lengths && !type.lengths.has(national.length)) continue;
    if (type.pattern.test(national)) return true;
  }
  return false;
}

/** Valid in any region sharing the calling code (NANP, +44 with the Crown dependencies, …). */
function isValidForCallingCode(callingCode: string, national: string): boolean {
  const regions = callingCodeRegions[callingCode];
  if (!regions) return false;
  for (const region of regions) {
    const plan = compiledPlan(region);
    // A leading trunk prefix (or carrier code) needs libphonenumber's stripping rules.
    if (plan.nationalPrefix?.test(national)) return false;
    if (isValidNational(plan, national)) return true;
  }
  return false;
}

/** Spaces, dashes, dots, slashes, brackets and no-break spaces that people write inside numbers. */
const SEPARATORS = /[\s\-./()\u00a0]/g;
const PLAIN = /^\+?\d{4,17}$/;
/** What Excel makes of a long number in a General cell: 1.38E+10, 1.38e10, 8.6138E+12. */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;

export interface PhoneNormalizer {
  normalize(text: string): PhoneResult;
}

/** A normalizer for numbers written nationally in `region` (ISO 3166 alpha-2, e.g. CN, US). */
export function createPhoneNormalizer(region: string): PhoneNormalizer {
  if (!metadata.hasCountry(region)) throw new Error(`unknown numbering region ${region}`);
  metadata.selectNumberingPlan(region);
  const ownCode = metadata.numberingPlan.callingCode();
  const ownPlan = compiledPlan(region);

  function fastPath(cleaned: string): string | undefined {
    if (cleaned.charCodeAt(0) === 43 /* + */) {
      for (let length = 1; length <= 3; length++) {
        const code = cleaned.slice(1, 1 + length);
        if (callingCodeRegions[code]) {
          const national = cleaned.slice(1 + length);
          return isValidForCallingCode(code, national) ? cleaned : undefined;
        }
      }
      return undefined;
    }
    if (ownPlan.possibleLengths && !ownPlan.possibleLengths.has(cleaned.length)) return undefined;
    return isValidForCallingCode(ownCode, cleaned) ? `+${ownCode}${cleaned}` : undefined;
  }

  return {
    normalize(text) {
      let value = text.trim();
      // A leading apostrophe is how spreadsheets (and our own exports) keep a cell as text.
      if (value.charCodeAt(0) === 39) value = value.slice(1).trim();
      if (value === '') return { ok: false, reason: 'missing_number', detail: 'the phone cell is empty' };
      const cleaned = value.replace(SEPARATORS, '');
      if (SCIENTIFIC.test(cleaned)) {
        return {
          ok: false,
          reason: 'scientific_notation',
          detail: `"${value}" is a number a spreadsheet wrote in scientific notation; its digits are lost`,
        };
      }
      if (PLAIN.test(cleaned)) {
        const e164 = fastPath(cleaned);
        if (e164) return { ok: true, e164 };
      }
      const parsed = parsePhoneNumberFromString(value, region as CountryCode, metadataJson);
      if (parsed?.isValid()) return { ok: true, e164: parsed.number };
      return { ok: false, reason: 'invalid_number', detail: `"${value}" is not a valid phone number` };
    },
  };
}

/** Whether libphonenumber knows the region (for validating --region before reading a file). */
export function isKnownRegion(region: string): boolean {
  return metadata.hasCountry(region);
}
