/**
 * The number a caller id presents: Asterisk's caller id is `"Name" <number>` or a bare number.
 * The dial log records it (`caller_number`) and frequency rules counted per caller number compare
 * by it, so `"Acme" <+12125550100>` and `+12125550100` are the same line. Spaces, dots, dashes
 * and brackets inside the number are dropped; null when the caller id holds no digit.
 */
export function callerNumberOf(callerId: string | null | undefined): string | null {
  if (!callerId) return null;
  const bracketed = /<([^>]*)>/.exec(callerId);
  const raw = (bracketed ? bracketed[1]! : callerId).replace(/[\s().-]/g, '');
  const match = /^\+?\d+$/.exec(raw);
  return match ? raw : null;
}
