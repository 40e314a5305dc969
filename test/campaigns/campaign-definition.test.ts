import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CampaignDefinitionInput,
  campaignDefinitionSchema,
  requiresConsent,
} from '../../campaigns/campaign-definition.ts';
import { campaignAbandonmentDefinition } from '../../engine/compliance/abandonment.ts';
import { ValidationError } from '../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../engine/platform/field-limits.ts';
import { parseOrThrow } from '../../engine/platform/zod-error.ts';

const examplesDir = join(import.meta.dirname, '../../campaigns/examples');

const minimal: CampaignDefinitionInput = {
  name: 'Test',
  client: 'acme',
  type: 'survey',
  mode: 'progressive',
  dialing: { callerId: '+12125550100' },
};

function errorOf(input: unknown): ValidationError {
  try {
    parseOrThrow(campaignDefinitionSchema, input, 'campaign file');
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('campaign definition', () => {
  it('accepts every example campaign', () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const parsed = campaignDefinitionSchema.safeParse(
        JSON.parse(readFileSync(join(examplesDir, file), 'utf8')),
      );
      expect(parsed.success, `${file}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('fills the regulatory defaults of DESIGN.md §5', () => {
    const d = campaignDefinitionSchema.parse(minimal);
    expect(d.dialing.ringTimeoutSeconds).toBeGreaterThanOrEqual(15);
    expect(d.abandon).toMatchObject({ connectWithinSeconds: 2, maxRate: 0.03 });
    // Counted as the jurisdiction's regulator counts (US by default): 30 days, persons AMD hung up on answered.
    expect(campaignAbandonmentDefinition(d)).toMatchObject({
      name: 'us',
      window: '30d',
      amdFalsePositives: 'answered',
    });
    expect(d.callingWindow).toMatchObject({ start: '09:00', end: '20:00' });
    expect(d.retentionDays).toBeGreaterThanOrEqual(365);
    expect(d.dialing.amd.enabled).toBe(false);
  });

  it('names the field path when a ring timeout is under 15 seconds', () => {
    const error = errorOf({ ...minimal, dialing: { callerId: '+1', ringTimeoutSeconds: 10 } });
    expect(error.message).toMatch(
      /^campaign file is invalid: dialing\.ringTimeoutSeconds: must be at least 15/,
    );
  });

  it('refuses an unknown campaign type, naming the allowed ones', () => {
    const error = errorOf({ ...minimal, type: 'telesales' });
    expect(error.message).toContain('type:');
    expect(error.message).toContain('collections');
  });

  it('refuses an unknown time zone and a window that ends before it starts', () => {
    expect(errorOf({ ...minimal, defaultTimeZone: 'Mars/Olympus' }).message).toContain('defaultTimeZone');
    const window = errorOf({ ...minimal, callingWindow: { start: '20:00', end: '09:00' } });
    expect(window.message).toContain('callingWindow.end');
  });

  it('requires DTMF questions for an agentless campaign', () => {
    expect(errorOf({ ...minimal, mode: 'agentless' }).message).toContain('questions');
    const noChoices = errorOf({
      ...minimal,
      mode: 'agentless',
      questions: [{ id: 'q1', prompt: 'sound:q1' }],
    });
    expect(noChoices.message).toContain('questions.0.choices');
  });

  it('refuses a misspelled key inside a block, naming its path, instead of applying the default', () => {
    const error = errorOf({ ...minimal, attempts: { maxPerContat: 1 } });
    expect(error.message).toBe('campaign file is invalid: attempts.maxPerContat: unknown key');
  });

  it('refuses a key in the wrong case (maxrate for maxRate)', () => {
    expect(errorOf({ ...minimal, abandon: { maxrate: 0.01 } }).message).toContain(
      'abandon.maxrate: unknown key',
    );
  });

  it('refuses unknown keys at every depth: top level, dialing.amd, questions, recording', () => {
    expect(errorOf({ ...minimal, nmae: 'x' }).issues).toEqual(['nmae: unknown key']);
    expect(errorOf({ ...minimal, dialing: { callerId: '+1', amd: { enable: true } } }).issues).toEqual([
      'dialing.amd.enable: unknown key',
    ]);
    const question = errorOf({ ...minimal, questions: [{ id: 'q1', prompt: 'p', requried: false }] });
    expect(question.issues).toEqual(['questions.0.requried: unknown key']);
    expect(errorOf({ ...minimal, recording: { enabeld: true } }).issues).toEqual([
      'recording.enabeld: unknown key',
    ]);
  });

  it('refuses a retry delay for an outcome that does not exist (a misspelled tag)', () => {
    const error = errorOf({ ...minimal, attempts: { retryMinutes: { no_anwser: 60 } } });
    expect(error.issues[0]).toMatch(
      /^attempts\.retryMinutes\.no_anwser: unknown key \(the retried outcomes are no_answer, busy/,
    );
  });

  it('refuses a client code, a name and a caller id longer than their limits, saying the limit', () => {
    expect(errorOf({ ...minimal, client: 'a'.repeat(5000) }).issues).toEqual([
      `client: must be at most ${FIELD_LIMITS.code} characters`,
    ]);
    expect(errorOf({ ...minimal, name: 'n'.repeat(FIELD_LIMITS.name + 1) }).message).toContain(
      `name: must be at most ${FIELD_LIMITS.name} characters`,
    );
    expect(
      errorOf({ ...minimal, dialing: { callerId: '1'.repeat(FIELD_LIMITS.callerId + 1) } }).message,
    ).toContain('dialing.callerId: must be at most');
    expect(
      campaignDefinitionSchema.safeParse({ ...minimal, client: 'a'.repeat(FIELD_LIMITS.code) }).success,
    ).toBe(true);
  });

  it('requires consent evidence only in the CN jurisdiction', () => {
    expect(requiresConsent({ jurisdiction: 'CN' })).toBe(true);
    expect(requiresConsent({ jurisdiction: 'US' })).toBe(false);
  });
});
