import { type Kysely, sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Jurisdiction } from '../../campaigns/campaign-definition.ts';
import { type AbandonClockBasis, abandonClockBasis } from '../../engine/compliance/abandon-clock-basis.ts';
import { type AbandonmentDefinition, abandonmentFigures } from '../../engine/compliance/abandonment.ts';
import { UsageError } from '../../engine/platform/errors.ts';
import type { CallAttemptRow, Database } from '../schema.ts';
import { humanAnsweredSql, machineVerdictSql } from './gate-facts.ts';

/**
 * Compliance reports over the dial log, gate denials and outcomes. Read-only; the numbers are
 * never part of a report (exports of the log itself are in dialLogPages).
 */

const DAY = 86_400_000;

export interface AbandonmentDay {
  day: string;
  attempts: number;
  humanAnswered: number;
  abandoned: number;
  /** Answered calls AMD judged machines that day (the base of the false-positive estimate). */
  machineVerdicts: number;
  /** Of them, persons by the definition's reasoned estimate (0 without a definition). */
  estimatedAmdFalsePositives: number;
  /** abandoned / humanAnswered on that day, as the definition counts (null when nobody answered). */
  dayRate: number | null;
  /** Over the window ending at the end of that day (30 days, or that day for a 24 h window). */
  rollingRate: number | null;
  overCap: boolean;
}

export interface AbandonmentReport {
  campaignId: number;
  /** The abandonment definition the figures follow (engine/compliance/abandonment.ts), or null. */
  definition: AbandonmentDefinition['name'] | null;
  /** The moment the campaign's jurisdiction counts the 2-second rule from (what `abandoned` means). */
  abandonClock: AbandonClockBasis;
  window: '30d' | '24h';
  timeZone: string;
  maxRate: number;
  /** The window ending now. */
  current: {
    from: Date;
    to: Date;
    humanAnswered: number;
    abandoned: number;
    estimatedAmdFalsePositives: number;
    rate: number | null;
    overCap: boolean;
  };
  days: AbandonmentDay[];
}

const rate = (abandoned: number, human: number) => (human === 0 ? null : abandoned / human);

type CountingRules = Pick<AbandonmentDefinition, 'name' | 'amdFalsePositives' | 'amdFalsePositiveShare'>;

export async function abandonmentReport(
  db: Kysely<Database>,
  input: {
    campaignId: number;
    jurisdiction: Jurisdiction;
    window: '30d' | '24h';
    maxRate: number;
    timeZone: string;
    days: number;
    now: Date;
    /** How to count (the campaign's definition); without it, abandoned / person-answered as recorded. */
    definition?: CountingRules;
  },
): Promise<AbandonmentReport> {
  const rules = {
    amdFalsePositives: input.definition?.amdFalsePositives ?? ('answered' as const),
    amdFalsePositiveShare: input.definition?.amdFalsePositiveShare ?? 0,
    maxRate: input.maxRate,
  };
  const figures = (abandoned: number, humanAnswered: number, machineVerdicts: number) => {
    const f = abandonmentFigures({ abandoned, humanAnswered, machineVerdicts }, rules);
    return { ...f, rate: f.answered === 0 ? null : f.rate };
  };
  const windowDays = input.window === '30d' ? 30 : 1;
  const end = DateTime.fromJSDate(input.now, { zone: input.timeZone }).startOf('day').plus({ days: 1 });
  // Enough days back for the first reported day's rolling window.
  const start = end.minus({ days: input.days + windowDays - 1 });
  type DayCounts = { day: string; attempts: number; human: number; abandoned: number; machines: number };
  const rows = await sql<DayCounts>`
    select to_char(queued_at at time zone ${input.timeZone}, 'YYYY-MM-DD') as day,
           count(*) as attempts,
           count(*) filter (where ${humanAnsweredSql}) as human,
           count(*) filter (where abandoned) as abandoned,
           count(*) filter (where ${machineVerdictSql}) as machines
    from call_attempts
    where campaign_id = ${input.campaignId} and queued_at >= ${start.toJSDate()} and queued_at < ${end.toJSDate()}
    group by 1 order by 1`.execute(db);
  const byDay = new Map(rows.rows.map((r) => [r.day, r]));
  const allDays: DayCounts[] = [];
  for (let d = start; d < end; d = d.plus({ days: 1 })) {
    const key = d.toISODate()!;
    const r = byDay.get(key);
    allDays.push({
      day: key,
      attempts: Number(r?.attempts ?? 0),
      human: Number(r?.human ?? 0),
      abandoned: Number(r?.abandoned ?? 0),
      machines: Number(r?.machines ?? 0),
    });
  }
  const days: AbandonmentDay[] = [];
  for (let i = windowDays - 1; i < allDays.length; i++) {
    const day = allDays[i]!;
    let human = 0;
    let abandoned = 0;
    let machines = 0;
    for (let j = i - windowDays + 1; j <= i; j++) {
      human += allDays[j]!.human;
      abandoned += allDays[j]!.abandoned;
      machines += allDays[j]!.machines;
    }
    const rolling = figures(abandoned, human, machines).rate;
    const today = figures(day.abandoned, day.human, day.machines);
    days.push({
      day: day.day,
      attempts: day.attempts,
      humanAnswered: day.human,
      abandoned: day.abandoned,
      machineVerdicts: day.machines,
      estimatedAmdFalsePositives: today.estimatedAmdFalsePositives,
      dayRate: today.rate,
      rollingRate: rolling,
      overCap: rolling !== null && rolling >= input.maxRate,
    });
  }
  const from = new Date(input.now.getTime() - windowDays * DAY);
  const current = await sql<{ human: number; abandoned: number; machines: number }>`
    select count(*) filter (where ${humanAnsweredSql}) as human, count(*) filter (where abandoned) as abandoned,
           count(*) filter (where ${machineVerdictSql}) as machines
    from call_attempts
    where campaign_id = ${input.campaignId} and queued_at >= ${from} and queued_at <= ${input.now}`.execute(
    db,
  );
  const c = current.rows[0];
  const human = Number(c?.human ?? 0);
  const abandoned = Number(c?.abandoned ?? 0);
  const now = figures(abandoned, human, Number(c?.machines ?? 0));
  const currentRate = now.rate;
  return {
    campaignId: input.campaignId,
    definition: input.definition?.name ?? null,
    abandonClock: abandonClockBasis(input.jurisdiction),
    window: input.window,
    timeZone: input.timeZone,
    maxRate: input.maxRate,
    current: {
      from,
      to: input.now,
      humanAnswered: human,
      abandoned,
      estimatedAmdFalsePositives: now.estimatedAmdFalsePositives,
      rate: currentRate,
      overCap: currentRate !== null && currentRate >= input.maxRate,
    },
    days,
  };
}

