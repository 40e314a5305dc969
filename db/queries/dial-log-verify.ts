import { type Kysely, sql } from 'kysely';
import {
  dialLogRowHash,
  GENESIS_HASH,
  HASHED_TIMESTAMP_COLUMNS,
} from '../../engine/compliance/dial-log-hash.ts';
import type { CallAttemptRow, Database } from '../schema.ts';
import { latestChainPurge } from './chain-purge.ts';

/**
 * Walks the dial log's hash chain and names the first row where it breaks.
 *
 * Global: every finalized row in chain_seq order: the sequence has no gap, each row's
 * prev_hash is the previous row's row_hash, each row's row_hash is the hash of its own content,
 * and the last row is the chain head (so deleting the newest rows is seen too).
 *
 * One campaign: the same over the campaign's own chain (campaign_seq, campaign_prev_hash,
 * dial_log_campaign_chain), plus each row's link into the global chain (its prev_hash equals
 * the row_hash of the global row before it). Rows of other campaigns are not re-hashed.
 *
 * After a retention purge (chain-purge.ts) the walk starts after the purged prefix: the first
 * kept row must sit at the next position and link to the purged row's recorded hash, so a row
 * deleted beyond the purge still shows as missing.
 *
 * Timestamps: the database stores them to the microsecond, the hash covers them to the
 * millisecond (the row as the driver returns it, JavaScript Dates). The application only ever
 * writes whole milliseconds (Dates from its own clock, never SQL now()), so verify reads each
 * hashed timestamp at full precision and treats any sub-millisecond part as a changed row.
 * This rather than hashing the exact stored value: the hash and every chain already sealed stay
 * as they are (no migration rewrites history), and an edit of less than a millisecond, which
 * the hash cannot see, always leaves a sub-millisecond part that this check does see.
 */

export type ChainProblem =
  | 'content_changed'
  | 'broken_link'
  | 'missing_rows'
  | 'outside_chain'
  | 'head_mismatch'
  | 'global_link';

export interface ChainBreak {
  problem: ChainProblem;
  /** The row where the break shows (null when the rows after the last one are missing). */
  attemptId: number | null;
  chainSeq: number | null;
  campaignSeq?: number | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  scope: 'global' | 'campaign';
  campaignId: number | null;
  rowsChecked: number;
  /** Rows not finalized yet (calls in progress): not part of the chain yet. */
  openRows: number;
  head: { seq: number; hash: string } | null;
  /**
   * The chain's oldest rows up to this position were purged past their retention (chain_purges):
   * the walk starts after it, the first kept row linking to the recorded hash. Null: none purged.
   */
  purgedThrough: { seq: number; hash: string } | null;
  firstBreak: ChainBreak | null;
}

const PAGE = 5_000;

/** A chained row as verify reads it: the row, and which hashed timestamps have sub-millisecond parts. */
type Row = CallAttemptRow & { sub_ms_columns: string };

/** Comma-separated names of the hashed timestamp columns holding a sub-millisecond part ('' if none). */
const subMillisecondColumns = sql<string>`concat_ws(',', ${sql.join(
  HASHED_TIMESTAMP_COLUMNS.map(
    (column) =>
      sql`case when ${sql.ref(column)} <> date_trunc('milliseconds', ${sql.ref(column)}) then ${sql.lit(column)} end`,
  ),
)})`.as('sub_ms_columns');

export async function verifyDialLog(
  db: Kysely<Database>,
  options: { campaignId?: number } = {},
): Promise<VerifyReport> {
  return options.campaignId === undefined ? verifyGlobal(db) : verifyCampaign(db, options.campaignId);
}

