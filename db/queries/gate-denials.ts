import type { Kysely, Transaction } from 'kysely';
import type { GateDecision, GateDisposition } from '../../engine/compliance/gate-types.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface DenialRecord {
  campaignId: number;
  contactId: number | null;
  phoneE164: string;
  decision: GateDecision;
  engineId?: string | null;
}

/**
 * Records refusals of the gate (one row each, batched), for "why was this number not dialed"
 * and the blocks-by-reason report. The runner calls it with the denied decisions of a pass;
 * it should not re-ask about a contact before decision.retryAt, so a row means one refusal.
 */
export async function recordGateDenials(db: Db, records: readonly DenialRecord[]): Promise<number> {
  const rows = records
    .filter((r) => !r.decision.allowed)
    .map((r) => ({
      at: r.decision.evaluatedAt,
      campaign_id: r.campaignId,
      contact_id: r.contactId,
      phone_e164: r.phoneE164,
      disposition: r.decision.disposition,
      codes: r.decision.denials.map((d) => d.code),
      engine_id: r.engineId ?? null,
    }));
  for (let i = 0; i < rows.length; i += 2_000) {
    await db
      .insertInto('gate_denials')
      .values(rows.slice(i, i + 2_000))
      .execute();
  }
  return rows.length;
}

/** One refusal of a contact as the runner has it when it puts the contact back. */
export interface GateRefusal {
  at: Date;
  campaignId: number;
  contactId: number;
  phoneE164: string;
  /** The gate's disposition, or `hold` when the facts were missing and nothing was decided. */
  disposition: GateDisposition;
  /** The denials' codes, as the contact's status reason gives them. */
  codes: readonly string[];
  engineId: string;
}

/**
 * Records one refusal of the runner's dial pass, when the claimed contact goes back. A plain
 * insert (no lock on other rows; it maintains gate_denials_campaign_at and gate_denials_phone),
 * outside the chain: a row lost to a failure costs the report one line, so the runner only logs
 * that. Unlike recordGateDenials it takes the refusal as the runner resolved it, which also
 * covers a contact whose facts could not be loaded (no decision: disposition `hold`).
 */
export async function recordGateRefusal(db: Db, refusal: GateRefusal): Promise<void> {
  await db
    .insertInto('gate_denials')
    .values({
      at: refusal.at,
      campaign_id: refusal.campaignId,
      contact_id: refusal.contactId,
      phone_e164: refusal.phoneE164,
      disposition: refusal.disposition,
      codes: [...refusal.codes],
      engine_id: refusal.engineId,
    })
    .execute();
}

/** The refusals recorded for a number, newest first. */
export function listGateDenials(db: Db, filter: { phoneE164?: string; campaignId?: number; limit?: number }) {
  let q = db.selectFrom('gate_denials').selectAll().orderBy('at', 'desc').orderBy('id', 'desc');
  if (filter.phoneE164) q = q.where('phone_e164', '=', filter.phoneE164);
  if (filter.campaignId !== undefined) q = q.where('campaign_id', '=', filter.campaignId);
  return q.limit(filter.limit ?? 50).execute();
}