/** Report categories of the gate's denial codes ("blocks by reason"). */
export function blockCategory(code: string): string {
  const rule = code.slice(0, code.indexOf('.') < 0 ? code.length : code.indexOf('.'));
  switch (rule) {
    case 'dnc':
      return 'dnc';
    case 'blacklist':
      return 'blacklist';
    case 'calling_window':
      return 'hours';
    case 'approval':
      return 'approval';
    case 'consent':
      return 'consent';
    case 'attempts':
    case 'retry_gap':
    case 'abandon_repeat':
      return 'attempts';
    case 'national_registry':
      return 'registry';
    default:
      return 'other';
  }
}

export type Period = 'day' | 'week' | 'month';

export function periodBounds(
  period: Period,
  at: Date,
  timeZone: string,
): { from: Date; to: Date; label: string } {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const unit = period === 'day' ? 'day' : period === 'week' ? 'week' : 'month';
  const start = local.startOf(unit);
  const end = start.plus({ [`${unit}s`]: 1 });
  const label =
    period === 'day'
      ? start.toISODate()!
      : period === 'week'
        ? `${start.toFormat("kkkk-'W'WW")}`
        : start.toFormat('yyyy-LL');
  return { from: start.toJSDate(), to: end.toJSDate(), label };
}

export interface CampaignSummary {
  campaignId: number;
  campaignName: string;
  attempts: number;
  answered: number;
  humanAnswered: number;
  connected: number;
  abandoned: number;
  answerRate: number | null;
  abandonRate: number | null;
  outcomes: Record<string, number>;
  blocks: Record<string, number>;
}

