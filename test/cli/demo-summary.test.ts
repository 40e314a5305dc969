import { describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../scripts/demo/run-demo.ts';
import { summaryLines } from '../../scripts/demo/summary-text.ts';

/** A run like the loaded one reported in issue 12: 8 of 167 people abandoned (4.8 %, cap 3 %). */
function summary(overrides: Partial<DemoSummary> = {}): DemoSummary {
  return {
    campaignId: 1,
    campaign: 'Demo',
    database: 'embedded (test)',
    wallSeconds: 60,
    simulatedMinutes: 20,
    simulatedStart: '2026-12-02T18:00:00.000Z',
    speed: 20,
    agents: 10,
    contacts: { total: 1000, byStatus: { ready: 700, done: 300 } },
    dialLog: {
      attempts: 300,
      finalized: 298,
      open: 2,
      answered: 190,
      humanAnswered: 167,
      connected: 150,
      abandoned: 8,
      machines: 23,
      hungUpInMachineDetection: 0,
      byResult: { connected: 150, abandoned: 8, machine: 23, answered: 9, busy: 50, no_answer: 58 },
    },
    abandonmentRate: 8 / 167,
    abandonmentCap: 0.03,
    abandonmentOverCap: true,
    answerRate: 190 / 300,
    occupancy: 0.158,
    outcomes: { paid: 150, abandoned: 8, machine: 23, hung_up: 9, busy: 50, no_answer: 58 },
    alarms: [],
    recovery: null,
    finished: false,
    simulatedEnd: '2026-12-02T18:20:00.000Z',
    dialedByEngine: 300,
    time: { steps: 1000, stalls: 0, pace: 20 },
    ...overrides,
  };
}

describe('the demo summary', () => {
  it('flags an abandonment rate over the cap before the figures', () => {
    const lines = summaryLines(summary());
    const flag = lines.findIndex((l) => l.includes('ABANDONMENT OVER THE CAP'));
    expect(flag).toBeGreaterThan(-1);
    expect(lines[flag]).toContain('4.8%');
    expect(lines[flag]).toContain('cap 3.0%');
    expect(flag).toBeLessThan(lines.findIndex((l) => l.startsWith('dial log')));
  });

  it('says nothing alarming when the rate is within the cap', () => {
    const lines = summaryLines(summary({ abandonmentOverCap: false, abandonmentRate: 0.006 }));
    expect(lines.join('\n')).not.toContain('OVER THE CAP');
    expect(lines.join('\n')).toContain('within the cap');
  });

  it('shows counts that add up: final = not answered + answered, answered = machine + person, person = connected + abandoned + the rest', () => {
    const text = summaryLines(summary()).join('\n');
    expect(text).toContain('300 attempts = 298 final + 2 open');
    expect(text).toContain('final 298 = not answered 108 + answered 190');
    expect(text).toContain(
      'answered 190 = by a machine 23 + by a person 167 + hung up during machine detection 0',
    );
    expect(text).toContain(
      'by a person 167 = connected to an agent 150 + abandoned 8 + hung up before an agent 9',
    );
    expect(text).toContain('outcomes (298, one per final attempt)');
  });

  it('counts a call hung up while machine detection listened as answered, not as not answered', () => {
    const base = summary().dialLog;
    const text = summaryLines(
      summary({ dialLog: { ...base, answered: 206, hungUpInMachineDetection: 16 } }),
    ).join('\n');
    expect(text).toContain('final 298 = not answered 92 + answered 206');
    expect(text).toContain(
      'answered 206 = by a machine 23 + by a person 167 + hung up during machine detection 16',
    );
  });
});
