import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import type { FrequencyFacts, GateDecision } from '../../engine/compliance/gate-types.ts';
import { input, NOW } from './gate-fixtures.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const result = (d: GateDecision, rule: string) => d.results.find((r) => r.rule === rule)!;
const ago = (ms: number) => NOW.getTime() - ms;

const regF = { type: 'collections', compliance: { preset: 'us-collections' } };
const cn = { jurisdiction: 'CN', region: 'CN', defaultTimeZone: 'Asia/Shanghai' };
// 16:00 UTC is 00:00 in Shanghai: the CN tests run at 14:00 Beijing time.
const CN_NOW = new Date('2026-06-10T06:00:00Z');

function regFFacts(times: number[], conversation: number | null = null): FrequencyFacts[] {
  return [
    { ruleId: 'reg-f-7-in-7', countedBy: 'account', attemptTimes: times, lastConversationAt: conversation },
  ];
}
function cnFacts(times: number[]): FrequencyFacts[] {
  return [
    { ruleId: 'cn-carrier-callee', countedBy: 'number', attemptTimes: times, lastConversationAt: null },
  ];
}
const cnInput = (times: number[]) =>
  input({
    definition: cn,
    now: CN_NOW,
    contact: { phoneE164: '+8613800138000', timeZone: 'Asia/Shanghai', consentRef: 'C-1' },
    facts: { frequency: cnFacts(times) },
  });
const cnAgo = (ms: number) => CN_NOW.getTime() - ms;

describe('frequency rules: Regulation F, 7 calls in 7 days per debt (us-collections)', () => {
  it('allows the 7th call of the week', () => {
    const times = [1, 2, 3, 4, 5, 6].map((d) => ago(d * DAY - HOUR));
    const d = evaluateGate(input({ definition: regF, facts: { frequency: regFFacts(times) } }));
    expect(result(d, 'frequency').code).toBe('frequency.within_limits');
    expect(d.allowed).toBe(true);
  });

  it('refuses the 8th, until the oldest of the 7 is 7 days old, naming the preset and the rule', () => {
    const times = [0.5, 1, 2, 3, 4, 5, 6].map((d) => ago(d * DAY));
    const d = evaluateGate(input({ definition: regF, facts: { frequency: regFFacts(times) } }));
    const r = result(d, 'frequency');
    expect(r.code).toBe('frequency.over_limit');
    expect(d.disposition).toBe('retry_later');
    expect(d.retryAt).toEqual(new Date(ago(6 * DAY) + 7 * DAY));
    expect(d.preset).toBe('us-collections');
    expect(r.message).toContain('Preset us-collections');
    expect(r.message).toContain('rule reg-f-7-in-7');
    expect(r.message).toContain('7 calls about the account');
  });

  it('counts a call exactly 7 days old as out of the window (day 8), one a millisecond younger as in it (day 7)', () => {
    const six = [1, 2, 3, 4, 5, 6].map((d) => ago(d * HOUR));
    const day8 = evaluateGate(
      input({ definition: regF, facts: { frequency: regFFacts([...six, ago(7 * DAY)]) } }),
    );
    expect(day8.allowed).toBe(true);
    const day7 = evaluateGate(
      input({ definition: regF, facts: { frequency: regFFacts([...six, ago(7 * DAY - 1)]) } }),
    );
    expect(result(day7, 'frequency').code).toBe('frequency.over_limit');
  });

  it('refuses any call on the 7th day after a conversation about the debt and allows it on the 8th', () => {
    const day7 = evaluateGate(input({ definition: regF, facts: { frequency: regFFacts([], ago(6 * DAY)) } }));
    expect(result(day7, 'frequency').code).toBe('frequency.over_limit');
    expect(result(day7, 'frequency').message).toContain('a conversation about the account');
    expect(day7.retryAt).toEqual(new Date(ago(6 * DAY) + 7 * DAY));
    const day8 = evaluateGate(input({ definition: regF, facts: { frequency: regFFacts([], ago(7 * DAY)) } }));
    expect(day8.allowed).toBe(true);
  });

  it('holds the contact when the counts were not loaded (never dials blind)', () => {
    const d = evaluateGate(input({ definition: regF, facts: { frequency: [] } }));
    expect(result(d, 'frequency').code).toBe('frequency.facts_missing');
    expect(d.disposition).toBe('hold');
  });

  it('is not applied by a preset without frequency rules', () => {
    const d = evaluateGate(
      input({ facts: { frequency: regFFacts([1, 2, 3, 4, 5, 6, 7].map((h) => ago(h * HOUR))) } }),
    );
    expect(result(d, 'frequency').code).toBe('frequency.none');
    expect(d.allowed).toBe(true);
  });

  it('takes a campaign’s field-by-field override of the preset’s rule', () => {
    const strict = {
      ...regF,
      compliance: {
        preset: 'us-collections',
        overrides: {
          frequency: [
            {
              id: 'house-3-in-7',
              unit: 'account',
              across: 'client',
              windows: [{ minutes: 7 * 24 * 60, maxAttempts: 3 }],
              source: 'reg-f-1006.14',
            },
          ],
        },
      },
    };
    const times = [1, 2, 3].map((d) => ago(d * DAY));
    const facts = [
      {
        ruleId: 'house-3-in-7',
        countedBy: 'account' as const,
        attemptTimes: times,
        lastConversationAt: null,
      },
    ];
    const d = evaluateGate(input({ definition: strict, facts: { frequency: facts } }));
    expect(result(d, 'frequency').message).toContain('rule house-3-in-7');
    expect(d.allowed).toBe(false);
  });
});

