/**
 * Agents, logs and normal views see a masked number: the country code prefix and the last
 * two digits, everything else replaced. Full numbers are for privileged roles only.
 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  const plus = phone.trim().startsWith('+') ? '+' : '';
  const keepStart = plus ? Math.min(2, digits.length - 4) : 0;
  const head = digits.slice(0, keepStart);
  const tail = digits.slice(-2);
  return `${plus}${head}${'*'.repeat(digits.length - keepStart - 2)}${tail}`;
}

/** A run that may be a phone number as people write it: 5+ digits, with spaces, dashes, dots or brackets. */
const NUMBER_IN_TEXT = /\+?\d(?:[\d\s\-.()/]*\d){4,}/g;

/**
 * Free text (a reject reason's detail quoting the cell, a note) with every number-like run in it
 * masked as maskPhone masks a number, so a normal view shows no full number through the text.
 */
export function maskPhonesInText(text: string | null | undefined): string {
  if (!text) return '';
  return text.replace(NUMBER_IN_TEXT, (run) => maskPhone(run));
}

/**
 * A whole value that is an amount of money: an optional sign and currency symbol or code, digits
 * (thousands grouped by commas, dots, spaces or apostrophes, or not grouped), and exactly two
 * decimals: `350.00`, `$1,250.50`, `EUR 1.250,50`, `-12.30`. No phone number is written with a
 * two-digit decimal tail, so the agent sees the balance a collections call is about.
 */
const AMOUNT =
  /^\s*[-+]?\s*(?:[A-Z]{3}\s?|[$€£¥₹])?\s*(?:\d{1,3}(?:([,.\s'])\d{3})*|\d+)[.,]\d{2}\s*(?:[A-Z]{3}|[$€£¥₹])?\s*$/;
/** A whole value that is a calendar date (ISO 8601, maybe with a time, or d/m/y and m/d/y of 19xx–20xx). */
const DATE =
  /^\s*(?:(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|(?:0?[1-9]|[12]\d|3[01])[/.](?:0?[1-9]|[12]\d|3[01])[/.](?:19|20)\d{2})\s*$/;

/**
 * A list field shown to an agent (a contact's own columns): masked as free text, except a value
 * that is as a whole an amount of money or a date, which no reading takes for a phone number.
 * Anything else with a number-like run (an account number, a second phone) stays masked.
 */
export function maskPhonesInField(value: string | null | undefined): string {
  if (!value) return '';
  if (AMOUNT.test(value) || DATE.test(value)) return value;
  return maskPhonesInText(value);
}

/** A number written with its `+` (E.164, maybe with spaces, dashes, dots or brackets): 7–15 digits. */
const PLUS_NUMBER = /(?<![\w+])\+\d(?:[\s\-.()]{0,2}\d){6,14}(?!\d)/g;
/** The number of a dial string or SIP URI: digits between `/` or `:` and `@` (`PJSIP/12125550123@carrier`). */
const DIALED_DIGITS = /(?<=[/:])\d{6,15}(?=@)/g;

/**
 * Text that may carry a dialed number somewhere (a log message, an error from Asterisk, a
 * dial string) with each such number masked as maskPhone masks it. Narrower than
 * maskPhonesInText: ids, counts, dates and times in a log line stay readable.
 */
export function maskDialedNumbers(text: string): string {
  if (!text.includes('+') && !text.includes('@')) return text;
  return text.replace(PLUS_NUMBER, (run) => maskPhone(run)).replace(DIALED_DIGITS, (run) => maskPhone(run));
}
