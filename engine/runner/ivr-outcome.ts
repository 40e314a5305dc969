import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { Outcome } from '../../campaigns/outcomes/outcome-schema.ts';

/**
 * The outcome of an agentless call from the keys the person pressed (question id → choice
 * value). Pure. A reminder: "press 1 to confirm, 2 to reschedule"; a survey: the answers; a
 * revisit: the satisfaction score 1–5 (the first answer that is a number from 1 to 5).
 */
export function ivrOutcome(
  definition: Pick<CampaignDefinition, 'type' | 'questions'>,
  answers: Record<string, string>,
): Outcome {
  const values = Object.values(answers);
  switch (definition.type) {
    case 'reminder': {
      const value = values[0]?.toLowerCase() ?? '';
      if (value.startsWith('confirm')) return { tag: 'confirmed' };
      if (value.startsWith('resched')) return { tag: 'rescheduled' };
      if (value.startsWith('declin') || value.startsWith('cancel')) return { tag: 'declined' };
      return { tag: 'message_delivered' };
    }
    case 'survey': {
      if (values.length === 0) return { tag: 'partial', answers: {} };
      const complete = definition.questions.every((q) => !q.required || answers[q.id] !== undefined);
      return { tag: complete ? 'completed' : 'partial', answers };
    }
    case 'revisit': {
      const score = values.map((v) => Number(v)).find((n) => Number.isInteger(n) && n >= 1 && n <= 5);
      return score !== undefined ? { tag: 'satisfaction', score } : { tag: 'no_outcome' };
    }
    case 'collections':
      // No automated collections script: a person must establish who answered.
      return { tag: 'no_outcome' };
  }
}
