/**
 * PostgreSQL COPY text format: tab-separated columns, `\N` for null, and backslash escapes for
 * the characters that would break a line or a column.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** A text[] literal for COPY: every element double-quoted (zone names need no escaping). */
export function copyTextArray(values: readonly string[] | null): string {
  if (values === null) return '\\N';
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '')}"`).join(',')}}`;
}
