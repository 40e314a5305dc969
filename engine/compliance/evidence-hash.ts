import { createHash } from 'node:crypto';
import { GENESIS_HASH } from './dial-log-hash.ts';

/**
 * The evidence chain (migration 2026-12-02-001): outcomes, re-marketing approvals, do-not-call
 * events and the audit log in one global chain, sealed by the database as each row is inserted.
 * A row's hash is
 *   sha256(table + "\n" + chain_seq + "\n" + prev_hash + "\n" + content)
 * where content is the jsonb text of the row's hashed columns below, timestamps in UTC. Verify
 * recomputes it here, outside the database, from the content as the database renders it (so a
 * changed function in the database cannot vouch for a changed row).
 *
 * These lists are the migration's trigger arguments; the two must stay the same. A column added
 * to one of the tables later is stored but not hashed unless a new migration and this list say so.
 */

export { GENESIS_HASH };

export const EVIDENCE_TABLES = {
  dnc_events: [
    'id',
    'at',
    'action',
    'phone_e164',
    'scope',
    'scope_key',
    'reason',
    'source',
    'actor',
    'expires_at',
  ],
  remarketing_approvals: [
    'id',
    'client_id',
    'campaign_id',
    'batch_id',
    'reference',
    'approved_by',
    'valid_from',
    'valid_until',
    'note',
    'recorded_by',
    'recorded_at',
    'revokes_approval_id',
    'revoke_reason',
    'numbers_count',
    'numbers_sha256',
  ],
  outcomes: [
    'id',
    'attempt_id',
    'contact_id',
    'campaign_id',
    'agent_id',
    'tag',
    'data',
    'final',
    'retry_at',
    'recorded_by',
    'recorded_at',
    'corrects_outcome_id',
    'correction_reason',
  ],
  audit_log: ['id', 'at', 'actor', 'role', 'action', 'subject', 'details'],
  /** QA scores of recordings (migration 2026-12-03-030). */
  qa_evaluations: [
    'id',
    'recording_id',
    'form_id',
    'campaign_id',
    'agent_id',
    'evaluator',
    'scores',
    'score',
    'passed',
    'note',
    'recorded_at',
    'corrects_evaluation_id',
    'correction_reason',
  ],
} as const satisfies Record<string, readonly string[]>;

export type EvidenceTable = keyof typeof EVIDENCE_TABLES;
export const EVIDENCE_TABLE_NAMES = Object.keys(EVIDENCE_TABLES) as EvidenceTable[];

export function evidenceRowHash(table: string, seq: number, prevHash: string, content: string): string {
  return createHash('sha256').update(`${table}\n${seq}\n${prevHash}\n${content}`, 'utf8').digest('hex');
}

/**
 * The digest an approval seals of the numbers it names: sha256 of the distinct numbers sorted
 * bytewise (E.164 is ASCII, so UTF-16 order is byte order), joined by "\n"; null for none.
 */
export function approvalNumbersDigest(numbers: readonly string[]): string | null {
  const digest = numbersDigester();
  for (const n of [...new Set(numbers)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) digest.add(n);
  return digest.done();
}

/**
 * The same digest built one number at a time, for numbers streamed already distinct and in
 * bytewise order (verify reads them `order by phone_e164 collate "C"`), without holding them all.
 */
export function numbersDigester() {
  const hash = createHash('sha256');
  let count = 0;
  return {
    add(phone: string) {
      hash.update(count === 0 ? phone : `\n${phone}`, 'utf8');
      count++;
    },
    get count() {
      return count;
    },
    /** null for no numbers, like the approval's numbers_sha256. */
    done(): string | null {
      return count === 0 ? null : hash.digest('hex');
    },
  };
}
