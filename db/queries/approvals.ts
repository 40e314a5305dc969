import { type Kysely, sql, type Transaction } from 'kysely';
import { approvalNumbersDigest } from '../../engine/compliance/evidence-hash.ts';
import { ConflictError, NotFoundError, UserError } from '../../engine/platform/errors.ts';
import type { Database } from '../schema.ts';
import { recordAudit } from './audit.ts';

/**
 * Re-marketing approvals: the list owner's recorded consent to a second use of its numbers in
 * a target campaign. Rows are never changed: a revocation is a new row pointing at the approval
 * it revokes. The database refuses changes and deletes and seals each row into the evidence
 * chain (migration 2026-12-02-001); an approval also seals the count and digest of its numbers. Recording releases the covered contacts held 'awaiting_approval'; revoking holds
 * the covered contacts not dialed yet again (the gate stops the others at their next dial).
 *
 * Coverage: an approval covers the contacts of the target campaign in its batch (a batch of the
 * target campaign), or the numbers listed for it (--numbers, or the numbers of a batch of
 * another campaign, copied into remarketing_approval_numbers when recorded).
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface ApprovalInput {
  clientId: number;
  campaignId: number;
  batchId?: number | null;
  /** E.164 numbers the approval names (already normalized). */
  numbers?: readonly string[];
  reference: string;
  approvedBy: string;
  validFrom?: Date;
  validUntil?: Date | null;
  note?: string | null;
  actor: string;
  now?: Date;
}

const CHUNK = 10_000;

