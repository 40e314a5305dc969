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
