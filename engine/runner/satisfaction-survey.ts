import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { insertCallFact } from '../../db/queries/recordings.ts';
import type { Database } from '../../db/schema.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import type { CallContext } from './call-context.ts';
import { awaitLater, type EngineClock } from './engine-clock.ts';

/** A satisfaction answer: the key pressed, as a score 1–5, or why there is none. */
export type SatisfactionAnswer =
  | { score: number }
  | { score: null; reason: 'no-key' | 'invalid-key' | 'hangup' };

/** The score a key stands for (pure): 1–5, anything else is no score. */
export function satisfactionScore(digits: string): number | null {
  return /^[1-5]$/.test(digits) ? Number(digits) : null;
}

export interface SatisfactionDeps {
  db: Kysely<Database>;
  telephony: Pick<TelephonyPort, 'collectDtmf'>;
  clock: EngineClock;
  campaignId: number;
  definition: Pick<CampaignDefinition, 'satisfaction'>;
}

/**
 * The post-call service evaluation: plays the campaign's prompt and waits for one key. A score
 * 1–5 is stored with the call (call_facts `satisfaction`), as is an unanswered prompt (score
 * null, with why), so reports can tell "asked, no answer" from "never asked".
 */
export async function runSatisfactionSurvey(
  d: SatisfactionDeps,
  call: CallContext,
): Promise<SatisfactionAnswer> {
  const settings = d.definition.satisfaction;
  const result = await awaitLater(
    d.clock,
    d.telephony.collectDtmf(call.attemptId, {
      prompt: [settings.prompt],
      maxDigits: 1,
      // The adapter waits in real time; the campaign thinks in engine time.
      timeoutMs: Math.max(50, (settings.timeoutSeconds * 1000) / d.clock.speed),
    }),
  ).catch(() => ({ digits: '', reason: 'hangup' as const }));
  const score = satisfactionScore(result.digits);
  const answer: SatisfactionAnswer =
    score !== null
      ? { score }
      : {
          score: null,
          reason: result.reason === 'hangup' ? 'hangup' : result.digits ? 'invalid-key' : 'no-key',
        };
  await insertCallFact(d.db, {
    attemptId: call.dbId,
    campaignId: d.campaignId,
    kind: 'satisfaction',
    data: { ...answer },
    at: d.clock.now(),
  }).catch((error: unknown) => call.log.error({ err: error }, 'could not store the satisfaction score'));
  return answer;
}
