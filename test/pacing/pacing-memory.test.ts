import { describe, expect, it } from 'vitest';
import { loadPacingStatistics, savePacingStatistics } from '../../db/queries/pacing-statistics.ts';
import { restoreStatistics } from '../../engine/pacing/saved-statistics.ts';
import { createStatistics } from '../../engine/pacing/statistics.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { PacingMemory } from '../../engine/runner/pacing-memory.ts';
import { makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { trainedStatistics } from './support.ts';

const trained = () =>
  trainedStatistics({ attempts: 600, answerRate: 0.3 }, createStatistics({ targetAbandonRate: 0.02 }));

describe('restoring saved pacer statistics', () => {
  it('starts warm from valid saved statistics, aiming at the campaign’s current target', () => {
    const saved = JSON.parse(JSON.stringify(trained()));
    const restored = restoreStatistics(saved, { targetAbandonRate: 0.01 });
    expect(restored.warm).toBe(true);
    expect(restored.stats.totals).toEqual(saved.totals);
    expect(restored.stats.ringToAnswer).toEqual(saved.ringToAnswer);
    expect(restored.stats.control).toEqual({ ...saved.control, target: 0.01 });
  });

  it('starts warm from statistics saved before the recent abandonment rate existed, with it empty', () => {
    const saved = JSON.parse(JSON.stringify(trained()));
    delete saved.control.recentRouted;
    delete saved.control.recentAbandoned;
    const restored = restoreStatistics(saved, { targetAbandonRate: 0.02 });
    expect(restored.warm).toBe(true);
    expect(restored.stats.control).toMatchObject({ recentRouted: 0, recentAbandoned: 0 });
  });

  it('starts cold when nothing was saved', () => {
    const restored = restoreStatistics(undefined, { targetAbandonRate: 0.02 });
    expect(restored).toMatchObject({ warm: false, reason: 'none' });
    expect(restored.stats).toEqual(createStatistics({ targetAbandonRate: 0.02 }));
  });

  it('starts cold, not on garbage, when the saved value is not valid statistics', () => {
    const saved = { ...JSON.parse(JSON.stringify(trained())), attempts: -3 };
    const restored = restoreStatistics(saved, { targetAbandonRate: 0.02 });
    expect(restored).toMatchObject({ warm: false, reason: 'invalid' });
    expect(restored.stats.totals.attempts).toBe(0);
    expect(restoreStatistics({ version: 2 }).warm).toBe(false);
  });
});

describeEachDatabase('pacer statistics kept with the campaign', (database) => {
  it('a runner that starts again reads what the previous one saved (warm start)', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db, { mode: 'predictive' });
    const first = new PacingMemory(db, campaign.id, silentLogger(), 60);
    expect((await first.load(0.02, new Date('2026-11-25T09:00:00Z'))).totals.routed).toBe(0);
    const stats = trained();
    await first.save(stats, new Date('2026-11-25T10:00:00Z'));

    const second = new PacingMemory(db, campaign.id, silentLogger(), 60);
    const restored = await second.load(0.02, new Date('2026-11-25T11:00:00Z'));
    expect(restored).toEqual(stats);
    expect(restored.totals.routed).toBeGreaterThan(100);
  });

  it('saves while running no more often than asked, and replaces the saved value', async () => {
    const { db } = database();
    const { campaign } = await makeCampaign(db, { mode: 'predictive' });
    const memory = new PacingMemory(db, campaign.id, silentLogger(), 60);
    const start = new Date('2026-11-25T09:00:00Z');
    await memory.load(0.02, start);
    const stats = trained();
    await memory.saveIfDue(stats, new Date(start.getTime() + 59_000));
    expect(await loadPacingStatistics(db, campaign.id)).toBeUndefined();
    await memory.saveIfDue(stats, new Date(start.getTime() + 60_000));
    expect((await loadPacingStatistics(db, campaign.id))?.statistics).toEqual(stats);

    await savePacingStatistics(db, campaign.id, createStatistics(), new Date(start.getTime() + 61_000));
    const saved = await loadPacingStatistics(db, campaign.id);
    expect(saved?.statistics).toEqual(createStatistics());
    expect(saved?.savedAt).toEqual(new Date(start.getTime() + 61_000));
  });
});
