/** Dates as the API writes them: ISO 8601 in UTC. */
export function iso(date: Date | string): string {
  return (date instanceof Date ? date : new Date(date)).toISOString();
}

export function isoOrNull(date: Date | string | null | undefined): string | null {
  return date === null || date === undefined ? null : iso(date);
}

/** A row with its dates as ISO strings (for loose `jsonRow` responses of wide rows). */
export function jsonDates<T extends Record<string, unknown>>(
  row: T,
): { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] } {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  ) as never;
}
