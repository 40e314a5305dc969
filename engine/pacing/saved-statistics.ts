import { z } from 'zod';
import { createStatistics, type PacingStatistics, type StatisticsOptions } from './statistics.ts';

const finite = z.number().finite();
const count = finite.min(0);
const histogram = z.strictObject({
  binSeconds: finite.positive(),
  weights: z.array(count).min(1),
  scale: finite.positive(),
  total: count,
});

/** The persisted statistics (version 1), checked field by field before the pacer trusts them. */
const savedStatisticsSchema = z.strictObject({
  version: z.literal(1),
  halfLives: z.strictObject({
    answerRate: count,
    recentAnswerRate: count,
    answers: count,
    durations: count,
  }),
  attempts: count,
  answered: count,
  recentAttempts: count,
  recentAnswered: count,
  answers: count,
  routed: count,
  ringToAnswer: histogram,
  unansweredDuration: histogram,
  talk: histogram,
  wrapUp: histogram,
  // Saved before the recent rate existed: it starts empty.
  control: z.strictObject({
    target: finite.min(0).max(1),
    logThreshold: finite,
    recentRouted: count.default(0),
    recentAbandoned: count.default(0),
  }),
  totals: z.strictObject({
    attempts: count,
    answered: count,
    routed: count,
    talks: count,
    wrapUps: count,
    abandoned: count,
  }),
});

export type RestoredStatistics =
  | { readonly warm: true; readonly stats: PacingStatistics }
  | { readonly warm: false; readonly stats: PacingStatistics; readonly reason: 'none' | 'invalid' };

/**
 * The statistics a campaign's runner starts from: the saved ones (a warm start) when they are
 * valid, else fresh ones. The abandonment controller always aims at the campaign's current
 * target (it may have been edited since the save); what it has learnt (its threshold) is kept.
 */
export function restoreStatistics(saved: unknown, options: StatisticsOptions = {}): RestoredStatistics {
  if (saved === undefined || saved === null)
    return { warm: false, stats: createStatistics(options), reason: 'none' };
  const parsed = savedStatisticsSchema.safeParse(saved);
  if (!parsed.success) return { warm: false, stats: createStatistics(options), reason: 'invalid' };
  const stats = parsed.data as PacingStatistics;
  const target = options.targetAbandonRate ?? stats.control.target;
  return { warm: true, stats: { ...stats, control: { ...stats.control, target } } };
}
