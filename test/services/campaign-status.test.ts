import { describe, expect, it } from 'vitest';
import { CAMPAIGN_VERBS, nextCampaignStatus } from '../../engine/services/campaign-status.ts';

describe('campaign life cycle', () => {
  it.each([
    ['draft', 'start', 'running'],
    ['paused', 'start', 'running'],
    ['running', 'pause', 'paused'],
    ['draft', 'stop', 'stopped'],
    ['running', 'stop', 'stopped'],
    ['paused', 'stop', 'stopped'],
  ] as const)('%s --%s--> %s', (from, verb, to) => {
    expect(nextCampaignStatus(1, from, verb)).toBe(to);
  });

  it.each([
    ['running', 'start'],
    ['stopped', 'start'],
    ['finished', 'start'],
    ['draft', 'pause'],
    ['paused', 'pause'],
    ['stopped', 'stop'],
  ] as const)('refuses %s → %s as a conflict naming both', (from, verb) => {
    expect(() => nextCampaignStatus(7, from, verb)).toThrow(
      expect.objectContaining({ code: 'conflict', message: `campaign 7 is ${from}: cannot ${verb} it` }),
    );
  });

  it('offers exactly start, pause and stop', () => {
    expect(CAMPAIGN_VERBS).toEqual(['start', 'pause', 'stop']);
  });
});
