import { type Kysely, sql, type Transaction } from 'kysely';
import type { ChainHead } from '../../engine/compliance/checkpoint.ts';
import { EVIDENCE_TABLE_NAMES } from '../../engine/compliance/evidence-hash.ts';
import type { Database } from '../schema.ts';
import { latestChainPurge } from './chain-purge.ts';
import { evidenceRowAt } from './evidence-verify.ts';

/**
 * Where each chain stands, for checkpoints: the dial log's global chain ('dial_log'), each
 * campaign's own chain ('dial_log:campaign:<id>') and the evidence chain ('evidence').
 */

type Db = Kysely<Database> | Transaction<Database>;

/** The heads now, read in one repeatable-read snapshot (several engines may be appending). */
export async function currentChainHeads(db: Db): Promise<ChainHead[]> {
  if (db.isTransaction) return headsIn(db as Transaction<Database>);
  return db.transaction().setIsolationLevel('repeatable read').execute(headsIn);
}

async function headsIn(trx: Transaction<Database>): Promise<ChainHead[]> {
  const [global, campaigns, evidence] = await Promise.all([
    trx.selectFrom('dial_log_chain').select(['last_seq', 'last_hash']).where('id', '=', 1).executeTakeFirst(),
    trx.selectFrom('dial_log_campaign_chain').selectAll().orderBy('campaign_id').execute(),
    trx.selectFrom('evidence_chain').select(['last_seq', 'last_hash']).where('id', '=', 1).executeTakeFirst(),
  ]);
  return [
    ...(global ? [{ chain: 'dial_log', position: Number(global.last_seq), hash: global.last_hash }] : []),
    ...campaigns.map((c) => ({
      chain: `dial_log:campaign:${c.campaign_id}`,
      position: Number(c.last_seq),
      hash: c.last_hash,
    })),
    ...(evidence
      ? [{ chain: 'evidence', position: Number(evidence.last_seq), hash: evidence.last_hash }]
      : []),
  ];
}

const EVIDENCE_TIME: Record<(typeof EVIDENCE_TABLE_NAMES)[number], string> = {
  dnc_events: 'at',
  remarketing_approvals: 'recorded_at',
  outcomes: 'recorded_at',
  audit_log: 'at',
  qa_evaluations: 'recorded_at',
};

/**
 * The heads as of a past moment (a report's period end): the last record of each chain sealed
 * before it. Chains with nothing sealed before it are left out. A full scan of the rows sealed
 * before `at` on each chain at worst; a report runs it once.
 */
export async function chainHeadsAsOf(db: Kysely<Database>, at: Date): Promise<ChainHead[]> {
  const global = await sql<{ chain_seq: number; row_hash: string }>`
    select chain_seq, row_hash from call_attempts
    where chain_seq = (select max(chain_seq) from call_attempts where finalized_at < ${at})`.execute(db);
  const campaigns = await sql<{ campaign_id: number; campaign_seq: number; row_hash: string }>`
    select distinct on (campaign_id) campaign_id, campaign_seq, row_hash from call_attempts
    where campaign_seq is not null and finalized_at < ${at}
    order by campaign_id, campaign_seq desc`.execute(db);
  const evidenceMax = await sql<{ seq: number | null }>`select max(seq) as seq from (${sql.join(
    EVIDENCE_TABLE_NAMES.map(
      (t) =>
        sql`select max(chain_seq) as seq from ${sql.table(t)} where ${sql.ref(EVIDENCE_TIME[t])} < ${at}`,
    ),
    sql` union all `,
  )}) s`.execute(db);
  const heads: ChainHead[] = [];
  const g = global.rows[0];
  if (g) heads.push({ chain: 'dial_log', position: Number(g.chain_seq), hash: g.row_hash });
  for (const c of campaigns.rows) {
    heads.push({
      chain: `dial_log:campaign:${c.campaign_id}`,
      position: Number(c.campaign_seq),
      hash: c.row_hash,
    });
  }
  const seq = evidenceMax.rows[0]?.seq;
  if (seq !== null && seq !== undefined) {
    const row = await evidenceRowAt(db, Number(seq));
    if (row?.rowHash) heads.push({ chain: 'evidence', position: Number(seq), hash: row.rowHash });
  }
  return heads;
}

