import type { ScenarioReport } from './run-scenario.ts';

/** One printable row per strategy: percentages and rates rounded for people. */
export function reportRows(report: ScenarioReport): Record<string, string>[] {
  const bound = report.strategies.clairvoyant?.occupancy;
  return Object.entries(report.strategies).map(([name, s]) => ({
    strategy: name,
    occupancy: percent(s.occupancy),
    'of bound': bound ? percent(s.occupancy / bound) : '',
    abandoned: percent(s.abandonRate, 2),
    'max day': percent(s.maxDailyAbandonRate, 2),
    'max 30d': percent(s.maxRolling30dAbandonRate, 2),
    'connects/agent-h': s.connectsPerAgentHour.toFixed(2),
    'wait s': s.meanAgentWaitSeconds.toFixed(1),
    'calls/h': s.callsPerHour.toFixed(0),
    lines: s.meanLinesInFlight.toFixed(1),
  }));
}

export const reportColumns = [
  'strategy',
  'occupancy',
  'of bound',
  'abandoned',
  'max day',
  'max 30d',
  'connects/agent-h',
  'wait s',
  'calls/h',
  'lines',
] as const;

function percent(value: number, digits = 1): string {
  return `${(100 * value).toFixed(digits)} %`;
}