export async function summaryReport(
  db: Kysely<Database>,
  input: { from: Date; to: Date; campaignId?: number },
): Promise<CampaignSummary[]> {
  const campaignFilter = input.campaignId === undefined ? sql`true` : sql`campaign_id = ${input.campaignId}`;
  const [attempts, outcomes, blocks, campaigns] = await Promise.all([
    sql<{
      campaign_id: number;
      attempts: number;
      answered: number;
      human: number;
      connected: number;
      abandoned: number;
    }>`
      select campaign_id, count(*) as attempts,
             count(*) filter (where answered_at is not null) as answered,
             count(*) filter (where ${humanAnsweredSql}) as human,
             count(*) filter (where connected_at is not null) as connected,
             count(*) filter (where abandoned) as abandoned
      from call_attempts
      where queued_at >= ${input.from} and queued_at < ${input.to} and ${campaignFilter}
      group by campaign_id`.execute(db),
    sql<{ campaign_id: number; tag: string; n: number }>`
      select campaign_id, tag, count(*) as n from outcomes o
      where recorded_at >= ${input.from} and recorded_at < ${input.to} and ${campaignFilter}
        -- as each call's outcome stands: a corrected record counts as its correction
        and not exists (select 1 from outcomes c where c.corrects_outcome_id = o.id)
      group by campaign_id, tag`.execute(db),
    sql<{ campaign_id: number; code: string; n: number }>`
      select campaign_id, code, count(*) as n from gate_denials, unnest(codes) as code
      where at >= ${input.from} and at < ${input.to} and ${campaignFilter}
      group by campaign_id, code`.execute(db),
    db.selectFrom('campaigns').select(['id', 'name']).orderBy('id').execute(),
  ]);
  const byCampaign = new Map<number, CampaignSummary>();
  const entry = (id: number) => {
    let s = byCampaign.get(id);
    if (!s) {
      s = {
        campaignId: id,
        campaignName: campaigns.find((c) => c.id === id)?.name ?? String(id),
        attempts: 0,
        answered: 0,
        humanAnswered: 0,
        connected: 0,
        abandoned: 0,
        answerRate: null,
        abandonRate: null,
        outcomes: {},
        blocks: {},
      };
      byCampaign.set(id, s);
    }
    return s;
  };
  for (const r of attempts.rows) {
    const s = entry(Number(r.campaign_id));
    s.attempts = Number(r.attempts);
    s.answered = Number(r.answered);
    s.humanAnswered = Number(r.human);
    s.connected = Number(r.connected);
    s.abandoned = Number(r.abandoned);
    s.answerRate = s.attempts === 0 ? null : s.answered / s.attempts;
    s.abandonRate = rate(s.abandoned, s.humanAnswered);
  }
  for (const r of outcomes.rows) entry(Number(r.campaign_id)).outcomes[r.tag] = Number(r.n);
  for (const r of blocks.rows) {
    const s = entry(Number(r.campaign_id));
    const category = blockCategory(r.code);
    s.blocks[category] = (s.blocks[category] ?? 0) + Number(r.n);
  }
  return [...byCampaign.values()].sort((a, b) => a.campaignId - b.campaignId);
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

export function listAuditEntries(db: Kysely<Database>, q: AuditQuery = {}) {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc');
  if (q.action) query = query.where('action', 'like', `${q.action}%`);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.since) query = query.where('at', '>=', q.since);
  if (q.until) query = query.where('at', '<', q.until);
  return query.limit(q.limit ?? 100).execute();
}

export interface DialLogFilter {
  campaignId?: number;
  phoneE164?: string;
  from?: Date;
  to?: Date;
}

/** The dial log in id order, a page at a time (keyset), for exports of any size. */
export async function* dialLogPages(
  db: Kysely<Database>,
  filter: DialLogFilter,
  pageSize = 5_000,
): AsyncGenerator<CallAttemptRow[]> {
  let after = 0;
  for (;;) {
    let q = db.selectFrom('call_attempts').selectAll().where('id', '>', after).orderBy('id').limit(pageSize);
    if (filter.campaignId !== undefined) q = q.where('campaign_id', '=', filter.campaignId);
    if (filter.phoneE164) q = q.where('phone_e164', '=', filter.phoneE164);
    if (filter.from) q = q.where('queued_at', '>=', filter.from);
    if (filter.to) q = q.where('queued_at', '<', filter.to);
    const rows = await q.execute();
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** The dial-log search: the export's filters plus the outcome, the number's last digits and keyset paging. */
export interface DialLogSearch extends DialLogFilter {
  /**
   * The call's outcome: its result, or its status while it has none; 'abandoned' also matches
   * a row flagged abandoned whatever its result.
   */
  result?: string;
  /** The number's last digits (1 to 4): matched here, so callers only ever see masked numbers. */
  phoneSuffix?: string;
  /** Keyset paging: only rows with a smaller id (the last id of the previous page). */
  beforeId?: number;
  limit?: number;
}

/**
 * The dial log newest first, filtered. No lock (plain read). Indexes: with a campaign,
 * call_attempts_campaign_time (campaign_id, queued_at) narrows by campaign and time; otherwise
 * the primary key is walked backwards from beforeId. The number's suffix (a LIKE '%1234') and
 * the outcome are checked on the rows so narrowed: no index serves a suffix.
 */
export function listDialLog(db: Kysely<Database>, filter: DialLogSearch) {
  if (filter.phoneSuffix !== undefined && !/^\d{1,4}$/.test(filter.phoneSuffix)) {
    throw new UsageError('a number suffix is 1 to 4 digits');
  }
  let q = db
    .selectFrom('call_attempts')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 50);
  if (filter.campaignId !== undefined) q = q.where('campaign_id', '=', filter.campaignId);
  if (filter.phoneE164) q = q.where('phone_e164', '=', filter.phoneE164);
  if (filter.from) q = q.where('queued_at', '>=', filter.from);
  if (filter.to) q = q.where('queued_at', '<', filter.to);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  if (filter.phoneSuffix !== undefined) q = q.where('phone_e164', 'like', `%${filter.phoneSuffix}`);
  const result = filter.result;
  if (result !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb('result', '=', result),
        eb.and([eb('result', 'is', null), eb('status', '=', result as CallAttemptRow['status'])]),
        ...(result === 'abandoned' ? [eb('abandoned', '=', true)] : []),
      ]),
    );
  }
  return q.execute();
}
