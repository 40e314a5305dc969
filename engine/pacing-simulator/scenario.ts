import { z } from 'zod';
import { abandonSchema, pacingSchema } from '../../campaigns/campaign-definition.ts';
import { distributionSchema } from './distributions.ts';

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (24-hour)');

export function secondsOfDay(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60;
}

const shiftSchema = z
  .strictObject({
    agents: z.number().int().min(1).max(2000),
    start: timeOfDay,
    end: timeOfDay,
  })
  .refine((s) => s.start < s.end, { message: 'start must be before end', path: ['end'] });

/**
 * A simulated campaign: who works when, how the called people behave, and the pacing settings
 * (the campaign file's `pacing` and `abandon` blocks). Files live in campaigns/scenarios/.
 * Strict, as campaign files are: an unknown key is an error naming its path.
 */
export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  days: z.number().int().min(1).max(400),
  /** Agents log in at the start of their shift and leave when their last call is tagged after its end. */
  shifts: z.array(shiftSchema).min(1),
  answer: z.strictObject({
    /** Probability that an attempt is answered (by a person or a machine). */
    probability: z.number().min(0).max(1),
    /** From `at` (time of day) on, the probability becomes `probability`: a step schedule. */
    changes: z.array(z.strictObject({ at: timeOfDay, probability: z.number().min(0).max(1) })).default([]),
    /**
     * Smooth drift instead of steps: the probability moves linearly from one point to the next
     * (`probability` holds at the first shift start, each change is reached at its `at`).
     */
    smooth: z.boolean().default(false),
    /** Ring seconds before an answer; draws longer than the ring timeout are not answered. */
    ringSeconds: distributionSchema,
    /**
     * Drift across days (and within them, smoothly): the probability in force is multiplied by
     * 1 + amplitude · sin(2π (t − phaseDays) / periodDays), t in days since the run began (time of
     * day included), and kept within [0, 1].
     */
    drift: z
      .strictObject({
        amplitude: z.number().min(0).max(1),
        periodDays: z.number().positive().max(400),
        phaseDays: z.number().default(0),
      })
      .optional(),
    /**
     * Seconds of silence a person bears after answering before hanging up: during AMD, or
     * waiting for an agent (such a person is not abandoned, but is lost to the campaign).
     */
    patienceSeconds: distributionSchema.default({ kind: 'lognormal', mean: 10, sd: 5, minSeconds: 2 }),
  }),
  unanswered: z
    .strictObject({
      /** Share of unanswered attempts that end early (busy, congestion, failure). */
      earlyEndShare: z.number().min(0).max(1).default(0.15),
      earlyEndSeconds: distributionSchema.default({ kind: 'uniform', min: 1, max: 6 }),
    })
    .prefault({}),
  ringTimeoutSeconds: z.number().min(15).max(120).default(25),
  talkSeconds: distributionSchema,
  wrapUpSeconds: distributionSchema,
  machine: z
    .strictObject({
      /** Share of answers that are answering machines. */
      share: z.number().min(0).max(1).default(0),
      /** Seconds an agent spends on a machine routed to them before hanging up. */
      agentSeconds: distributionSchema.default({ kind: 'uniform', min: 4, max: 12 }),
      amd: z
        .strictObject({
          enabled: z.boolean().default(false),
          /** P(a person is classified as a person): the rest are hung up on. */
          humanAccuracy: z.number().min(0).max(1).default(0.97),
          /** P(a machine is classified as a machine): the rest go to an agent. */
          machineAccuracy: z.number().min(0).max(1).default(0.85),
          seconds: distributionSchema.default({ kind: 'uniform', min: 2, max: 4 }),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Numbers available for dialing each day; dialing stops for the day when they run out. */
  listSize: z.number().int().min(1).default(1_000_000),
  /**
   * The list as one whole over the run instead of `listSize` fresh numbers a day: numbers nobody
   * answered (no answer, busy) are dialed again after `retryAfterMinutes`, up to `maxAttempts`
   * in all; a number answered (by anyone) is done. When every number is done or waiting for its
   * retry, dialing stops (list exhaustion) until a retry is due, the next day included.
   */
  list: z
    .strictObject({
      numbers: z.number().int().min(1).max(10_000_000),
      maxAttempts: z.number().int().min(1).max(20).default(3),
      retryAfterMinutes: z
        .number()
        .min(0)
        .max(14 * 24 * 60)
        .default(240),
    })
    .optional(),
  /** Agents who differ, and who pause unannounced. */
  agents: z
    .strictObject({
      /**
       * Each agent's own talk and wrap-up laws: the scenario's, scaled by a factor drawn once per
       * agent (lognormal, mean 1, this coefficient of variation; 0: every agent alike).
       */
      talkSpread: z.number().min(0).max(2).default(0),
      wrapUpSpread: z.number().min(0).max(2).default(0),
      /**
       * After a wrap-up, with probability `share`, the agent pauses for `seconds` instead of
       * becoming ready, without telling the dialer beforehand (logged in all the while).
       */
      pauses: z.strictObject({ share: z.number().min(0).max(1), seconds: distributionSchema }).optional(),
    })
    .prefault({}),
  /** The trunk's limits: new calls per second, and channels (calls ringing, in AMD, waiting or connected). */
  trunk: z
    .strictObject({
      callsPerSecond: z.number().int().min(1).optional(),
      channels: z.number().int().min(1).optional(),
    })
    .prefault({}),
  /**
   * Per-number calling windows: each number is in one of `zones` (by share, offset from the
   * campaign's clock in hours) and may be dialed only between `start` and `end` of its own local
   * time; a number reached outside its window is passed over.
   */
  callingWindow: z
    .strictObject({
      start: timeOfDay,
      end: timeOfDay,
      zones: z
        .array(
          z.strictObject({ share: z.number().positive(), offsetHours: z.number().int().min(-12).max(14) }),
        )
        .min(1),
    })
    .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] })
    .optional(),
  pacing: pacingSchema.prefault({}),
  abandon: abandonSchema.prefault({}),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
