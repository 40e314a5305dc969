import { createHash } from 'node:crypto';

/**
 * The dial log's hash chain. A finalized row's hash is
 *   sha256(prev_hash + "\n" + canonical JSON of the row's content)
 * where the content is every column below (not row_hash itself), timestamps as ISO strings,
 * objects with sorted keys. prev_hash is the global chain's previous hash; the content also
 * holds campaign_prev_hash, so one hash seals the row into both chains.
 */

export const GENESIS_HASH = '0'.repeat(64);
/** Bumped if the hashed columns ever change; stored implicitly by being part of the content. */
export const DIAL_LOG_HASH_VERSION = 1;

export const HASHED_COLUMNS = [
  'id',
  'campaign_id',
  'contact_id',
  'phone_e164',
  'agent_id',
  'channel_id',
  'engine_id',
  'status',
  'queued_at',
  'originated_at',
  'answered_at',
  'connected_at',
  'ended_at',
  'result',
  'hangup_cause',
  'dial_status',
  'amd_result',
  'abandoned',
  'recording_ref',
  'gate_reasons',
  'finalized_at',
  'chain_seq',
  'campaign_seq',
  'campaign_prev_hash',
] as const;

export type HashedColumn = (typeof HASHED_COLUMNS)[number];

/**
 * Columns added after rows were already sealed. Each is hashed only when it holds a value: a row
 * sealed before the column existed (null there) keeps its hash, while a value set on such a row
 * later, or removed from a newer one, changes the content and breaks the hash like any change.
 */
export const LATER_HASHED_COLUMNS = ['sip_answered_at', 'caller_number'] as const;
export type LaterHashedColumn = (typeof LATER_HASHED_COLUMNS)[number];

/**
 * The hashed columns that are timestamps. The database keeps them to the microsecond, the hash
 * sees them as JavaScript Dates (milliseconds): verify checks these for a sub-millisecond part
 * separately (db/queries/dial-log-verify.ts), or an edit smaller than a millisecond would pass.
 */
export const HASHED_TIMESTAMP_COLUMNS = [
  'queued_at',
  'originated_at',
  'answered_at',
  'connected_at',
  'ended_at',
  'finalized_at',
  'sip_answered_at',
] as const satisfies readonly (HashedColumn | LaterHashedColumn)[];
export type HashableRow = Record<HashedColumn, unknown> & Partial<Record<LaterHashedColumn, unknown>>;

function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

/** Canonical JSON of a dial-log row's hashed content. Numbers stored as int8 may arrive as strings. */
export function canonicalRowContent(row: HashableRow): string {
  const content: Record<string, unknown> = { v: DIAL_LOG_HASH_VERSION };
  for (const column of HASHED_COLUMNS) {
    const value = row[column];
    content[column] =
      (column === 'chain_seq' || column === 'campaign_seq') && value !== null ? Number(value) : value;
  }
  for (const column of LATER_HASHED_COLUMNS) {
    const value = row[column];
    if (value !== null && value !== undefined) content[column] = value;
  }
  return canonical(content);
}

export function dialLogRowHash(prevHash: string, row: HashableRow): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalRowContent(row)).digest('hex');
}
