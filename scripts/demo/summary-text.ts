import type { DemoSummary } from './run-demo.ts';

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function list(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/**
 * The demo's summary for a campaign manager: the dial log's counts add up line by line (final =
 * not answered + answered; answered = machine + person + hung up while machine detection listened
 * (no verdict, so neither); person = connected + abandoned + hung
 * up before an agent), and an abandonment rate over the cap is flagged before anything else.
 */
export function summaryLines(s: DemoSummary): string[] {
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  const d = s.dialLog;
  line(`campaign ${s.campaignId} "${s.campaign}" on ${s.database}`);
  line(
    `ran ${s.wallSeconds.toFixed(0)} s of wall time = ${s.simulatedMinutes.toFixed(1)} simulated minutes (x${s.time.pace.toFixed(1)}, at most x${s.speed}; from ${s.simulatedStart}), ${s.agents} agents`,
  );
  if (s.abandonmentOverCap) {
    line();
    line(
      `!! ABANDONMENT OVER THE CAP: ${d.abandoned} abandoned = ${pct(s.abandonmentRate)} of person-answered calls, cap ${pct(s.abandonmentCap)} !!`,
    );
    line();
  }
  const notAnswered = d.finalized - d.answered;
  const leftBeforeAgent = d.humanAnswered - d.connected - d.abandoned;
  line(`dial log: ${d.attempts} attempts = ${d.finalized} final + ${d.open} open`);
  line(
    `  final ${d.finalized} = not answered ${notAnswered} + answered ${d.answered} (${pct(s.answerRate)} of attempts)`,
  );
  line(
    `  answered ${d.answered} = by a machine ${d.machines} + by a person ${d.humanAnswered} + hung up during machine detection ${d.hungUpInMachineDetection}`,
  );
  line(
    `  by a person ${d.humanAnswered} = connected to an agent ${d.connected} + abandoned ${d.abandoned} + hung up before an agent ${leftBeforeAgent}`,
  );
  line(
    `abandoned ${d.abandoned} = ${pct(s.abandonmentRate)} of person-answered calls (cap ${pct(s.abandonmentCap)}): ${s.abandonmentOverCap ? 'OVER THE CAP' : 'within the cap'}`,
  );
  line(`agent occupancy ${pct(s.occupancy)}`);
  line(`results (${d.attempts}, one per attempt): ${list(d.byResult)}`);
  const outcomeTotal = Object.values(s.outcomes).reduce((a, b) => a + b, 0);
  line(`outcomes (${outcomeTotal}, one per final attempt): ${list(s.outcomes)}`);
  line(`contacts (${s.contacts.total}): ${list(s.contacts.byStatus)}`);
  line(`alarms: ${s.alarms.length === 0 ? 'none' : s.alarms.map((a) => a.message).join('; ')}`);
  return out;
}
