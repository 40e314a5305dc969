import { en, type Strings } from './en.ts';

/** The console's strings (English; a translation is one more file of type Strings). */
export const t: Strings = en;

/** A duration in seconds as m:ss (or h:mm:ss). */
export function clockText(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A label for a key the strings may not name (a new tag or field): the key made readable. */
export function labelOf(table: Record<string, string>, key: string): string {
  return table[key] ?? key.replaceAll('_', ' ');
}