export interface CheckpointMismatch {
  chain: string;
  position: number;
  /** 'missing': no record at that position any more; 'replaced': another record is there. */
  problem: 'missing' | 'replaced';
  /** The record found there, when one is. */
  record: string | null;
  currentHead: number | null;
  message: string;
}

/**
 * Does the log still hold each checkpointed head? The record at each position must still have
 * the checkpointed hash. (That the chain runs intact from there to today's head is what the
 * chain walk of verify proves; the two together prove the log extends the checkpoint.)
 */
export async function checkChainHeads(db: Db, heads: readonly ChainHead[]): Promise<CheckpointMismatch[]> {
  const mismatches: CheckpointMismatch[] = [];
  const dialPurge = await latestChainPurge(db, 'dial_log');
  const evidencePurge = await latestChainPurge(db, 'evidence');
  for (const head of heads) {
    if (head.position === 0) continue;
    // A head inside a purged prefix: the purge record holds the hash of its last position; the
    // ones before it are gone lawfully (the kept chain links to that hash, which verify checks).
    const purged =
      head.chain === 'dial_log'
        ? dialPurge && { seq: dialPurge.through, hash: dialPurge.hash }
        : head.chain === 'evidence'
          ? evidencePurge && { seq: evidencePurge.through, hash: evidencePurge.hash }
          : dialPurge?.campaignHeads[head.chain.split(':')[2] ?? ''];
    if (purged && head.position <= purged.seq) {
      if (head.position === purged.seq && head.hash !== purged.hash) {
        mismatches.push({
          chain: head.chain,
          position: head.position,
          problem: 'replaced',
          record: 'the retention purge record',
          currentHead: null,
          message: `chain ${head.chain}: the purge through position ${head.position} recorded a different hash than checkpointed: the log was rewritten before it was purged`,
        });
      }
      continue;
    }
    let found: { record: string; hash: string | null } | undefined;
    let current: number | null = null;
    if (head.chain === 'dial_log') {
      const row = await db
        .selectFrom('call_attempts')
        .select(['id', 'row_hash'])
        .where('chain_seq', '=', head.position)
        .executeTakeFirst();
      if (row) found = { record: `call_attempts id ${row.id}`, hash: row.row_hash };
      const h = await db
        .selectFrom('dial_log_chain')
        .select('last_seq')
        .where('id', '=', 1)
        .executeTakeFirst();
      current = h ? Number(h.last_seq) : null;
    } else if (head.chain === 'evidence') {
      const row = await evidenceRowAt(db, head.position);
      if (row) found = { record: `${row.table} id ${row.id}`, hash: row.rowHash };
      const h = await db
        .selectFrom('evidence_chain')
        .select('last_seq')
        .where('id', '=', 1)
        .executeTakeFirst();
      current = h ? Number(h.last_seq) : null;
    } else {
      const campaignId = Number(head.chain.split(':')[2]);
      const row = await db
        .selectFrom('call_attempts')
        .select(['id', 'row_hash'])
        .where('campaign_id', '=', campaignId)
        .where('campaign_seq', '=', head.position)
        .executeTakeFirst();
      if (row) found = { record: `call_attempts id ${row.id}`, hash: row.row_hash };
      const h = await db
        .selectFrom('dial_log_campaign_chain')
        .select('last_seq')
        .where('campaign_id', '=', campaignId)
        .executeTakeFirst();
      current = h ? Number(h.last_seq) : null;
    }
    if (!found) {
      mismatches.push({
        chain: head.chain,
        position: head.position,
        problem: 'missing',
        record: null,
        currentHead: current,
        message: `chain ${head.chain}: the checkpointed record at position ${head.position} is gone (the head is now at ${current ?? 'none'}): records were deleted and the head rewound`,
      });
    } else if (found.hash !== head.hash) {
      mismatches.push({
        chain: head.chain,
        position: head.position,
        problem: 'replaced',
        record: found.record,
        currentHead: current,
        message: `chain ${head.chain}: position ${head.position} now holds ${found.record} with a different hash than checkpointed: the log was rewritten from there`,
      });
    }
  }
  return mismatches;
}
