import { describe, expect, it } from 'vitest';
import { type CampaignDefinition, campaignDefinitionSchema } from '../../../campaigns/campaign-definition.ts';
import { agentTags, outcomeSchemaFor } from '../../../campaigns/outcomes/outcome-schema.ts';
import { applyOutcome } from '../../../campaigns/outcomes/retry-policy.ts';

function campaign(overrides: Record<string, unknown>): CampaignDefinition {
  return campaignDefinitionSchema.parse({
    name: 'c',
    client: 'x',
    type: 'collections',
    mode: 'progressive',
    dialing: { callerId: '+12125550100' },
    ...overrides,
  });
}

const now = new Date('2026-11-25T15:00:00Z');
const collections = campaign({});
const survey = campaign({
  type: 'survey',
  questions: [
    { id: 'q1', prompt: 'happy?', choices: { '1': 'yes', '2': 'no' } },
    { id: 'q2', prompt: 'why?', required: false },
  ],
});

describe('outcome schemas per campaign type', () => {
  it('accepts a promise to pay with amount and date in a collections campaign', () => {
    const parsed = outcomeSchemaFor(collections, 'agent').parse({
      tag: 'promise_to_pay',
      amount: 120.5,
      date: '2026-12-01',
    });
    expect(parsed).toEqual({ tag: 'promise_to_pay', amount: 120.5, date: '2026-12-01' });
  });

  it('refuses a promise to pay without an amount', () => {
    const result = outcomeSchemaFor(collections, 'agent').safeParse({
      tag: 'promise_to_pay',
      date: '2026-12-01',
    });
    expect(result.success).toBe(false);
  });

  it('refuses an outcome with a misspelled field instead of dropping it (a note that would be lost)', () => {
    const result = outcomeSchemaFor(collections, 'agent').safeParse({
      tag: 'right_party_contact',
      nte: 'call back',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['nte'] });
  });

  it('refuses a survey outcome in a collections campaign', () => {
    expect(outcomeSchemaFor(collections, 'agent').safeParse({ tag: 'completed', answers: {} }).success).toBe(
      false,
    );
  });

  it('checks survey answers against the questionnaire: choice values, required questions, no extras', () => {
    const schema = outcomeSchemaFor(survey, 'agent');
    expect(schema.safeParse({ tag: 'completed', answers: { q1: 'yes' } }).success).toBe(true);
    expect(schema.safeParse({ tag: 'completed', answers: { q1: 'maybe' } }).success).toBe(false);
    expect(schema.safeParse({ tag: 'completed', answers: {} }).success).toBe(false);
    expect(schema.safeParse({ tag: 'partial', answers: {} }).success).toBe(true);
    expect(schema.safeParse({ tag: 'completed', answers: { q1: 'yes', q9: 'x' } }).success).toBe(false);
  });

  it('scores revisit satisfaction from 1 to 5 only', () => {
    const schema = outcomeSchemaFor(campaign({ type: 'revisit' }), 'agent');
    expect(schema.safeParse({ tag: 'satisfaction', score: 5 }).success).toBe(true);
    expect(schema.safeParse({ tag: 'satisfaction', score: 6 }).success).toBe(false);
  });

  it('accepts a reminder rescheduled to a time', () => {
    const schema = outcomeSchemaFor(campaign({ type: 'reminder' }), 'agent');
    expect(schema.safeParse({ tag: 'rescheduled', to: '2026-12-02T09:30:00Z' }).success).toBe(true);
  });

  it('keeps engine-only outcomes away from agents', () => {
    expect(outcomeSchemaFor(collections, 'agent').safeParse({ tag: 'abandoned' }).success).toBe(false);
    expect(outcomeSchemaFor(collections, 'engine').safeParse({ tag: 'abandoned' }).success).toBe(true);
    expect(agentTags(collections)).toContain('opt_out');
    expect(agentTags(collections)).not.toContain('busy');
  });
});

describe('retry policy', () => {
  const ctx = { definition: collections, attempts: 1, agentId: 4, now };

  it('retries a busy number after the campaign delay', () => {
    const decision = applyOutcome({ tag: 'busy' }, ctx);
    expect(decision).toMatchObject({ final: false, status: 'ready', optOut: false });
    expect(decision.nextAttemptAt).toEqual(new Date('2026-11-25T15:30:00Z'));
  });

  it('uses the campaign file delay over the default', () => {
    const custom = campaign({ attempts: { retryMinutes: { no_answer: 10 } } });
    const decision = applyOutcome({ tag: 'no_answer' }, { ...ctx, definition: custom });
    expect(decision.nextAttemptAt).toEqual(new Date('2026-11-25T15:10:00Z'));
  });

  it('exhausts a contact at the attempt limit', () => {
    const decision = applyOutcome(
      { tag: 'no_answer' },
      { ...ctx, attempts: collections.attempts.maxPerContact },
    );
    expect(decision).toMatchObject({ final: true, status: 'exhausted', nextAttemptAt: null });
  });

  it('ends the contact on a final business outcome', () => {
    expect(applyOutcome({ tag: 'paid' }, ctx)).toMatchObject({ final: true, status: 'done' });
  });

  it('puts an opt-out on the do-not-call list and blocks the contact', () => {
    expect(applyOutcome({ tag: 'opt_out' }, ctx)).toMatchObject({
      final: true,
      status: 'blocked',
      optOut: true,
    });
  });

  it('never redials an invalid or wrong number', () => {
    expect(applyOutcome({ tag: 'invalid_number' }, ctx)).toMatchObject({ final: true, status: 'blocked' });
    expect(applyOutcome({ tag: 'wrong_number' }, ctx)).toMatchObject({ final: true, status: 'blocked' });
  });

  it('schedules a personal callback back to the tagging agent', () => {
    const at = '2026-11-26T10:00:00Z';
    expect(applyOutcome({ tag: 'callback', at, personal: true }, ctx)).toMatchObject({
      final: false,
      status: 'ready',
      nextAttemptAt: new Date(at),
      callback: { dueAt: new Date(at), agentId: 4 },
    });
    expect(applyOutcome({ tag: 'callback', at, personal: false }, ctx).callback).toEqual({
      dueAt: new Date(at),
      agentId: null,
    });
  });

  it('counts a reminder left on a machine as delivered', () => {
    const reminder = campaign({
      type: 'reminder',
      mode: 'agentless',
      questions: [{ id: 'c', prompt: 'p', choices: { '1': 'confirmed' } }],
    });
    expect(
      applyOutcome({ tag: 'machine', messageLeft: true }, { ...ctx, definition: reminder }),
    ).toMatchObject({
      final: true,
      status: 'done',
      reason: 'message_delivered',
    });
    expect(applyOutcome({ tag: 'machine', messageLeft: true }, ctx)).toMatchObject({ final: false });
  });

  it('retries a call nobody tagged in time', () => {
    expect(applyOutcome({ tag: 'no_outcome' }, ctx)).toMatchObject({ final: false, status: 'ready' });
  });
});