describe('frequency rules: the Chinese carrier platform (5 in 24 h, 3 in 5 minutes, per callee)', () => {
  it('allows the 5th call in 24 h', () => {
    const d = evaluateGate(cnInput([1, 2, 3, 4].map((h) => cnAgo(h * HOUR))));
    expect(d.allowed).toBe(true);
  });

  it('refuses the 6th call in 24 h until the oldest is 24 h old', () => {
    const d = evaluateGate(cnInput([1, 2, 3, 4, 23].map((h) => cnAgo(h * HOUR))));
    expect(result(d, 'frequency').code).toBe('frequency.over_limit');
    expect(result(d, 'frequency').message).toContain('5 calls about the number in the last 1 d');
    expect(d.retryAt).toEqual(new Date(cnAgo(23 * HOUR) + DAY));
  });

  it('allows the 3rd call within 5 minutes and refuses the 4th', () => {
    const third = evaluateGate(cnInput([1, 2].map((m) => cnAgo(m * MINUTE))));
    expect(third.allowed).toBe(true);
    const fourth = evaluateGate(cnInput([1, 2, 4].map((m) => cnAgo(m * MINUTE))));
    expect(result(fourth, 'frequency').message).toContain('3 calls about the number in the last 5 min');
    expect(fourth.retryAt).toEqual(new Date(cnAgo(4 * MINUTE) + 5 * MINUTE));
  });

  it('gives the moment when both windows have room when both are full', () => {
    const times = [1, 2, 3].map((m) => cnAgo(m * MINUTE)).concat([cnAgo(10 * HOUR), cnAgo(20 * HOUR)]);
    const d = evaluateGate(cnInput(times));
    expect(d.retryAt).toEqual(new Date(cnAgo(20 * HOUR) + DAY));
  });
});

describe('same-day redial after a machine (UK)', () => {
  const uk = { jurisdiction: 'UK', defaultTimeZone: 'Europe/London' };
  const london = { timeZone: 'Europe/London', phoneE164: '+442071838750' };

  it('refuses a new call the same local day unless an agent is reserved', () => {
    const lastAttempt = { result: 'machine', at: new Date(ago(2 * HOUR)) };
    const d = evaluateGate(input({ definition: uk, contact: london, facts: { lastAttempt } }));
    expect(result(d, 'machine_redial').code).toBe('machine_redial.same_day');
    expect(d.retryAt).toEqual(new Date('2026-06-10T23:00:00Z')); // midnight in London (BST)
    const reserved = evaluateGate(
      input({ definition: uk, contact: london, facts: { lastAttempt, agentReserved: true } }),
    );
    expect(result(reserved, 'machine_redial').code).toBe('machine_redial.agent_reserved');
  });

  it('allows it the next day, and does not apply in the US', () => {
    const yesterday = { result: 'machine', at: new Date('2026-06-09T22:30:00Z') }; // 23:30 London, 9 June
    const d = evaluateGate(input({ definition: uk, contact: london, facts: { lastAttempt: yesterday } }));
    expect(result(d, 'machine_redial').code).toBe('machine_redial.none_today');
    const us = evaluateGate(
      input({ facts: { lastAttempt: { result: 'machine', at: new Date(ago(HOUR)) } } }),
    );
    expect(result(us, 'machine_redial').status).toBe('not_applicable');
  });
});

describe('the preset’s abandonment cap', () => {
  it('applies the lower of the campaign’s and the preset’s cap', () => {
    const facts = { abandonment: { abandoned: 3, humanAnswered: 100, windowStart: new Date(ago(DAY)) } };
    const lax = evaluateGate(input({ definition: { abandon: { maxRate: 0.05 } }, campaignFacts: facts }));
    expect(lax.predictiveAllowed).toBe(false);
    const override = evaluateGate(
      input({
        definition: {
          abandon: { maxRate: 0.05 },
          compliance: { overrides: { abandonment: { definition: 'us', maxRate: 0.05 } } },
        },
        campaignFacts: facts,
      }),
    );
    expect(override.predictiveAllowed).toBe(true);
  });
});