async function openRows(db: Kysely<Database>, campaignId?: number): Promise<number> {
  let q = db
    .selectFrom('call_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('finalized_at', 'is', null)
    .where('chain_seq', 'is', null);
  if (campaignId !== undefined) q = q.where('campaign_id', '=', campaignId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** A finalized row that is not in the chain, or a chained row that lost its seal. */
async function outsideChain(db: Kysely<Database>, campaignId?: number): Promise<ChainBreak | null> {
  let q = db
    .selectFrom('call_attempts')
    .select(['id', 'chain_seq', 'campaign_seq'])
    .where((eb) =>
      eb.or([
        eb.and([eb('finalized_at', 'is not', null), eb('chain_seq', 'is', null)]),
        eb.and([eb('chain_seq', 'is not', null), eb('row_hash', 'is', null)]),
        eb.and([eb('chain_seq', 'is', null), eb('row_hash', 'is not', null)]),
      ]),
    )
    .orderBy('id')
    .limit(1);
  if (campaignId !== undefined) q = q.where('campaign_id', '=', campaignId);
  const row = await q.executeTakeFirst();
  if (!row) return null;
  return {
    problem: 'outside_chain',
    attemptId: row.id,
    chainSeq: row.chain_seq,
    campaignSeq: row.campaign_seq,
    message: `row ${row.id} is finalized or sealed but not properly in the chain (chain fields were altered)`,
  };
}

function contentCheck(row: Row, seqLabel: string): ChainBreak | null {
  if (row.sub_ms_columns !== '') {
    return {
      problem: 'content_changed',
      attemptId: row.id,
      chainSeq: row.chain_seq,
      campaignSeq: row.campaign_seq,
      message: `row ${row.id} (${seqLabel}) has a time changed by less than a millisecond (${row.sub_ms_columns.replaceAll(',', ', ')}): its content was changed after it was sealed`,
    };
  }
  const expected = dialLogRowHash(row.prev_hash ?? '', row);
  if (expected === row.row_hash) return null;
  return {
    problem: 'content_changed',
    attemptId: row.id,
    chainSeq: row.chain_seq,
    campaignSeq: row.campaign_seq,
    message: `row ${row.id} (${seqLabel}) does not match its hash: its content was changed after it was sealed`,
  };
}

async function verifyGlobal(db: Kysely<Database>): Promise<VerifyReport> {
  const headRow = await db.selectFrom('dial_log_chain').selectAll().where('id', '=', 1).executeTakeFirst();
  const head = headRow ? { seq: Number(headRow.last_seq), hash: headRow.last_hash } : null;
  const purged = await latestChainPurge(db, 'dial_log');
  const report: VerifyReport = {
    ok: true,
    scope: 'global',
    campaignId: null,
    rowsChecked: 0,
    openRows: await openRows(db),
    head,
    purgedThrough: purged ? { seq: purged.through, hash: purged.hash } : null,
    firstBreak: null,
  };
  const fail = (b: ChainBreak) => ({ ...report, ok: false, firstBreak: b });
  let prevSeq = purged?.through ?? 0;
  let prevHash = purged?.hash ?? GENESIS_HASH;
  for (;;) {
    const rows = await db
      .selectFrom('call_attempts')
      .selectAll()
      .select(subMillisecondColumns)
      .where('chain_seq', '>', prevSeq)
      .orderBy('chain_seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = Number(row.chain_seq);
      const label = `chain position ${seq}`;
      if (seq !== prevSeq + 1) {
        return fail({
          problem: 'missing_rows',
          attemptId: row.id,
          chainSeq: seq,
          message: `chain positions ${prevSeq + 1}${seq - 1 > prevSeq + 1 ? `-${seq - 1}` : ''} are missing before row ${row.id} (${label}): rows were deleted`,
        });
      }
      const changed = contentCheck(row, label);
      if (changed) return fail(changed);
      if (row.prev_hash !== prevHash) {
        return fail({
          problem: 'broken_link',
          attemptId: row.id,
          chainSeq: seq,
          message: `row ${row.id} (${label}) does not link to the row before it: a row was inserted, replaced or removed before it`,
        });
      }
      prevSeq = seq;
      prevHash = row.row_hash ?? '';
      report.rowsChecked++;
    }
    if (rows.length < PAGE) break;
  }
  if (!head || head.seq !== prevSeq || head.hash !== prevHash) {
    const missingTail = head && head.seq > prevSeq;
    return fail({
      problem: missingTail ? 'missing_rows' : 'head_mismatch',
      attemptId: null,
      chainSeq: missingTail ? prevSeq + 1 : prevSeq,
      message: missingTail
        ? `the chain head is at position ${head.seq} but the log ends at ${prevSeq}: the newest rows were deleted`
        : `the chain head (position ${head?.seq ?? 'none'}) does not match the last row of the log (position ${prevSeq})`,
    });
  }
  const outside = await outsideChain(db);
  if (outside) return fail(outside);
  return report;
}

async function verifyCampaign(db: Kysely<Database>, campaignId: number): Promise<VerifyReport> {
  const headRow = await db
    .selectFrom('dial_log_campaign_chain')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  const head = headRow ? { seq: Number(headRow.last_seq), hash: headRow.last_hash } : null;
  const purged = await latestChainPurge(db, 'dial_log');
  const campaignPurged = purged?.campaignHeads[String(campaignId)];
  const report: VerifyReport = {
    ok: true,
    scope: 'campaign',
    campaignId,
    rowsChecked: 0,
    openRows: await openRows(db, campaignId),
    head,
    purgedThrough: campaignPurged ? { seq: campaignPurged.seq, hash: campaignPurged.hash } : null,
    firstBreak: null,
  };
  const fail = (b: ChainBreak) => ({ ...report, ok: false, firstBreak: b });
  let prevSeq = campaignPurged?.seq ?? 0;
  let prevHash = campaignPurged?.hash ?? GENESIS_HASH;
  for (;;) {
    const rows = await db
      .selectFrom('call_attempts')
      .selectAll()
      .select(subMillisecondColumns)
      .where('campaign_id', '=', campaignId)
      .where('campaign_seq', '>', prevSeq)
      .orderBy('campaign_seq')
      .limit(PAGE)
      .execute();
    // The global rows just before these, for the link into the global chain.
    const before = rows.map((r) => Number(r.chain_seq) - 1).filter((s) => s > 0);
    const globalPrev = new Map<number, string | null>();
    if (before.length > 0) {
      const prevRows = await sql<{ chain_seq: number; row_hash: string | null }>`
        select chain_seq, row_hash from call_attempts where chain_seq = any(${before}::bigint[])`.execute(db);
      for (const p of prevRows.rows) globalPrev.set(Number(p.chain_seq), p.row_hash);
    }
    for (const row of rows) {
      const seq = Number(row.campaign_seq);
      const label = `campaign position ${seq}, chain position ${row.chain_seq}`;
      if (seq !== prevSeq + 1) {
        return fail({
          problem: 'missing_rows',
          attemptId: row.id,
          chainSeq: row.chain_seq,
          campaignSeq: seq,
          message: `campaign positions ${prevSeq + 1}${seq - 1 > prevSeq + 1 ? `-${seq - 1}` : ''} are missing before row ${row.id} (${label}): rows were deleted or moved`,
        });
      }
      const changed = contentCheck(row, label);
      if (changed) return fail(changed);
      if (row.campaign_prev_hash !== prevHash) {
        return fail({
          problem: 'broken_link',
          attemptId: row.id,
          chainSeq: row.chain_seq,
          campaignSeq: seq,
          message: `row ${row.id} (${label}) does not link to the campaign's row before it: a row was inserted, replaced or removed before it`,
        });
      }
      const globalSeq = Number(row.chain_seq);
      const expectedPrev =
        globalSeq === 1
          ? GENESIS_HASH
          : purged && globalSeq - 1 === purged.through
            ? purged.hash
            : globalPrev.get(globalSeq - 1);
      if (expectedPrev !== row.prev_hash) {
        return fail({
          problem: 'global_link',
          attemptId: row.id,
          chainSeq: row.chain_seq,
          campaignSeq: seq,
          message:
            expectedPrev === undefined
              ? `the global row before row ${row.id} (${label}) is missing: a row was deleted`
              : `row ${row.id} (${label}) does not link to the global row before it: that row was changed or replaced`,
        });
      }
      prevSeq = seq;
      prevHash = row.row_hash ?? '';
      report.rowsChecked++;
    }
    if (rows.length < PAGE) break;
  }
  const expectedSeq = head?.seq ?? 0;
  const expectedHash = head?.hash ?? GENESIS_HASH;
  if (expectedSeq !== prevSeq || expectedHash !== prevHash) {
    const missingTail = expectedSeq > prevSeq;
    return fail({
      problem: missingTail ? 'missing_rows' : 'head_mismatch',
      attemptId: null,
      chainSeq: null,
      campaignSeq: missingTail ? prevSeq + 1 : prevSeq,
      message: missingTail
        ? `the campaign's chain head is at position ${expectedSeq} but its log ends at ${prevSeq}: the newest rows were deleted`
        : `the campaign's chain head (position ${expectedSeq}) does not match its last row (position ${prevSeq})`,
    });
  }
  const outside = await outsideChain(db, campaignId);
  if (outside) return fail(outside);
  return report;
}
