import { type Kysely, sql, type Transaction } from 'kysely';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { campaignPreset } from '../../engine/compliance/jurisdictions.ts';
import { findPreset, type RetentionKind, retentionKinds } from '../../engine/compliance/presets/index.ts';
import {
  type RetentionCounts,
  type RetentionRow,
  retentionCutoff,
  retentionRow,
  strictest,
} from '../../engine/compliance/retention.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Retention: what is kept, until when, and what is due for purge, per kind of record and
 * campaign, by each campaign's preset. One aggregate statement per kind (over each table's whole
 * extent: a report, not a dial-time path).
 */

/** Per kind: the table, its time column and its campaign, as SQL. */
const SOURCES: Record<RetentionKind, { from: string; at: string; campaign: string }> = {
  dialLog: { from: 'call_attempts t', at: 't.queued_at', campaign: 't.campaign_id' },
  outcomes: { from: 'outcomes t', at: 't.recorded_at', campaign: 't.campaign_id' },
  recordings: {
    from: 'recordings t left join call_attempts a on a.id = t.attempt_id',
    at: 't.started_at',
    campaign: 'a.campaign_id',
  },
  consentEvidence: {
    from: 'contacts t',
    at: 't.created_at',
    campaign: 't.campaign_id',
  },
  dncRequests: { from: 'dnc_events t', at: 't.at', campaign: 'null::int' },
  lists: { from: 'batches t', at: 't.received_at', campaign: 't.campaign_id' },
};
const EXTRA_FILTER: Partial<Record<RetentionKind, string>> = {
  consentEvidence: 't.consent_ref is not null',
  // A purged recording's row stays (its digest); its file is gone, nothing of it is kept.
  recordings: "t.state <> 'purged'",
};

interface Governing {
  preset: string;
  minimumDays: number;
}

/** Each campaign's preset minimum for a kind, and the strictest of them for shared records. */
export async function governingMinimums(db: Db) {
  const campaigns = await db.selectFrom('campaigns').select(['id', 'config']).execute();
  const byCampaign = new Map<number, Record<RetentionKind, Governing>>();
  for (const c of campaigns) {
    const preset = campaignPreset(campaignDefinitionSchema.parse(c.config));
    const entry = {} as Record<RetentionKind, Governing>;
    for (const kind of retentionKinds)
      entry[kind] = { preset: preset.name, minimumDays: preset.retentionDays[kind] };
    byCampaign.set(c.id, entry);
  }
  const us = findPreset('us')!;
  const shared = {} as Record<RetentionKind, Governing>;
  for (const kind of retentionKinds) {
    shared[kind] = strictest(
      [...byCampaign.values()].map((e) => e[kind]),
      { preset: us.name, minimumDays: us.retentionDays[kind] },
    );
  }
  return { byCampaign, shared };
}

async function countsFor(db: Db, kind: RetentionKind, cutoffs: Map<number | null, Date>, sharedCutoff: Date) {
  const { from, at, campaign } = SOURCES[kind];
  const ids = [...cutoffs.keys()].filter((k): k is number => k !== null);
  const times = ids.map((id) => cutoffs.get(id)!.toISOString());
  const where = EXTRA_FILTER[kind] ? `where ${EXTRA_FILTER[kind]}` : '';
  const result = await sql<{ campaign_id: number | null; rows: string; oldest: Date | null; due: string }>`
    with cut as (select * from unnest(${ids}::int[], ${times}::timestamptz[]) as c(campaign_id, cutoff)),
    rec as (select ${sql.raw(campaign)} as campaign_id, ${sql.raw(at)} as at from ${sql.raw(from)} ${sql.raw(where)})
    select rec.campaign_id, count(*) as rows, min(rec.at) as oldest,
           count(*) filter (where rec.at < coalesce(cut.cutoff, ${sharedCutoff}::timestamptz)) as due
    from rec left join cut on cut.campaign_id = rec.campaign_id
    group by rec.campaign_id order by rec.campaign_id nulls first`.execute(db);
  return result.rows.map(
    (r): RetentionCounts => ({
      kind,
      campaignId: r.campaign_id,
      rows: Number(r.rows),
      oldest: r.oldest ? new Date(r.oldest) : null,
      due: Number(r.due),
    }),
  );
}

/** The retention report at `now`: one row per kind and campaign that holds records of it. */
export async function retentionReport(db: Db, now: Date): Promise<RetentionRow[]> {
  const { byCampaign, shared } = await governingMinimums(db);
  const out: RetentionRow[] = [];
  for (const kind of retentionKinds) {
    const cutoffs = new Map<number | null, Date>();
    for (const [id, g] of byCampaign) cutoffs.set(id, retentionCutoff(now, g[kind].minimumDays));
    const sharedCutoff = retentionCutoff(now, shared[kind].minimumDays);
    for (const counts of await countsFor(db, kind, cutoffs, sharedCutoff)) {
      const governing =
        counts.campaignId !== null && kind !== 'dncRequests'
          ? (byCampaign.get(counts.campaignId)?.[kind] ?? shared[kind])
          : shared[kind];
      out.push(retentionRow(counts, governing, now));
    }
  }
  return out;
}
