import { describe, expect, it } from 'vitest';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import type { GateDecision } from '../../engine/compliance/gate.ts';
import { outcomeOfHangup } from '../../engine/runner/call-flow.ts';
import { connectionRateBreaches } from '../../engine/runner/connection-rate.ts';
import { ivrOutcome } from '../../engine/runner/ivr-outcome.ts';
import { refusalOf } from '../../engine/runner/refusal.ts';

const alarms = { minAnswerRate: 0.2, minConnectRate: 0.8, windowMinutes: 15, minAttempts: 20 };

describe('connection-rate alarm', () => {
  it('raises when the answer rate over the window falls below the threshold', () => {
    const breaches = connectionRateBreaches(
      { dialed: 100, answered: 10, humanAnswered: 10, connected: 10 },
      alarms,
      false,
    );
    expect(breaches.map((b) => b.kind)).toEqual(['answer_rate_low']);
    expect(breaches[0]?.message).toContain('answer rate 10.0%');
  });

  it('raises when too few person-answered calls reach an agent', () => {
    const breaches = connectionRateBreaches(
      { dialed: 100, answered: 60, humanAnswered: 50, connected: 30 },
      alarms,
      false,
    );
    expect(breaches.map((b) => b.kind)).toEqual(['connect_rate_low']);
  });

  it('stays quiet with too few calls to judge, and ignores the connect rate of agentless campaigns', () => {
    expect(
      connectionRateBreaches({ dialed: 10, answered: 0, humanAnswered: 0, connected: 0 }, alarms, false),
    ).toEqual([]);
    expect(
      connectionRateBreaches({ dialed: 100, answered: 60, humanAnswered: 50, connected: 0 }, alarms, true),
    ).toEqual([]);
  });
});

describe('agentless outcomes from keys pressed', () => {
  const base = { name: 'x', client: 'c', mode: 'agentless', dialing: { callerId: '+1' } };
  it('turns "press 1 to confirm, 2 to reschedule" into confirmed or rescheduled', () => {
    const reminder = campaignDefinitionSchema.parse({
      ...base,
      type: 'reminder',
      questions: [{ id: 'confirm', prompt: 'p', choices: { '1': 'confirmed', '2': 'reschedule' } }],
    });
    expect(ivrOutcome(reminder, { confirm: 'confirmed' })).toEqual({ tag: 'confirmed' });
    expect(ivrOutcome(reminder, { confirm: 'reschedule' })).toEqual({ tag: 'rescheduled' });
    expect(ivrOutcome(reminder, {})).toEqual({ tag: 'message_delivered' });
  });

  it('records survey answers, partial when a required question was not answered', () => {
    const survey = campaignDefinitionSchema.parse({
      ...base,
      type: 'survey',
      questions: [
        { id: 'q1', prompt: 'p', choices: { '1': 'yes', '2': 'no' } },
        { id: 'q2', prompt: 'p', choices: { '1': 'yes', '2': 'no' } },
      ],
    });
    expect(ivrOutcome(survey, { q1: 'yes', q2: 'no' })).toEqual({
      tag: 'completed',
      answers: { q1: 'yes', q2: 'no' },
    });
    expect(ivrOutcome(survey, { q1: 'yes' })).toEqual({ tag: 'partial', answers: { q1: 'yes' } });
  });

  it('takes a post-call satisfaction score from 1 to 5', () => {
    const revisit = campaignDefinitionSchema.parse({
      ...base,
      type: 'revisit',
      questions: [{ id: 'score', prompt: 'p', choices: { '1': '1', '5': '5', '9': '9' } }],
    });
    expect(ivrOutcome(revisit, { score: '5' })).toEqual({ tag: 'satisfaction', score: 5 });
    expect(ivrOutcome(revisit, { score: '9' })).toEqual({ tag: 'no_outcome' });
  });
});

describe('engine outcome of a call nobody took', () => {
  it('maps the telephony fate to the retry vocabulary', () => {
    expect(outcomeOfHangup('busy')).toEqual({ tag: 'busy' });
    expect(outcomeOfHangup('no_route')).toEqual({ tag: 'invalid_number' });
    expect(outcomeOfHangup('answered')).toEqual({ tag: 'hung_up' });
    expect(outcomeOfHangup('lost')).toEqual({ tag: 'failed', detail: 'lost' });
  });
});

describe('a contact the gate refused', () => {
  const now = new Date('2026-11-25T15:00:00Z');
  const tomorrow = new Date('2026-11-26T00:00:00Z');
  const decision = (codes: string[], disposition: GateDecision['disposition'], retryAt: Date | null) =>
    ({ disposition, retryAt, denials: codes.map((code) => ({ code })) }) as unknown as GateDecision;

  it('waits for a list owner’s approval that is missing, revoked or expired', () => {
    expect(refusalOf(decision(['approval.missing'], 'hold', null), now)).toEqual({
      status: 'awaiting_approval',
      nextAttemptAt: null,
      codes: ['approval.missing'],
    });
  });

  it('stays ready until the first moment of an approval that starts later, rather than waiting for a release that never comes', () => {
    expect(refusalOf(decision(['approval.not_yet_valid'], 'retry_later', tomorrow), now)).toEqual({
      status: 'ready',
      nextAttemptAt: tomorrow,
      codes: ['approval.not_yet_valid'],
    });
  });

  it('is blocked by a do-not-call list whatever else holds, and rechecked later when the gate gives no moment', () => {
    expect(refusalOf(decision(['dnc.internal', 'approval.missing'], 'block', null), now).status).toBe(
      'blocked',
    );
    expect(refusalOf(decision(['calling_window.legal_hours'], 'hold', null), now).nextAttemptAt).toEqual(
      new Date('2026-11-25T15:15:00Z'),
    );
  });
});
