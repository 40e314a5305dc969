import { describe, expect, it } from 'vitest';
import { previewSchema } from '../../campaigns/campaign-definition.ts';
import { previewDeadline, previewDecisionNow } from '../../engine/agents/preview-timeout.ts';

const shownAt = new Date('2026-12-03T10:00:00Z');
const at = (seconds: number) => new Date(shownAt.getTime() + seconds * 1000);

describe('the preview timeout rule', () => {
  it('is a manual preview by default: no deadline, the lead waits for the agent', () => {
    const manual = previewSchema.parse({});
    expect(previewDeadline(manual, shownAt)).toBeNull();
    expect(previewDecisionNow(manual, undefined, shownAt, at(3600))).toBeNull();
  });

  it('decides for the agent at the deadline, with the campaign’s action, not a moment before', () => {
    const timed = previewSchema.parse({ timeoutSeconds: 30 });
    expect(previewDeadline(timed, shownAt)).toEqual({ at: at(30), action: 'dial' });
    expect(previewDecisionNow(timed, undefined, shownAt, at(29.999))).toBeNull();
    expect(previewDecisionNow(timed, undefined, shownAt, at(30))).toEqual({
      decision: 'accept',
      timedOut: true,
    });
    const skipping = previewSchema.parse({ timeoutSeconds: 30, onTimeout: 'skip' });
    expect(previewDecisionNow(skipping, undefined, shownAt, at(31))).toEqual({
      decision: 'skip',
      timedOut: true,
    });
  });

  it('carries out the agent’s own decision, even past the deadline', () => {
    const timed = previewSchema.parse({ timeoutSeconds: 30, onTimeout: 'dial' });
    expect(previewDecisionNow(timed, 'skip', shownAt, at(90))).toEqual({ decision: 'skip', timedOut: false });
    expect(previewDecisionNow(timed, 'accept', shownAt, at(1))).toEqual({
      decision: 'accept',
      timedOut: false,
    });
  });

  it('refuses a timeout under 5 s or over 15 min in a campaign file', () => {
    expect(previewSchema.safeParse({ timeoutSeconds: 2 }).success).toBe(false);
    expect(previewSchema.safeParse({ timeoutSeconds: 901 }).success).toBe(false);
  });
});
