import type { StrategySummary } from './metrics.ts';
import type { ScenarioReport } from './run-scenario.ts';

/** The targets for the predictive pacer on a scenario; each check says what it compared. */
export interface TargetCheck {
  readonly target: string;
  readonly value: number;
  readonly limit: number;
  readonly met: boolean;
  /**
   * For an occupancy target: the same figure for the second reference (our pacer given the
   * scenario's true laws), which shows whether a pacer knowing the laws could meet it.
   */
  readonly reference?: number;
  /** The same figure for the third reference (true laws and each agent's ready time known). */
  readonly foresight?: number;
}

/** As the scenario's abandonment definition counts (engine/compliance/abandonment.ts). */
const MAX_ABANDONMENT = 0.03;
const LARGE_TEAM = 20;
const SMALL_TEAM = 5;
const SHARE_OF_CLAIRVOYANT_LARGE = 0.95;
const SHARE_OF_CLAIRVOYANT_SMALL = 0.85;
const TIMES_VICIDIAL = 1.1;

export function checkTargets(report: ScenarioReport): TargetCheck[] {
  const s = report.strategies;
  const ours = s.predictive;
  if (!ours) return [];
  const reference = s['true-laws'];
  const foresight = s['agent-foresight'];
  const checks: TargetCheck[] = [
    {
      target: 'abandonment ≤ 3 % on the worst day',
      value: ours.maxDailyAbandonRate,
      limit: MAX_ABANDONMENT,
      met: ours.maxDailyAbandonRate <= MAX_ABANDONMENT,
      ...(reference ? { reference: reference.maxDailyAbandonRate } : {}),
    },
    {
      target: 'abandonment ≤ 3 % over the rolling window',
      value: ours.maxRollingAbandonRate,
      limit: MAX_ABANDONMENT,
      met: ours.maxRollingAbandonRate <= MAX_ABANDONMENT,
      ...(reference ? { reference: reference.maxRollingAbandonRate } : {}),
    },
  ];
  const vicidial = s['vicidial-adapt'];
  if (vicidial) {
    const ratio = vicidial.occupancy > 0 ? ours.occupancy / vicidial.occupancy : Infinity;
    checks.push({
      target: `occupancy ≥ ${TIMES_VICIDIAL.toFixed(2)}× VICIdial adaptive (same abandonment target)`,
      value: ratio,
      limit: TIMES_VICIDIAL,
      met: ratio >= TIMES_VICIDIAL,
      ...(reference && vicidial.occupancy > 0 ? { reference: reference.occupancy / vicidial.occupancy } : {}),
    });
  }
  const bound = s.clairvoyant;
  if (bound && report.agents >= SMALL_TEAM) {
    const large = report.agents >= LARGE_TEAM;
    const limit = large ? SHARE_OF_CLAIRVOYANT_LARGE : SHARE_OF_CLAIRVOYANT_SMALL;
    const share = (x: StrategySummary) => (bound.occupancy > 0 ? x.occupancy / bound.occupancy : 0);
    checks.push({
      target: `occupancy ≥ ${Math.round(limit * 100)} % of clairvoyant (teams ${large ? '≥ 20' : '5–19'})`,
      value: share(ours),
      limit,
      met: share(ours) >= limit,
      ...(reference ? { reference: share(reference) } : {}),
      ...(foresight ? { foresight: share(foresight) } : {}),
    });
  }
  return checks;
}
