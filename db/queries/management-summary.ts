import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * The figures of the weekly and monthly management summary that reports.ts does not already
 * give (dials, answers, connects, abandons and outcomes come from summaryReport): agent time and
 * talk time, satisfaction scores, alarms. Each statement reads one period, by the time indexes.
 */

export interface AgentTime {
  campaignId: number;
  /** Logged-in hours inside the period (sessions clipped to it; open ones up to `to`). */
  agentHours: number;
  /** Hours agents spent talking to customers (connected → end) inside the period. */
  talkHours: number;
}

export async function agentTime(
  db: Kysely<Database>,
  f: { from: Date; to: Date; campaignId?: number },
): Promise<AgentTime[]> {
  const campaign = (column: string) =>
    f.campaignId === undefined ? sql`true` : sql`${sql.ref(column)} = ${f.campaignId}`;
  const sessions = await sql<{ campaign_id: number; seconds: number }>`
    select campaign_id, coalesce(sum(extract(epoch from
      least(coalesce(ended_at, ${f.to}), ${f.to}::timestamptz) - greatest(started_at, ${f.from}::timestamptz))), 0)::float8 as seconds
    from agent_sessions
    where campaign_id is not null and started_at < ${f.to} and coalesce(ended_at, ${f.to}) > ${f.from}
      and ${campaign('campaign_id')}
    group by campaign_id`.execute(db);
  const talk = await sql<{ campaign_id: number; seconds: number }>`
    select campaign_id, coalesce(sum(extract(epoch from
      least(ended_at, ${f.to}::timestamptz) - greatest(connected_at, ${f.from}::timestamptz))), 0)::float8 as seconds
    from call_attempts
    where connected_at is not null and ended_at is not null and connected_at < ${f.to} and ended_at > ${f.from}
      and ${campaign('campaign_id')}
    group by campaign_id`.execute(db);
  const byCampaign = new Map<number, AgentTime>();
  const entry = (id: number) => {
    let e = byCampaign.get(id);
    if (!e) {
      e = { campaignId: id, agentHours: 0, talkHours: 0 };
      byCampaign.set(id, e);
    }
    return e;
  };
  for (const r of sessions.rows) entry(Number(r.campaign_id)).agentHours = Number(r.seconds) / 3600;
  for (const r of talk.rows) entry(Number(r.campaign_id)).talkHours = Number(r.seconds) / 3600;
  return [...byCampaign.values()];
}

export interface SatisfactionFigures {
  campaignId: number;
  /** Customers who were asked. */
  asked: number;
  /** Who pressed 1–5. */
  scored: number;
  average: number | null;
  /** Scores 1..5 → how many. */
  distribution: Record<string, number>;
}

export async function satisfactionFigures(
  db: Kysely<Database>,
  f: { from: Date; to: Date; campaignId?: number },
): Promise<SatisfactionFigures[]> {
  const rows = await sql<{ campaign_id: number; score: number | null; n: number }>`
    select campaign_id, (data->>'score')::int as score, count(*)::int as n
    from call_facts
    where kind = 'satisfaction' and at >= ${f.from} and at < ${f.to}
      ${f.campaignId === undefined ? sql`` : sql`and campaign_id = ${f.campaignId}`}
    group by campaign_id, (data->>'score')::int`.execute(db);
  const byCampaign = new Map<number, SatisfactionFigures & { sum: number }>();
  for (const r of rows.rows) {
    const id = Number(r.campaign_id);
    const e = byCampaign.get(id) ?? {
      campaignId: id,
      asked: 0,
      scored: 0,
      average: null,
      distribution: {},
      sum: 0,
    };
    const n = Number(r.n);
    e.asked += n;
    if (r.score !== null) {
      e.scored += n;
      e.sum += Number(r.score) * n;
      e.distribution[String(r.score)] = n;
    }
    byCampaign.set(id, e);
  }
  return [...byCampaign.values()].map(({ sum, ...e }) => ({
    ...e,
    average: e.scored === 0 ? null : Math.round((sum / e.scored) * 100) / 100,
  }));
}

export interface AlarmCount {
  campaignId: number | null;
  kind: string;
  count: number;
}

export async function alarmCounts(
  db: Kysely<Database>,
  f: { from: Date; to: Date; campaignId?: number },
): Promise<AlarmCount[]> {
  let query = db
    .selectFrom('alarms')
    .select(['campaign_id', 'kind'])
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('raised_at', '>=', f.from)
    .where('raised_at', '<', f.to)
    .groupBy(['campaign_id', 'kind'])
    .orderBy('campaign_id')
    .orderBy('kind');
  if (f.campaignId !== undefined) query = query.where('campaign_id', '=', f.campaignId);
  const rows = await query.execute();
  return rows.map((r) => ({ campaignId: r.campaign_id, kind: r.kind, count: Number(r.count) }));
}
