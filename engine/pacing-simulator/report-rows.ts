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
    'max window': percent(s.maxRollingAbandonRate, 2),
    'dialer sees': percent(s.dialerAbandonRate, 2),
    'silent hang-ups': percent(s.silentHangupRate, 2),
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
  'max window',
  'dialer sees',
  'silent hang-ups',
  'connects/agent-h',
  'wait s',
  'calls/h',
  'lines',
] as const;

function percent(value: number, digits = 1): string {
  return `${(100 * value).toFixed(digits)} %`;
}
