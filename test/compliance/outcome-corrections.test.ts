import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { checkDnc } from '../../db/queries/dnc.ts';
import { verifyEvidence } from '../../db/queries/evidence-verify.ts';
import { correctOutcome, outcomeHistory } from '../../db/queries/outcome-corrections.ts';
import { outcomeCounts } from '../../db/queries/outcomes.ts';
import type { Database } from '../../db/schema.ts';
import { ConflictError, UserError } from '../../engine/platform/errors.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact, recordDoneOutcome } from './db-fixtures.ts';

/** A wrong outcome is corrected by a new record pointing at it, never by an update (issue 13). */

let phoneCounter = 0;

async function taggedCall(db: Kysely<Database>, tag = 'completed') {
  const client = await makeClient(db);
  const campaign = await makeCampaign(db, client.id);
  const phone = `+1212555${String(700 + phoneCounter++).padStart(4, '0')}`;
  const contact = await makeContact(db, campaign.id, phone);
  const outcomeId = await recordDoneOutcome(db, {
    contactId: contact.id,
    campaignId: campaign.id,
    outcome: { tag },
    recordedBy: 'agent-7',
  });
  return { campaign, contact, outcomeId };
}

describeEachDatabase('outcome corrections', (handle) => {
  it('records a correction as a new sealed record pointing at the original, with reason and actor, and audits it', async () => {
    const { db } = handle();
    const { campaign, contact, outcomeId } = await taggedCall(db);
    const before = await db
      .selectFrom('outcomes')
      .selectAll()
      .where('id', '=', outcomeId)
      .executeTakeFirstOrThrow();

    const result = await correctOutcome(db, {
      outcomeId,
      outcome: { tag: 'refused' },
      reason: 'agent picked the wrong tag',
      actor: 'supervisor-1',
    });

    expect(result).toMatchObject({ corrects: outcomeId, from: 'completed', to: 'refused', optOut: false });
    const history = await outcomeHistory(db, { contactId: contact.id });
    expect(history.map((h) => [h.tag, h.corrects_outcome_id, h.correction_reason, h.recorded_by])).toEqual([
      ['completed', null, null, 'agent-7'],
      ['refused', outcomeId, 'agent picked the wrong tag', 'supervisor-1'],
    ]);
    // The original is untouched, and reports count the call once, as corrected.
    expect(
      await db.selectFrom('outcomes').selectAll().where('id', '=', outcomeId).executeTakeFirst(),
    ).toEqual(before);
    expect(await outcomeCounts(db, campaign.id)).toEqual({ refused: 1 });
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'outcome.correct')
      .where('subject', '=', `outcome:${outcomeId}`)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor: 'supervisor-1' });
    expect(audit.details).toMatchObject({
      correctionId: result.correctionId,
      reason: 'agent picked the wrong tag',
    });
    expect((await verifyEvidence(db)).ok).toBe(true);
  });

  it('corrects a record once: a second correction must correct the newer record', async () => {
    const { db } = handle();
    const { outcomeId } = await taggedCall(db);
    const first = await correctOutcome(db, {
      outcomeId,
      outcome: { tag: 'refused' },
      reason: 'r1',
      actor: 's',
    });
    await expect(
      correctOutcome(db, { outcomeId, outcome: { tag: 'wrong_number' }, reason: 'r2', actor: 's' }),
    ).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message.includes(`record ${first.correctionId}`),
    );
    const second = await correctOutcome(db, {
      outcomeId: first.correctionId,
      outcome: { tag: 'wrong_number' },
      reason: 'r2',
      actor: 's',
    });
    expect(second).toMatchObject({ corrects: first.correctionId, from: 'refused', to: 'wrong_number' });
  });

  it('puts the number on the internal do-not-call list at once when corrected to an opt-out', async () => {
    const { db } = handle();
    const { contact, outcomeId } = await taggedCall(db);
    const result = await correctOutcome(db, {
      outcomeId,
      outcome: { tag: 'opt_out' },
      reason: 'the person asked not to be called; agent missed it',
      actor: 's',
    });
    expect(result.optOut).toBe(true);
    expect((await checkDnc(db, contact.phone_e164)).map((h) => h.scopeKey)).toContain('internal');
    expect((await verifyEvidence(db)).ok).toBe(true);
  });

  it.each([
    ['a tag the campaign type does not have', { tag: 'promise_to_pay', amount: 5 }, 'r'],
    ['no reason', { tag: 'refused' }, ' '],
  ])('refuses a correction with %s and records nothing', async (_name, outcome, reason) => {
    const { db } = handle();
    const { contact, outcomeId } = await taggedCall(db);
    await expect(correctOutcome(db, { outcomeId, outcome, reason, actor: 's' })).rejects.toBeInstanceOf(
      UserError,
    );
    expect(await outcomeHistory(db, { contactId: contact.id })).toHaveLength(1);
  });
});
