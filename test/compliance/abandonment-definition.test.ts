import { describe, expect, it } from 'vitest';
import {
  abandonmentDefinition,
  abandonmentFigures,
  abandonmentWindowStart,
  campaignAbandonmentDefinition,
} from '../../engine/compliance/abandonment.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import { definition, input, NOW } from './gate-fixtures.ts';

const DAY = 86_400_000;

describe('abandonment as each regulator counts it', () => {
  it('US: persons not connected within 2 s, over person-answered calls, 30 calendar days per campaign', () => {
    const us = abandonmentDefinition('us', { amdFalsePositiveShare: 0.1 });
    expect(us).toMatchObject({ window: '30d', connectWithinSeconds: 2, maxRate: 0.03 });
    expect(abandonmentWindowStart(us, NOW)).toEqual(new Date(NOW.getTime() - 30 * DAY));
    expect(abandonmentFigures({ abandoned: 2, humanAnswered: 100, machineVerdicts: 0 }, us).rate).toBe(0.02);
    // Persons AMD hung up on answered too: the estimate of them is in the denominator only.
    const f = abandonmentFigures({ abandoned: 30, humanAnswered: 1000, machineVerdicts: 200 }, us);
    expect(f).toMatchObject({ abandoned: 30, estimatedAmdFalsePositives: 20, answered: 1020 });
    expect(f.rate).toBeCloseTo(30 / 1020);
  });

  it('UK (Ofcom): a reasoned estimate of persons AMD hung up on counts as abandoned and as answered, over 24 h', () => {
    const uk = abandonmentDefinition('uk', { amdFalsePositiveShare: 0.1 });
    expect(uk.window).toBe('24h');
    expect(abandonmentWindowStart(uk, NOW)).toEqual(new Date(NOW.getTime() - DAY));
    const f = abandonmentFigures({ abandoned: 20, humanAnswered: 1000, machineVerdicts: 100 }, uk);
    expect(f.estimatedAmdFalsePositives).toBeCloseTo(10);
    expect(f.abandoned).toBeCloseTo(30);
    expect(f.answered).toBeCloseTo(1010);
    expect(f.rate).toBeCloseTo(30 / 1010);
    expect(f.overCap).toBe(false);
    // The same calls, 2 % as recorded, are over the cap once the estimate is counted.
    const more = abandonmentFigures({ abandoned: 20, humanAnswered: 1000, machineVerdicts: 200 }, uk);
    expect(more.rate).toBeCloseTo(40 / 1020);
    expect(more.overCap).toBe(true);
  });

  it('CN: as the US by default, every field configurable', () => {
    const { name: _cn, source: _s, ...cn } = abandonmentDefinition('cn');
    const { name: _us, source: _u, ...us } = abandonmentDefinition('us');
    expect(cn).toEqual(us);
    const strict = abandonmentDefinition('cn', {
      window: '24h',
      amdFalsePositives: 'abandoned',
      maxRate: 0.01,
    });
    expect(strict).toMatchObject({ window: '24h', amdFalsePositives: 'abandoned', maxRate: 0.01 });
  });

  it('nobody answered: 0 %, never over the cap', () => {
    expect(abandonmentFigures({ abandoned: 0, humanAnswered: 0 }, abandonmentDefinition('uk'))).toMatchObject(
      {
        rate: 0,
        overCap: false,
      },
    );
  });

  it('a campaign counts by its jurisdiction’s definition unless it names one, and its own fields win', () => {
    expect(campaignAbandonmentDefinition(definition({ jurisdiction: 'UK' }))).toMatchObject({
      name: 'uk',
      window: '24h',
    });
    expect(campaignAbandonmentDefinition(definition({ jurisdiction: 'CN' })).name).toBe('cn');
    expect(campaignAbandonmentDefinition(definition({ jurisdiction: 'OTHER' })).name).toBe('us');
    const custom = campaignAbandonmentDefinition(
      definition({
        jurisdiction: 'CN',
        abandon: { definition: 'uk', window: '30d', maxRate: 0.02, amdFalsePositiveShare: 0.05 },
      }),
    );
    expect(custom).toMatchObject({ name: 'uk', window: '30d', maxRate: 0.02, amdFalsePositiveShare: 0.05 });
  });
});

describe('the gate counts abandonment by the campaign’s definition', () => {
  it('refuses predictive pacing for a UK campaign whose estimated AMD errors put it over the cap', () => {
    const facts = { abandoned: 20, humanAnswered: 1000, machineVerdicts: 200, windowStart: NOW };
    const uk = evaluateGate(
      input({ definition: { jurisdiction: 'UK' }, campaignFacts: { abandonment: facts } }),
    );
    expect(uk.predictiveAllowed).toBe(false);
    const reason = uk.results.find((r) => r.rule === 'abandonment_rate');
    expect(reason?.code).toBe('abandonment_rate.over_cap');
    expect(reason?.message).toContain('UK definition');

    const recorded = evaluateGate(
      input({
        definition: { jurisdiction: 'UK', abandon: { amdFalsePositiveShare: 0 } },
        campaignFacts: { abandonment: facts },
      }),
    );
    expect(recorded.predictiveAllowed).toBe(true);
  });
});
