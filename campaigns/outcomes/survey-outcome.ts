import { z } from 'zod';
import type { CampaignDefinition } from '../campaign-definition.ts';

type Question = CampaignDefinition['questions'][number];

/**
 * Answers to the campaign's questionnaire: keys are question ids; a question with DTMF choices
 * takes one of its choice values, a free question takes text.
 */
export function surveyAnswersSchema(questions: readonly Question[], requireAll: boolean) {
  const shape: Record<string, z.ZodType> = {};
  for (const q of questions) {
    const values = q.choices ? Object.values(q.choices) : [];
    const answer = values.length > 0 ? z.enum(values as [string, ...string[]]) : z.string().min(1).max(2000);
    shape[q.id] = requireAll && q.required ? answer : answer.optional();
  }
  return z.strictObject(shape);
}

export function surveyOutcomes(questions: readonly Question[]) {
  return [
    z.strictObject({ tag: z.literal('completed'), answers: surveyAnswersSchema(questions, true) }),
    z.strictObject({ tag: z.literal('partial'), answers: surveyAnswersSchema(questions, false) }),
    z.strictObject({ tag: z.literal('refused') }),
  ] as const;
}
