import { describe, expect, it } from 'vitest';
import { addSample, cdf, emptyHistogram, quantile } from '../../engine/pacing/histogram.ts';
import {
  answerProbability,
  createStatistics,
  RECENT_ABANDONMENT_HALF_LIFE,
  recentAbandonRate,
  routedShare,
  updateStatistics,
} from '../../engine/pacing/statistics.ts';
import { trainedStatistics } from './support.ts';

describe('pacing statistics', () => {
  it('estimates the answer probability and the share of answers routed to agents', () => {
    let stats = createStatistics();
    for (let i = 0; i < 100; i++) {
      stats = updateStatistics(
        stats,
        i % 4 === 0
          ? { kind: 'answered', ringSeconds: 6, party: i % 8 === 0 ? 'machine' : 'human' }
          : { kind: 'unanswered', seconds: 25 },
      );
    }
    expect(answerProbability(stats)).toBeCloseTo(0.25, 1);
    expect(routedShare(stats)).toBeCloseTo(0.5, 1);
    expect(stats.totals).toMatchObject({ attempts: 100, answered: 25, routed: 12 });
  });

  it('follows a fall in the answer rate within three half-lives', () => {
    const before = trainedStatistics({ attempts: 3000, answerRate: 0.3 });
    expect(answerProbability(before)).toBeCloseTo(0.3, 1);
    const after = trainedStatistics({ attempts: 1200, answerRate: 0.05 }, before);
    expect(answerProbability(after)).toBeLessThan(0.1);
  });

  it('never modifies the statistics it is given', () => {
    const stats = trainedStatistics({ attempts: 100, answerRate: 0.5 });
    const copy = JSON.stringify(stats);
    updateStatistics(stats, { kind: 'talk', seconds: 30 });
    updateStatistics(stats, { kind: 'abandoned' });
    expect(JSON.stringify(stats)).toBe(copy);
  });

  it('raises the controller threshold with each routed answer and lowers it with each abandoned call', () => {
    const start = createStatistics({ targetAbandonRate: 0.025 });
    const answered = updateStatistics(start, { kind: 'answered', ringSeconds: 5, party: 'human' });
    const abandoned = updateStatistics(answered, { kind: 'abandoned' });
    expect(answered.control.logThreshold).toBeGreaterThan(start.control.logThreshold);
    expect(abandoned.control.logThreshold).toBeLessThan(answered.control.logThreshold);
    // At exactly the target rate (1 abandoned in 40 routed) the threshold comes back where it was.
    let s = start;
    for (let i = 0; i < 40; i++)
      s = updateStatistics(s, { kind: 'answered', ringSeconds: 5, party: 'human' });
    s = updateStatistics(s, { kind: 'abandoned' });
    expect(s.control.logThreshold).toBeCloseTo(start.control.logThreshold, 10);
  });

  it('keeps a short-memory abandonment rate over routed answers, older calls weighing less', () => {
    const routed = { kind: 'answered', ringSeconds: 5, party: 'human' } as const;
    let s = createStatistics({ targetAbandonRate: 0.025 });
    for (let i = 0; i < 100; i++) s = updateStatistics(s, routed);
    for (let i = 0; i < 5; i++) s = updateStatistics(s, { kind: 'abandoned' });
    expect(recentAbandonRate(s.control)).toBeCloseTo(0.05, 2);
    // A machine verdict is no routed answer: the rate does not move.
    expect(recentAbandonRate(updateStatistics(s, { ...routed, party: 'machine' }).control)).toBe(
      recentAbandonRate(s.control),
    );
    // After one half-life of clean routed answers the old abandons weigh half.
    for (let i = 0; i < RECENT_ABANDONMENT_HALF_LIFE; i++) s = updateStatistics(s, routed);
    expect(s.control.recentAbandoned).toBeCloseTo(2.5, 6);
  });

  it('keeps the controller threshold within its bounds however long it is starved or flooded', () => {
    let s = createStatistics();
    for (let i = 0; i < 5000; i++) s = updateStatistics(s, { kind: 'abandoned' });
    expect(Math.exp(s.control.logThreshold)).toBeCloseTo(0.001, 6);
    for (let i = 0; i < 100_000; i++)
      s = updateStatistics(s, { kind: 'answered', ringSeconds: 5, party: 'human' });
    expect(Math.exp(s.control.logThreshold)).toBeCloseTo(0.5, 6);
  });

  it('counts an answer that ended during AMD in the answer rate, not in the routed share or the ring-time law', () => {
    const start = createStatistics();
    const s = updateStatistics(start, { kind: 'answered', ringSeconds: null, party: 'undetermined' });
    expect(s.answered).toBe(1);
    expect(s.attempts).toBe(1);
    expect(s.routed).toBe(0);
    expect(s.ringToAnswer).toEqual(start.ringToAnswer);
    expect(s.control).toEqual(start.control);
  });

  it('is plain JSON: a persisted copy decides the same', () => {
    const stats = trainedStatistics({ attempts: 500, answerRate: 0.2 });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});

describe('decayed histogram', () => {
  it('gives the distribution of its samples, linear within a bin', () => {
    let h = emptyHistogram(1, 10);
    for (const s of [1.5, 2.5, 3.5, 4.5]) h = addSample(h, s, 1);
    expect(cdf(h, 1)).toBe(0);
    expect(cdf(h, 3)).toBeCloseTo(0.5, 10);
    expect(cdf(h, 3.5)).toBeCloseTo(0.625, 10);
    expect(cdf(h, 5)).toBeCloseTo(1, 10);
    expect(quantile(h, 0.5)).toBeCloseTo(3, 10);
  });

  it('answers correctly however many histograms are looked up in turn (its table cache is bounded)', () => {
    const histograms = Array.from({ length: 12 }, (_, i) => addSample(emptyHistogram(1, 20), i + 0.5, 1));
    for (let round = 0; round < 3; round++) {
      histograms.forEach((h, i) => {
        expect(cdf(h, i)).toBe(0);
        expect(cdf(h, i + 1)).toBeCloseTo(1, 10);
      });
    }
  });

  it('forgets old samples: with half-life 1 the older half weighs half', () => {
    let h = emptyHistogram(1, 10);
    h = addSample(h, 1.5, 0.5);
    h = addSample(h, 5.5, 0.5);
    expect(h.total).toBeCloseTo(1.5, 10);
    expect(cdf(h, 2)).toBeCloseTo(1 / 3, 10);
  });

  it('stays exact over a very long run (the lazy scale is folded back before it underflows)', () => {
    let h = emptyHistogram(1, 10);
    for (let i = 0; i < 20_000; i++) h = addSample(h, i % 2 === 0 ? 2.5 : 7.5, 0.98);
    expect(cdf(h, 5)).toBeCloseTo(0.98 / 1.98, 6);
  });
});
