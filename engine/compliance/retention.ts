import type { RetentionKind } from './presets/index.ts';

/**
 * What each kind of record must be kept for, and what may go: pure arithmetic over the counts
 * the database gives (db/queries/retention.ts). A record may be purged only once it is older
 * than the longest minimum of every preset that governs it: its campaign's for campaign records,
 * every campaign's for shared ones (do-not-call requests, records of no campaign).
 */

const DAY = 86_400_000;

/** How a kind of record can be purged here. */
export const PURGE_METHOD: Readonly<Record<RetentionKind, 'purge' | 'chained' | 'referenced' | 'archive'>> = {
  // Hash-chained and guarded by the database (append-only): see engine/compliance/README.md.
  dialLog: 'chained',
  outcomes: 'chained',
  dncRequests: 'chained',
  // Contacts are referenced by the dial log; their consent reference goes with them.
  consentEvidence: 'referenced',
  // The archived list files (custody): retain_until on each batch.
  lists: 'archive',
  recordings: 'purge',
};

export interface RetentionCounts {
  kind: RetentionKind;
  /** Null for records of no campaign (shared: do-not-call requests, a recording of no call). */
  campaignId: number | null;
  rows: number;
  oldest: Date | null;
  /** Rows older than the cutoff the query was given (now − minimum days). */
  due: number;
}

export interface RetentionRow extends RetentionCounts {
  preset: string;
  minimumDays: number;
  /** The oldest record is kept at least until then. */
  oldestKeptUntil: Date | null;
  /** Records older than this may be purged. */
  cutoff: Date;
  purge: (typeof PURGE_METHOD)[RetentionKind];
}

/** The cutoff of a kind for a campaign: `now` minus its minimum days. */
export function retentionCutoff(now: Date, minimumDays: number): Date {
  return new Date(now.getTime() - minimumDays * DAY);
}

/** One report row: the counts with the minimum that applies and the dates that follow from it. */
export function retentionRow(
  counts: RetentionCounts,
  governing: { preset: string; minimumDays: number },
  now: Date,
): RetentionRow {
  return {
    ...counts,
    preset: governing.preset,
    minimumDays: governing.minimumDays,
    oldestKeptUntil: counts.oldest ? new Date(counts.oldest.getTime() + governing.minimumDays * DAY) : null,
    cutoff: retentionCutoff(now, governing.minimumDays),
    purge: PURGE_METHOD[counts.kind],
  };
}

/** The strictest (longest) minimum among presets: what governs records shared by all of them. */
export function strictest(
  governing: ReadonlyArray<{ preset: string; minimumDays: number }>,
  fallback: { preset: string; minimumDays: number },
): { preset: string; minimumDays: number } {
  let best = fallback;
  for (const g of governing) if (g.minimumDays > best.minimumDays) best = g;
  return best;
}
