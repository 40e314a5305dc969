import type { Kysely, Transaction } from 'kysely';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { type Outcome, outcomeSchemaFor } from '../../campaigns/outcomes/outcome-schema.ts';
import { ConflictError, NotFoundError, UserError } from '../../engine/platform/errors.ts';
import { parseOrThrow } from '../../engine/platform/zod-error.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { Database } from '../schema.ts';
import { recordAudit } from './audit.ts';
import { recordOptOut } from './dnc.ts';

/**
 * Corrections of recorded outcomes. An outcome row is never changed (the database refuses it;
 * migration 2026-12-02-001): a correction is a new row pointing at the record it corrects, with
 * the reason and who made it, sealed into the evidence chain like any outcome and audited. A
 * record is corrected once; a second correction corrects the newest record. Reports count each
 * call's outcome as it stands (the last correction).
 *
 * What a correction changes beyond the record: a correction to an opt-out puts the number on the
 * internal do-not-call list at once, as the original tag would have. It does not reschedule the
 * contact (its next attempt was decided when the call ended; a supervisor who wants it called
 * again or not uses the contact's own commands), and the corrected record's final / retry_at
 * stay as they were, since they describe what was done with the contact.
 */

export interface CorrectionInput {
  outcomeId: number;
  /** The outcome as it should have been: { tag, ...fields }, checked against the campaign type. */
  outcome: Record<string, unknown>;
  reason: string;
  actor: string;
  now?: Date;
}

export interface CorrectionResult {
  correctionId: number;
  corrects: number;
  from: string;
  to: string;
  optOut: boolean;
}

export async function correctOutcome(
  db: Kysely<Database>,
  input: CorrectionInput,
): Promise<CorrectionResult> {
  if (input.reason.trim() === '') throw new UserError('a correction needs a reason', 'invalid');
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const original = await trx
      .selectFrom('outcomes')
      .selectAll()
      .where('id', '=', input.outcomeId)
      .executeTakeFirst();
    if (!original) throw new NotFoundError('outcome', input.outcomeId);
    const newer = await trx
      .selectFrom('outcomes')
      .select('id')
      .where('corrects_outcome_id', '=', original.id)
      .executeTakeFirst();
    if (newer) {
      throw new ConflictError(
        `outcome ${original.id} was already corrected by record ${newer.id}; correct that one instead`,
      );
    }
    const campaign = await trx
      .selectFrom('campaigns')
      .select('config')
      .where('id', '=', original.campaign_id)
      .executeTakeFirstOrThrow();
    const definition = campaignDefinitionSchema.parse(campaign.config);
    const outcome = parseOrThrow(outcomeSchemaFor(definition, 'engine'), input.outcome, 'outcome') as Outcome;
    const { tag, ...data } = outcome;
    const optOut = tag === 'opt_out' && original.tag !== 'opt_out';
    if (optOut) {
      const contact = await trx
        .selectFrom('contacts')
        .select('phone_e164')
        .where('id', '=', original.contact_id)
        .executeTakeFirstOrThrow();
      await recordOptOut(trx, contact.phone_e164, {
        source: `correction of outcome ${original.id}`,
        attemptId: original.attempt_id,
        actor: input.actor,
        reason: 'opt_out',
      });
    }
    const correctionId = await insertCorrection(trx, {
      original,
      tag,
      data,
      reason: input.reason,
      actor: input.actor,
      now,
    });
    await recordAudit(trx, {
      actor: input.actor,
      action: 'outcome.correct',
      subject: `outcome:${original.id}`,
      details: {
        correctionId,
        attemptId: original.attempt_id,
        campaignId: original.campaign_id,
        from: original.tag,
        to: tag,
        reason: input.reason,
      },
      at: now,
    });
    return { correctionId, corrects: original.id, from: original.tag, to: tag, optOut };
  });
}

async function insertCorrection(
  trx: Transaction<Database>,
  c: {
    original: {
      id: number;
      attempt_id: number | null;
      contact_id: number;
      campaign_id: number;
      agent_id: number | null;
      final: boolean;
      retry_at: Date | null;
    };
    tag: string;
    data: Record<string, unknown>;
    reason: string;
    actor: string;
    now: Date;
  },
): Promise<number> {
  try {
    const row = await trx
      .insertInto('outcomes')
      .values({
        attempt_id: c.original.attempt_id,
        contact_id: c.original.contact_id,
        campaign_id: c.original.campaign_id,
        agent_id: c.original.agent_id,
        tag: c.tag,
        data: JSON.stringify(c.data),
        final: c.original.final,
        retry_at: c.original.retry_at,
        recorded_by: c.actor,
        recorded_at: c.now,
        corrects_outcome_id: c.original.id,
        correction_reason: c.reason,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (error) {
    // Two corrections of one record at once: the second finds the first (outcomes_one_correction).
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
      throw new ConflictError(`outcome ${c.original.id} was corrected meanwhile; correct the newer record`);
    }
    throw error;
  }
}

/** One call's outcome records, original first, each correction after the one it corrects. */
export function outcomeHistory(db: Kysely<Database>, filter: { attemptId?: number; contactId?: number }) {
  let q = db
    .selectFrom('outcomes')
    .select([
      'id',
      'attempt_id',
      'contact_id',
      'campaign_id',
      'tag',
      'data',
      'recorded_by',
      'recorded_at',
      'corrects_outcome_id',
      'correction_reason',
    ])
    .orderBy('id');
  if (filter.attemptId !== undefined) q = q.where('attempt_id', '=', filter.attemptId);
  if (filter.contactId !== undefined) q = q.where('contact_id', '=', filter.contactId);
  return q.execute();
}
