import { z } from 'zod';
import { ValidationError } from '../platform/errors.ts';
import { FIELD_LIMITS } from '../platform/field-limits.ts';

/**
 * A campaign's evaluation form: criteria with weights and the points each can get, and the
 * pass mark (percent). Scoring is pure: points per criterion → a weighted percentage → passed.
 */
export const qaFormSchema = z
  .strictObject({
    name: z.string().min(1).max(FIELD_LIMITS.name),
    /** Weighted score (0–100) at or above which an evaluation passes. */
    passMark: z.number().min(0).max(100),
    criteria: z
      .array(
        z.strictObject({
          id: z
            .string()
            .max(FIELD_LIMITS.code)
            .regex(/^[a-z0-9_]+$/, 'must be lower-case letters, digits and _'),
          label: z.string().min(1).max(FIELD_LIMITS.name),
          /** Relative weight of the criterion in the score. */
          weight: z.number().positive().max(1000),
          /** Points the criterion is scored out of (0 … maxPoints). */
          maxPoints: z.number().int().min(1).max(100).default(5),
        }),
      )
      .min(1)
      .max(100),
  })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    form.criteria.forEach((c, i) => {
      if (seen.has(c.id))
        ctx.addIssue({ code: 'custom', path: ['criteria', i, 'id'], message: `duplicate criterion ${c.id}` });
      seen.add(c.id);
    });
  });

export type QaForm = z.infer<typeof qaFormSchema>;

export interface QaScore {
  /** Points per criterion, as given. */
  scores: Record<string, number>;
  /** Weighted percentage 0–100, rounded to 0.1. */
  score: number;
  passed: boolean;
}

/**
 * Scores an evaluation against the form. Every criterion must be scored, each with a whole
 * number of points from 0 to its maximum; an unknown criterion is refused (a typo is not a 0).
 */
export function scoreEvaluation(form: QaForm, points: Record<string, number>): QaScore {
  const problems: string[] = [];
  for (const key of Object.keys(points)) {
    if (!form.criteria.some((c) => c.id === key))
      problems.push(`${key}: not a criterion of form "${form.name}"`);
  }
  let weighted = 0;
  let totalWeight = 0;
  for (const c of form.criteria) {
    const p = points[c.id];
    if (p === undefined) {
      problems.push(`${c.id}: not scored (0–${c.maxPoints})`);
      continue;
    }
    if (!Number.isInteger(p) || p < 0 || p > c.maxPoints) {
      problems.push(`${c.id}: ${p} is not a whole number from 0 to ${c.maxPoints}`);
      continue;
    }
    weighted += c.weight * (p / c.maxPoints);
    totalWeight += c.weight;
  }
  if (problems.length > 0) {
    throw new ValidationError(`evaluation is invalid: ${problems.join('; ')}`, problems);
  }
  const score = Math.round((weighted / totalWeight) * 1000) / 10;
  return { scores: { ...points }, score, passed: score >= form.passMark };
}
