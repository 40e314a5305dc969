import { z } from 'zod';
import type { CampaignDefinition, CampaignType } from '../campaign-definition.ts';
import { collectionsOutcomes } from './collections-outcome.ts';
import { agentCommonOutcomes, systemOutcomes } from './common-outcomes.ts';
import { reminderOutcomes } from './reminder-outcome.ts';
import { revisitOutcomes } from './revisit-outcome.ts';
import { surveyOutcomes } from './survey-outcome.ts';

function typeOutcomes(definition: Pick<CampaignDefinition, 'type' | 'questions'>) {
  switch (definition.type) {
    case 'survey':
      return surveyOutcomes(definition.questions);
    case 'collections':
      return collectionsOutcomes;
    case 'reminder':
      return reminderOutcomes;
    case 'revisit':
      return revisitOutcomes;
  }
}

/**
 * The outcome schema of one campaign: its type's outcomes plus the common ones, discriminated
 * by `tag`. `who: 'agent'` leaves out the outcomes only the engine records (busy, abandoned…),
 * so an agent cannot claim a call was abandoned.
 */
export function outcomeSchemaFor(
  definition: Pick<CampaignDefinition, 'type' | 'questions'>,
  who: 'agent' | 'engine' = 'engine',
) {
  const options = [
    ...typeOutcomes(definition),
    ...agentCommonOutcomes,
    ...(who === 'engine' ? systemOutcomes : []),
  ];
  return z.discriminatedUnion('tag', options as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

export type Outcome = { tag: string } & Record<string, unknown>;

/** Tags an agent may choose from in a campaign of this type (for help texts and forms). */
export function agentTags(definition: Pick<CampaignDefinition, 'type' | 'questions'>): string[] {
  return [...typeOutcomes(definition), ...agentCommonOutcomes].map((o) => String(o.shape.tag.value));
}

export const typeTags: Record<CampaignType, readonly string[]> = {
  survey: ['completed', 'partial', 'refused'],
  collections: ['right_party_contact', 'promise_to_pay', 'paid', 'dispute', 'refused', 'wrong_party'],
  reminder: ['confirmed', 'declined', 'rescheduled', 'message_delivered'],
  revisit: ['satisfaction', 'feedback', 'complaint_raised', 'callback_requested'],
};
