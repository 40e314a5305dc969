import { type Kysely, sql, type Transaction } from 'kysely';
import type { RetentionKind } from '../../engine/compliance/presets/index.ts';
import { retentionCutoff } from '../../engine/compliance/retention.ts';
import type { Database } from '../schema.ts';
import { recordAudit } from './audit.ts';
import { governingMinimums } from './retention.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Retention purges of the hash-chained records (migration 2026-12-03-051).
 *
 * A hash chain can only lose a PREFIX: every row links to the one before it, so a row taken
 * from the middle breaks the link of the row after it, and verify could no longer tell a lawful
 * purge from a deletion. A purge therefore removes the chain's oldest rows up to a position
 * `through`, stopping before the first row that must stay — whatever stops it (a row younger
 * than its minimum, a row still referenced). Rows past their minimum behind that row wait for
 * a later purge.
 *
 * One transaction: the purge record (chain_purges: through position, its row_hash, each
 * campaign's through for the dial log) first — the guard triggers accept a delete only of a
 * row at or before a recorded through — then the deletes, then the audit entry, sealed last.
 */

export type ChainedKind = 'dialLog' | 'outcomes' | 'dncRequests' | 'auditLog';
export const CHAINED_KINDS: readonly ChainedKind[] = ['dialLog', 'outcomes', 'dncRequests', 'auditLog'];

export interface PurgeStop {
  position: number;
  record: string;
  reason: string;
}

export interface ChainPurgeResult {
  kind: ChainedKind;
  chain: 'dial_log' | 'evidence';
  dryRun: boolean;
  /** The last position purged before this purge (0: none). */
  previousThrough: number;
  /** The last position this purge removes (previousThrough: nothing to purge). */
  through: number;
  throughHash: string | null;
  /** Rows removed (or, dry run, that would be) per table. */
  rows: Record<string, number>;
  /** The row the purge stopped before, and why (null: the whole chain up to its head went). */
  stoppedAt: PurgeStop | null;
  note: string;
}

export const PREFIX_NOTE =
  'Only a prefix of a hash chain can be purged (each row links to the one before it): the purge removes the oldest rows up to the first one that must stay, records the last purged position and its hash, and log verify starts the chain there.';

const EVIDENCE_NOTE =
  ' The evidence chain is one chain over outcomes, approvals, do-not-call events and the audit log: a purge of any of these kinds removes the oldest prefix of that chain, each row only past the minimum of its own kind, and stops at the first row of any kind that must stay.';

interface LatestPurge {
  through: number;
  hash: string;
  campaignHeads: Record<string, { seq: number; hash: string }>;
}

/** The latest purge of a chain (verify starts after it), or undefined. Index chain_purges_chain. */
export async function latestChainPurge(
  db: Db,
  chain: 'dial_log' | 'evidence',
): Promise<LatestPurge | undefined> {
  const row = await db
    .selectFrom('chain_purges')
    .select(['through_seq', 'through_hash', 'campaign_heads'])
    .where('chain', '=', chain)
    .orderBy('through_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const heads = typeof row.campaign_heads === 'string' ? JSON.parse(row.campaign_heads) : row.campaign_heads;
  return { through: Number(row.through_seq), hash: row.through_hash, campaignHeads: heads ?? {} };
}

function cutoffTable(
  byCampaign: Map<number, Record<RetentionKind, { minimumDays: number }>>,
  kind: RetentionKind,
  now: Date,
) {
  const ids = [...byCampaign.keys()];
  const times = ids.map((id) => retentionCutoff(now, byCampaign.get(id)![kind].minimumDays).toISOString());
  return { ids, times, cutoffs: Object.fromEntries(ids.map((id, i) => [id, times[i]])) };
}

/**
 * The first dial-log row after `after` that must stay: younger than its campaign's dialLog
 * minimum, or still referenced by an outcome, a recording or a callback (their own retention
 * decides; the dial log row waits for them). Walks call_attempts_chain_seq in order.
 */
async function dialLogStop(db: Db, after: number, now: Date) {
  const { byCampaign, shared } = await governingMinimums(db);
  const { ids, times, cutoffs } = cutoffTable(byCampaign, 'dialLog', now);
  const sharedCutoff = retentionCutoff(now, shared.dialLog.minimumDays);
  const result = await sql<{ id: number; chain_seq: number; young: boolean }>`
    with cut as (select * from unnest(${ids}::int[], ${times}::timestamptz[]) as c(campaign_id, cutoff))
    select a.id, a.chain_seq, a.queued_at >= coalesce(cut.cutoff, ${sharedCutoff}::timestamptz) as young
    from call_attempts a left join cut on cut.campaign_id = a.campaign_id
    where a.chain_seq > ${after}
      and (a.queued_at >= coalesce(cut.cutoff, ${sharedCutoff}::timestamptz)
           or exists (select 1 from outcomes o where o.attempt_id = a.id)
           or exists (select 1 from recordings r where r.attempt_id = a.id)
           or exists (select 1 from callbacks b where b.created_from_attempt_id = a.id))
    order by a.chain_seq limit 1`.execute(db);
  const row = result.rows[0];
  const stop: PurgeStop | null = row
    ? {
        position: Number(row.chain_seq),
        record: `call_attempts id ${row.id}`,
        reason: row.young
          ? 'younger than the dial-log minimum of its campaign'
          : 'still referenced by an outcome, a recording or a callback kept longer',
      }
    : null;
  return { stop, cutoffs: { dialLog: cutoffs, shared: sharedCutoff.toISOString() } };
}

/**
 * The first evidence row after `after` that must stay: an outcome younger than its campaign's
 * outcomes minimum; a do-not-call event younger than the longest dncRequests minimum, or the
 * latest 'add' of an entry still in force (dnc_entries follows it); an approval (consent
 * evidence: its numbers are not purged here); an audit entry younger than the longest minimum of
 * any kind (the audit log speaks for every record). One probe per table by its chain_seq index.
 */
async function evidenceStop(db: Db, after: number, now: Date) {
  const { byCampaign, shared } = await governingMinimums(db);
  const { ids, times, cutoffs } = cutoffTable(byCampaign, 'outcomes', now);
  const sharedOutcomes = retentionCutoff(now, shared.outcomes.minimumDays);
  const dncCutoff = retentionCutoff(now, shared.dncRequests.minimumDays);
  const longest = Math.max(...Object.values(shared).map((g) => g.minimumDays));
  const auditCutoff = retentionCutoff(now, longest);
  const result = await sql<{ tbl: string; id: number; chain_seq: number; reason: string }>`
    with cut as (select * from unnest(${ids}::int[], ${times}::timestamptz[]) as c(campaign_id, cutoff))
    select * from (
      (select 'outcomes' as tbl, o.id::bigint as id, o.chain_seq,
              'younger than the outcomes minimum of its campaign' as reason
       from outcomes o left join cut on cut.campaign_id = o.campaign_id
       where o.chain_seq > ${after} and o.recorded_at >= coalesce(cut.cutoff, ${sharedOutcomes}::timestamptz)
       order by o.chain_seq limit 1)
      union all
      (select 'dnc_events', e.id, e.chain_seq,
              case when e.at >= ${dncCutoff}::timestamptz then 'younger than the do-not-call minimum'
                   else 'the record of a do-not-call entry still in force' end
       from dnc_events e
       where e.chain_seq > ${after}
         and (e.at >= ${dncCutoff}::timestamptz
              or (e.action = 'add' and not exists (select 1 from dnc_events l
                    where l.phone_e164 = e.phone_e164 and l.scope_key = e.scope_key and l.id > e.id)))
       order by e.chain_seq limit 1)
      union all
      (select 'remarketing_approvals', p.id, p.chain_seq, 'an approval (consent evidence, not purged here)'
       from remarketing_approvals p where p.chain_seq > ${after} order by p.chain_seq limit 1)
      union all
      (select 'qa_evaluations', q.id, q.chain_seq, 'a QA evaluation (kept with its recording, not purged here)'
       from qa_evaluations q where q.chain_seq > ${after} order by q.chain_seq limit 1)
      union all
      (select 'audit_log', l.id, l.chain_seq, 'younger than the longest minimum of any kind (the audit log)'
       from audit_log l where l.chain_seq > ${after} and l.at >= ${auditCutoff}::timestamptz
       order by l.chain_seq limit 1)
    ) s order by chain_seq limit 1`.execute(db);
  const row = result.rows[0];
  const stop: PurgeStop | null = row
    ? { position: Number(row.chain_seq), record: `${row.tbl} id ${row.id}`, reason: row.reason }
    : null;
  return {
    stop,
    cutoffs: {
      outcomes: cutoffs,
      outcomesShared: sharedOutcomes.toISOString(),
      dncRequests: dncCutoff.toISOString(),
      auditLog: auditCutoff.toISOString(),
    },
  };
}

/** An outcome inside the prefix corrected by one outside it (the correction points at it): the first such. */
async function correctedOutside(db: Db, after: number, through: number) {
  const result = await sql<{ chain_seq: number; id: number }>`
    select o.chain_seq, o.id from outcomes o join outcomes c on c.corrects_outcome_id = o.id
    where o.chain_seq > ${after} and o.chain_seq <= ${through} and c.chain_seq > ${through}
    order by o.chain_seq limit 1`.execute(db);
  const row = result.rows[0];
  return row ? { position: Number(row.chain_seq), id: Number(row.id) } : undefined;
}

const EVIDENCE_TABLES = [
  'dnc_events',
  'remarketing_approvals',
  'outcomes',
  'audit_log',
  'qa_evaluations',
] as const;

/**
 * Purges the oldest prefix of the chain that holds `kind`, never a row younger than the longest
 * minimum that governs it; audited (`retention.purge`). `now` is never in the future (the CLI
 * refuses it).
 */
export async function purgeChained(
  db: Kysely<Database>,
  input: { kind: ChainedKind; now: Date; actor: string; role?: string | null; dryRun?: boolean },
): Promise<ChainPurgeResult> {
  const chain = input.kind === 'dialLog' ? 'dial_log' : 'evidence';
  return db.transaction().execute(async (trx) => {
    // Serializes purges (the lock conflicts with itself); appends to the chains are not blocked.
    await sql`lock table chain_purges in share row exclusive mode`.execute(trx);
    const previous = await latestChainPurge(trx, chain);
    const after = previous?.through ?? 0;
    const headTable = chain === 'dial_log' ? 'dial_log_chain' : 'evidence_chain';
    const head = await trx
      .selectFrom(headTable)
      .select(['last_seq'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    let stop: PurgeStop | null;
    let cutoffs: Record<string, unknown>;
    if (chain === 'dial_log') ({ stop, cutoffs } = await dialLogStop(trx, after, input.now));
    else ({ stop, cutoffs } = await evidenceStop(trx, after, input.now));
    let through = stop ? stop.position - 1 : Number(head.last_seq);
    if (chain === 'evidence') {
      for (;;) {
        const corrected = await correctedOutside(trx, after, through);
        if (!corrected) break;
        through = corrected.position - 1;
        stop = {
          position: corrected.position,
          record: `outcomes id ${corrected.id}`,
          reason: 'corrected by an outcome that is kept',
        };
      }
    }
    const note = chain === 'evidence' ? PREFIX_NOTE + EVIDENCE_NOTE : PREFIX_NOTE;
    const base = {
      kind: input.kind,
      chain,
      dryRun: input.dryRun === true,
      previousThrough: after,
      stoppedAt: stop,
      note,
    } as const;
    if (through <= after) return { ...base, through: after, throughHash: previous?.hash ?? null, rows: {} };

    const rows: Record<string, number> = {};
    let throughHash: string;
    const campaignHeads = { ...(previous?.campaignHeads ?? {}) };
    if (chain === 'dial_log') {
      const last = await trx
        .selectFrom('call_attempts')
        .select('row_hash')
        .where('chain_seq', '=', through)
        .executeTakeFirstOrThrow();
      throughHash = last.row_hash!;
      const counts = await sql<{ n: number }>`select count(*)::int as n from call_attempts
        where chain_seq > ${after} and chain_seq <= ${through}`.execute(trx);
      rows.call_attempts = Number(counts.rows[0]?.n ?? 0);
      // Each campaign's last purged row: its campaign chain starts after it.
      const heads = await sql<{ campaign_id: number; campaign_seq: number; row_hash: string }>`
        select distinct on (campaign_id) campaign_id, campaign_seq, row_hash from call_attempts
        where chain_seq > ${after} and chain_seq <= ${through}
        order by campaign_id, campaign_seq desc`.execute(trx);
      for (const h of heads.rows)
        campaignHeads[String(h.campaign_id)] = { seq: Number(h.campaign_seq), hash: h.row_hash };
    } else {
      const last = await sql<{ row_hash: string }>`${sql.join(
        EVIDENCE_TABLES.map((t) => sql`select row_hash from ${sql.table(t)} where chain_seq = ${through}`),
        sql` union all `,
      )}`.execute(trx);
      throughHash = last.rows[0]!.row_hash;
      for (const t of EVIDENCE_TABLES) {
        const counts = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}
          where chain_seq > ${after} and chain_seq <= ${through}`.execute(trx);
        const n = Number(counts.rows[0]?.n ?? 0);
        if (n > 0) rows[t] = n;
      }
    }
    const total = Object.values(rows).reduce((a, b) => a + b, 0);
    const result: ChainPurgeResult = { ...base, through, throughHash, rows };
    if (input.dryRun) return result;

    const purge = await trx
      .insertInto('chain_purges')
      .values({
        chain,
        through_seq: through,
        through_hash: throughHash,
        campaign_heads: JSON.stringify(campaignHeads),
        rows_purged: total,
        purged_at: input.now,
        actor: input.actor,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (chain === 'dial_log') {
      await sql`delete from call_attempts where chain_seq > ${after} and chain_seq <= ${through}`.execute(
        trx,
      );
    } else {
      // Corrections before what they correct (outcomes.corrects_outcome_id).
      await sql`delete from outcomes where chain_seq > ${after} and chain_seq <= ${through} and corrects_outcome_id is not null`.execute(
        trx,
      );
      for (const t of EVIDENCE_TABLES) {
        await sql`delete from ${sql.table(t)} where chain_seq > ${after} and chain_seq <= ${through}`.execute(
          trx,
        );
      }
    }
    // Sealed last (evidence chain), after the purge it records.
    await recordAudit(trx, {
      actor: input.actor,
      role: input.role ?? null,
      action: 'retention.purge',
      subject: input.kind,
      details: {
        kind: input.kind,
        chain,
        purgeId: purge.id,
        previousThrough: after,
        through,
        throughHash,
        rows,
        stoppedAt: stop,
        cutoffs,
        at: input.now.toISOString(),
      },
      at: input.now,
    });
    return result;
  });
}
