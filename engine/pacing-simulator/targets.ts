import type { StrategySummary } from './metrics.ts';
import type { ScenarioReport } from './run-scenario.ts';

/** The targets for the predictive pacer on a scenario; each check says what it compared. */
export interface TargetCheck {
  readonly target: string;
  readonly value: number;
  readonly limit: number;
  readonly met: boolean;
}

const MAX_ROLLING = 0.03;
const MAX_DAILY = 0.05;
const MIN_SHARE_OF_CLAIRVOYANT = 0.9;
const LARGE_TEAM = 20;

export function checkTargets(report: ScenarioReport): TargetCheck[] {
  const s = report.strategies;
  const ours = s.predictive;
  if (!ours) return [];
  const checks: TargetCheck[] = [
    {
      target: 'rolling 30-day abandonment ≤ 3 %',
      value: ours.maxRollingAbandonRate,
      limit: MAX_ROLLING,
      met: ours.maxRollingAbandonRate <= MAX_ROLLING,
    },
    {
      target: 'daily abandonment ≤ 5 %',
      value: ours.maxDailyAbandonRate,
      limit: MAX_DAILY,
      met: ours.maxDailyAbandonRate <= MAX_DAILY,
    },
  ];
  const atLeast = (name: string, other: StrategySummary | undefined) => {
    if (other) {
      checks.push({
        target: `occupancy ≥ ${name}`,
        value: ours.occupancy,
        limit: other.occupancy,
        met: ours.occupancy >= other.occupancy,
      });
    }
  };
  atLeast('progressive', s.progressive);
  atLeast('vicidial-adapt', s['vicidial-adapt']);
  const bound = s.clairvoyant;
  if (bound && report.agents >= LARGE_TEAM) {
    const share = bound.occupancy > 0 ? ours.occupancy / bound.occupancy : 0;
    checks.push({
      target: 'occupancy ≥ 90 % of clairvoyant (teams ≥ 20)',
      value: share,
      limit: MIN_SHARE_OF_CLAIRVOYANT,
      met: share >= MIN_SHARE_OF_CLAIRVOYANT,
    });
  }
  return checks;
}
