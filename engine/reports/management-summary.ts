import type { Kysely } from 'kysely';
import { agentTime, alarmCounts, satisfactionFigures } from '../../db/queries/management-summary.ts';
import { qaReport } from '../../db/queries/qa.ts';
import { type Period, periodBounds, summaryReport } from '../../db/queries/reports.ts';
import type { Database } from '../../db/schema.ts';
import { campaignAbandonmentReport } from '../services/abandonment-report.ts';

/**
 * The weekly / monthly summary for management, per campaign: dials, connects, connection rate,
 * abandonment (the worst day and the rolling rate at the period's end), outcomes by type, agent
 * hours and occupancy, QA scores, satisfaction, alarms. Gathered here once; the CLI (and the
 * HTTP API) render it as JSON, CSV or a self-contained HTML report with charts
 * (summary-render.ts).
 */

export interface CampaignPeriodSummary {
  campaignId: number;
  campaignName: string;
  dials: number;
  answered: number;
  connects: number;
  /** Connected to an agent / dialed. */
  connectionRate: number | null;
  /** Answered / dialed. */
  answerRate: number | null;
  abandoned: number;
  /** Abandoned / answered by a person over the period. */
  abandonRate: number | null;
  /** The worst day of the period (abandoned / answered by a person that day). */
  abandonDayMax: number | null;
  /** The campaign's rolling window (30 days or 24 h) ending at the period's end. */
  abandonRolling: number | null;
  abandonWindow: '30d' | '24h';
  abandonCap: number;
  outcomes: Record<string, number>;
  agentHours: number;
  talkHours: number;
  /** Talk time / logged-in time (wrap-up and waiting count as not occupied). */
  occupancy: number | null;
  qa: { evaluations: number; averageScore: number | null; passRate: number | null };
  satisfaction: {
    asked: number;
    scored: number;
    average: number | null;
    distribution: Record<string, number>;
  };
  alarms: Record<string, number>;
}

export interface ManagementSummary {
  period: Period;
  label: string;
  from: Date;
  to: Date;
  timeZone: string;
  campaigns: CampaignPeriodSummary[];
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number) => (b === 0 ? null : round(a / b));

export async function managementSummary(
  db: Kysely<Database>,
  input: { period: Period; at: Date; timeZone: string; campaignId?: number },
): Promise<ManagementSummary> {
  const bounds = periodBounds(input.period, input.at, input.timeZone);
  const filter = {
    from: bounds.from,
    to: bounds.to,
    ...(input.campaignId !== undefined ? { campaignId: input.campaignId } : {}),
  };
  const [base, time, satisfaction, qa, alarms] = await Promise.all([
    summaryReport(db, filter),
    agentTime(db, filter),
    satisfactionFigures(db, filter),
    qaReport(db, filter),
    alarmCounts(db, filter),
  ]);
  const days = Math.max(1, Math.round((bounds.to.getTime() - bounds.from.getTime()) / 86_400_000));
  const campaigns: CampaignPeriodSummary[] = [];
  for (const c of base) {
    // Counted as the campaign's own abandonment definition counts (the gate's), with its cap.
    const { report: abandonment } = await campaignAbandonmentReport(db, {
      campaignId: c.campaignId,
      timeZone: input.timeZone,
      days,
      // The last moment of the period: its last day and the window ending with it.
      now: new Date(bounds.to.getTime() - 1),
    });
    const window = abandonment.window;
    const cap = abandonment.maxRate;
    const dayRates = abandonment.days.map((d) => d.dayRate).filter((r): r is number => r !== null);
    const t = time.find((x) => x.campaignId === c.campaignId);
    const s = satisfaction.find((x) => x.campaignId === c.campaignId);
    const q = qa.filter((x) => x.campaignId === c.campaignId);
    const evaluations = q.reduce((sum, x) => sum + x.evaluations, 0);
    campaigns.push({
      campaignId: c.campaignId,
      campaignName: c.campaignName,
      dials: c.attempts,
      answered: c.answered,
      connects: c.connected,
      connectionRate: ratio(c.connected, c.attempts),
      answerRate: ratio(c.answered, c.attempts),
      abandoned: c.abandoned,
      abandonRate: ratio(c.abandoned, c.humanAnswered),
      abandonDayMax: dayRates.length === 0 ? null : round(Math.max(...dayRates)),
      abandonRolling: abandonment.current.rate === null ? null : round(abandonment.current.rate),
      abandonWindow: window,
      abandonCap: cap,
      outcomes: c.outcomes,
      agentHours: round(t?.agentHours ?? 0),
      talkHours: round(t?.talkHours ?? 0),
      occupancy: t && t.agentHours > 0 ? round(t.talkHours / t.agentHours) : null,
      qa: {
        evaluations,
        averageScore:
          evaluations === 0
            ? null
            : round(q.reduce((sum, x) => sum + x.averageScore * x.evaluations, 0) / evaluations, 1),
        passRate:
          evaluations === 0
            ? null
            : round(q.reduce((sum, x) => sum + x.passRate * x.evaluations, 0) / evaluations),
      },
      satisfaction: {
        asked: s?.asked ?? 0,
        scored: s?.scored ?? 0,
        average: s?.average ?? null,
        distribution: s?.distribution ?? {},
      },
      alarms: Object.fromEntries(
        alarms.filter((a) => a.campaignId === c.campaignId).map((a) => [a.kind, a.count]),
      ),
    });
  }
  return {
    period: input.period,
    label: bounds.label,
    from: bounds.from,
    to: bounds.to,
    timeZone: input.timeZone,
    campaigns,
  };
}
