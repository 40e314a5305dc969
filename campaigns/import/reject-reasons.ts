/**
 * Why a row of a list was not imported. Each is its own count on the batch and in the report;
 * the order is the order of precedence when several apply to one row (the first one wins).
 */
export const REJECT_REASONS = [
  /** The phone cell is empty. */
  'missing_number',
  /** A spreadsheet wrote the number as 1.38E+10: its digits are lost, so it is never guessed. */
  'scientific_notation',
  /** libphonenumber says it is not a valid number of any country. */
  'invalid_number',
  /** The same E.164 number on an earlier line of the same file. */
  'duplicate_in_file',
  /** The campaign already has this number (from an earlier batch, or the same file forced). */
  'already_in_campaign',
  /** Our own do-not-call list: an opt-out, in every campaign. */
  'internal_dnc',
  /** The national registry copy. */
  'national_dnc',
  /** The list owner's blacklist (dnc_entries scope_key client:<id>). */
  'client_blacklist',
  /** Excluded from this campaign (dnc_entries scope_key campaign:<id>). */
  'campaign_exclusion',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** Reasons decided while reading the file, before the database is asked. */
export type RowRejectReason = Extract<
  RejectReason,
  'missing_number' | 'scientific_notation' | 'invalid_number'
>;

/** Counts by reason, every reason present (zero when none), in precedence order. */
export function emptyRejectCounts(): Record<RejectReason, number> {
  return Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
}