export async function recordApproval(db: Kysely<Database>, input: ApprovalInput) {
  const now = input.now ?? new Date();
  if ((input.batchId == null) === (input.numbers === undefined)) {
    throw new UserError(
      'an approval covers either a batch or a list of numbers (give exactly one)',
      'invalid',
    );
  }
  if (input.numbers && input.numbers.length === 0) {
    throw new UserError('the numbers file holds no valid number', 'invalid');
  }
  const validFrom = input.validFrom ?? now;
  if (input.validUntil && input.validUntil <= validFrom) {
    throw new UserError('--valid-until must be after the start of validity', 'invalid');
  }
  return db.transaction().execute(async (trx) => {
    const campaign = await trx
      .selectFrom('campaigns')
      .select(['id', 'client_id'])
      .where('id', '=', input.campaignId)
      .executeTakeFirst();
    if (!campaign) throw new NotFoundError('campaign', input.campaignId);
    const client = await trx
      .selectFrom('clients')
      .select('id')
      .where('id', '=', input.clientId)
      .executeTakeFirst();
    if (!client) throw new NotFoundError('client', input.clientId);
    let batchOfTarget = false;
    if (input.batchId != null) {
      const batch = await trx
        .selectFrom('batches')
        .select(['id', 'campaign_id', 'client_id'])
        .where('id', '=', input.batchId)
        .executeTakeFirst();
      if (!batch) throw new NotFoundError('batch', input.batchId);
      batchOfTarget = batch.campaign_id === input.campaignId;
      if (!batchOfTarget && batch.client_id !== input.clientId) {
        throw new UserError(
          `batch ${batch.id} belongs neither to campaign ${input.campaignId} nor to client ${input.clientId}`,
          'invalid',
        );
      }
    }
    // The numbers it names, fixed now: those given, or those of a batch of another campaign.
    // The approval seals their count and digest (verify recomputes both).
    const named: string[] = input.numbers
      ? [...new Set(input.numbers)]
      : input.batchId != null && !batchOfTarget
        ? (
            await trx
              .selectFrom('contacts')
              .select('phone_e164')
              .distinct()
              .where('batch_id', '=', input.batchId)
              .execute()
          ).map((c) => c.phone_e164)
        : [];
    const approval = await trx
      .insertInto('remarketing_approvals')
      .values({
        client_id: input.clientId,
        campaign_id: input.campaignId,
        batch_id: input.batchId ?? null,
        reference: input.reference,
        approved_by: input.approvedBy,
        valid_from: validFrom,
        valid_until: input.validUntil ?? null,
        note: input.note ?? null,
        recorded_by: input.actor,
        recorded_at: now,
        numbers_count: named.length,
        numbers_sha256: approvalNumbersDigest(named),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (let i = 0; i < named.length; i += CHUNK) {
      await sql`insert into remarketing_approval_numbers (approval_id, phone_e164)
        select ${approval.id}, unnest(${named.slice(i, i + CHUNK)}::text[])`.execute(trx);
    }
    const numbers = named.length;
    const released = await sql`
      update contacts c set status = 'ready', status_reason = null, updated_at = ${now}
      where c.campaign_id = ${input.campaignId} and c.status = 'awaiting_approval'
        and ${coversContact(approval.id, batchOfTarget ? (input.batchId ?? null) : null)}`.execute(trx);
    const contactsReleased = Number(released.numAffectedRows ?? 0);
    await recordAudit(trx, {
      actor: input.actor,
      action: 'approval.record',
      subject: `approval:${approval.id}`,
      details: {
        campaignId: input.campaignId,
        clientId: input.clientId,
        batchId: input.batchId ?? null,
        numbers,
        reference: input.reference,
        approvedBy: input.approvedBy,
        validFrom: validFrom.toISOString(),
        validUntil: input.validUntil?.toISOString() ?? null,
        contactsReleased,
      },
      at: now,
    });
    return { approval, numbers, contactsReleased };
  });
}

/** SQL: approval `id` covers contact `c` (by the target campaign's batch, or by number). */
function coversContact(approvalId: number, targetBatchId: number | null) {
  return sql`(${targetBatchId === null ? sql`false` : sql`c.batch_id = ${targetBatchId}`}
    or exists (select 1 from remarketing_approval_numbers n
               where n.approval_id = ${approvalId} and n.phone_e164 = c.phone_e164))`;
}

export async function revokeApproval(
  db: Kysely<Database>,
  approvalId: number,
  input: { reason: string; actor: string; now?: Date },
) {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const original = await trx
      .selectFrom('remarketing_approvals')
      .selectAll()
      .where('id', '=', approvalId)
      .forUpdate()
      .executeTakeFirst();
    if (!original) throw new NotFoundError('approval', approvalId);
    if (original.revokes_approval_id !== null) {
      throw new UserError(`record ${approvalId} is itself a revocation; it cannot be revoked`, 'invalid');
    }
    const already = await trx
      .selectFrom('remarketing_approvals')
      .select('id')
      .where('revokes_approval_id', '=', approvalId)
      .executeTakeFirst();
    if (already) throw new ConflictError(`approval ${approvalId} was already revoked (record ${already.id})`);
    const revocation = await trx
      .insertInto('remarketing_approvals')
      .values({
        client_id: original.client_id,
        campaign_id: original.campaign_id,
        batch_id: original.batch_id,
        reference: original.reference,
        approved_by: original.approved_by,
        valid_from: now,
        note: null,
        recorded_by: input.actor,
        recorded_at: now,
        revokes_approval_id: approvalId,
        revoke_reason: input.reason,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const targetBatch =
      original.batch_id !== null &&
      (
        await trx
          .selectFrom('batches')
          .select('campaign_id')
          .where('id', '=', original.batch_id)
          .executeTakeFirst()
      )?.campaign_id === original.campaign_id
        ? original.batch_id
        : null;
    // Held again: covered, needing an approval, never dialed, and no other approval valid now.
    const held = await sql`
      update contacts c set status = 'awaiting_approval', status_reason = ${`approval_revoked:${approvalId}`},
        updated_at = ${now}
      where c.campaign_id = ${original.campaign_id} and c.needs_approval and c.status = 'ready'
        and ${coversContact(approvalId, targetBatch)}
        and not exists (select 1 from call_attempts t where t.contact_id = c.id)
        and not exists (
          select 1 from remarketing_approvals a
          left join batches b on b.id = a.batch_id
          where a.campaign_id = c.campaign_id and a.id <> ${approvalId} and a.revokes_approval_id is null
            and a.valid_from <= ${now} and (a.valid_until is null or a.valid_until > ${now})
            and not exists (select 1 from remarketing_approvals r where r.revokes_approval_id = a.id)
            and ((a.batch_id = c.batch_id and b.campaign_id = c.campaign_id)
                 or exists (select 1 from remarketing_approval_numbers n2
                            where n2.approval_id = a.id and n2.phone_e164 = c.phone_e164)))`.execute(trx);
    const contactsHeld = Number(held.numAffectedRows ?? 0);
    await recordAudit(trx, {
      actor: input.actor,
      action: 'approval.revoke',
      subject: `approval:${approvalId}`,
      details: { revocationId: revocation.id, reason: input.reason, contactsHeld },
      at: now,
    });
    return { revocation, contactsHeld };
  });
}

export interface ApprovalListFilter {
  campaignId?: number;
  clientId?: number;
}

/** Approvals with their state (revoked by which record) and how many numbers they name. */
export async function listApprovals(db: Db, filter: ApprovalListFilter = {}) {
  let query = db
    .selectFrom('remarketing_approvals as a')
    .leftJoin('remarketing_approvals as r', 'r.revokes_approval_id', 'a.id')
    .select([
      'a.id',
      'a.client_id',
      'a.campaign_id',
      'a.batch_id',
      'a.reference',
      'a.approved_by',
      'a.valid_from',
      'a.valid_until',
      'a.note',
      'a.recorded_by',
      'a.recorded_at',
      'r.id as revoked_by_record',
      'r.recorded_at as revoked_at',
      'r.revoke_reason',
      (eb) =>
        eb
          .selectFrom('remarketing_approval_numbers as n')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('n.approval_id', '=', 'a.id')
          .as('numbers'),
    ])
    .where('a.revokes_approval_id', 'is', null)
    .orderBy('a.id');
  if (filter.campaignId !== undefined) query = query.where('a.campaign_id', '=', filter.campaignId);
  if (filter.clientId !== undefined) query = query.where('a.client_id', '=', filter.clientId);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, numbers: Number(r.numbers ?? 0) }));
}
