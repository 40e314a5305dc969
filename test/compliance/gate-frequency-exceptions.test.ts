import { describe, expect, it } from 'vitest';
import { callerNumberOf } from '../../engine/compliance/caller-number.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import type { ConsentedCall, FrequencyFacts, GateDecision } from '../../engine/compliance/gate-types.ts';
import { findPreset } from '../../engine/compliance/presets/index.ts';
import { input, NOW } from './gate-fixtures.ts';

// NOW is Wednesday 10 June 2026, 12:00 in New York (16:00 UTC).
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const frequency = (d: GateDecision) => d.results.find((r) => r.rule === 'frequency')!;
const ago = (ms: number, from = NOW) => from.getTime() - ms;

const regF = { type: 'collections', compliance: { preset: 'us-collections' } };
const regFFacts = (times: number[], conversation: number | null = null): FrequencyFacts[] => [
  { ruleId: 'reg-f-7-in-7', countedBy: 'account', attemptTimes: times, lastConversationAt: conversation },
];
/** Seven calls about the account in the week before `at`: the 8th would be over the limit. */
const sevenBefore = (at: Date) => [0.5, 1, 2, 3, 4, 5, 6].map((d) => ago(d * DAY, at));
// Consent given on Thursday 4 June at 10:00 in New York: the 7 days run 4–10 June (NY dates).
const consent: ConsentedCall = { consentAt: new Date('2026-06-04T14:00:00Z'), attemptId: 41 };
const consentEndsNewYork = new Date('2026-06-11T04:00:00Z'); // midnight starting 11 June, New York

function regFDecision(
  at: Date,
  facts: { times?: number[]; conversation?: number | null; consented?: ConsentedCall | null },
  contact = {},
) {
  return evaluateGate(
    input({
      definition: regF,
      now: at,
      contact,
      facts: {
        frequency: regFFacts(facts.times ?? sevenBefore(at), facts.conversation ?? null),
        consentedCall: facts.consented ?? null,
      },
    }),
  );
}

describe('Regulation F 1006.14(b)(3)(i): a call the person asked for, within 7 days of the consent', () => {
  it('is neither refused by the 7-in-7 count nor counted: its frequency result is frequency.consented', () => {
    const d = regFDecision(NOW, { consented: consent });
    expect(frequency(d).status).toBe('pass');
    expect(frequency(d).code).toBe('frequency.consented');
    expect(frequency(d).message).toContain('rule reg-f-7-in-7');
    expect(frequency(d).message).toContain('call 41');
    expect(d.allowed).toBe(true);
  });

  it('lifts the 7 days of quiet after the conversation the person asked for the callback in', () => {
    const talked = ago(2 * DAY);
    const without = regFDecision(NOW, { times: [], conversation: talked });
    expect(frequency(without).code).toBe('frequency.over_limit');
    const asked = regFDecision(NOW, {
      times: [],
      conversation: talked,
      consented: { consentAt: new Date(talked), attemptId: 7 },
    });
    expect(frequency(asked).code).toBe('frequency.consented');
  });

  it('covers the 7th day (the day of the consent counting as the first) to its last millisecond, not the 8th', () => {
    const lastMoment = new Date(consentEndsNewYork.getTime() - 1);
    expect(frequency(regFDecision(lastMoment, { consented: consent })).code).toBe('frequency.consented');
    const day8 = regFDecision(consentEndsNewYork, { consented: consent });
    expect(frequency(day8).code).toBe('frequency.over_limit');
  });

  it('ends the 7 days by the earliest of the contact’s candidate zones when its zone is uncertain', () => {
    const uncertain = {
      timeZone: 'America/Los_Angeles',
      candidateTimeZones: ['America/Los_Angeles', 'America/New_York'],
    };
    // 00:00 on 11 June in New York is still 10 June in Los Angeles: the New York date ends it.
    expect(frequency(regFDecision(consentEndsNewYork, { consented: consent }, uncertain)).code).toBe(
      'frequency.over_limit',
    );
    const losAngeles = { timeZone: 'America/Los_Angeles' };
    expect(frequency(regFDecision(consentEndsNewYork, { consented: consent }, losAngeles)).code).toBe(
      'frequency.consented',
    );
  });

  it('does not cover a call before the consent was given', () => {
    const before = new Date(consent.consentAt.getTime() - 1);
    expect(frequency(regFDecision(before, { consented: consent })).code).toBe('frequency.over_limit');
  });

  it('does not lift a rule without the exception (the CN carrier rule)', () => {
    const CN_NOW = new Date('2026-06-10T06:00:00Z');
    const d = evaluateGate(
      input({
        definition: { jurisdiction: 'CN', region: 'CN', defaultTimeZone: 'Asia/Shanghai' },
        now: CN_NOW,
        contact: { phoneE164: '+8613800138000', timeZone: 'Asia/Shanghai', consentRef: 'C-1' },
        facts: {
          frequency: [
            {
              ruleId: 'cn-carrier-callee',
              countedBy: 'number',
              attemptTimes: [1, 2, 3].map((m) => ago(m * MINUTE, CN_NOW)),
              lastConversationAt: null,
            },
          ],
          consentedCall: { consentAt: new Date(ago(HOUR, CN_NOW)), attemptId: 3 },
        },
      }),
    );
    expect(frequency(d).code).toBe('frequency.over_limit');
  });

  it('us-collections does not count calls not connected to the dialed number, and counts the others', () => {
    const rule = findPreset('us-collections')!.frequency[0]!;
    expect(rule.uncountedResults).toEqual(['busy', 'congestion', 'invalid_number']);
    expect(rule.uncountedResults).not.toContain('no_answer');
    expect(rule.uncountedResults).not.toContain('machine');
    expect(rule.consentExclusionDays).toBe(7);
  });
});

describe('frequency rules counted per caller number', () => {
  const perLine = {
    compliance: {
      overrides: {
        frequency: [
          {
            id: 'line-cap',
            unit: 'number',
            across: 'all',
            callerNumbers: 'each',
            windows: [{ minutes: 60, maxAttempts: 2 }],
            source: 'fcc-64.1200',
          },
        ],
      },
    },
  };
  const lineFacts = (times: number[]): FrequencyFacts[] => [
    {
      ruleId: 'line-cap',
      countedBy: 'number',
      attemptTimes: times,
      lastConversationAt: null,
      callerNumber: '+12125550100',
    },
  ];

  it('allows the 2nd call from the line in the hour and refuses the 3rd, naming the line', () => {
    const second = evaluateGate(
      input({ definition: perLine, facts: { frequency: lineFacts([ago(30 * MINUTE)]) } }),
    );
    expect(frequency(second).code).toBe('frequency.within_limits');
    const third = evaluateGate(
      input({ definition: perLine, facts: { frequency: lineFacts([ago(30 * MINUTE), ago(59 * MINUTE)]) } }),
    );
    expect(frequency(third).code).toBe('frequency.over_limit');
    expect(frequency(third).message).toContain('2 calls about the number from caller number +12125550100');
    expect(third.retryAt).toEqual(new Date(ago(59 * MINUTE) + HOUR));
  });

  it('the CN carrier rule counts across caller numbers', () => {
    expect(findPreset('cn')!.frequency[0]!.callerNumbers).toBe('across');
  });

  it('reads the number a caller id presents', () => {
    expect(callerNumberOf('"Acme Collections" <+1 (212) 555-0100>')).toBe('+12125550100');
    expect(callerNumberOf('+12125550100')).toBe('+12125550100');
    expect(callerNumberOf('Acme')).toBeNull();
    expect(callerNumberOf('')).toBeNull();
  });
});
