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
