import type { Kysely } from 'kysely';
import { countHeldContacts, getBatch, listHeldContacts, listRejectedRows } from '../../db/queries/batches.ts';
import { getCampaign } from '../../db/queries/campaigns.ts';
import type { Database } from '../../db/schema.ts';
import { maskPhone, maskPhonesInText } from '../platform/mask-phone.ts';

/**
 * What `list held` and `list rejects` show (CLI and API): a list's rows with their numbers masked,
 * numbers quoted in a reject's detail included. Full numbers of a list never leave through these.
 */

export interface HeldView {
  campaignId: number;
  /** Every held contact of the campaign, not only those shown. */
  total: number;
  contacts: Array<{
    contactId: number;
    batchId: number | null;
    line: number | null;
    phone: string;
    timeZone: string;
  }>;
}

/** Contacts held until a re-marketing approval covers them (not found: the campaign). */
export async function heldContacts(
  db: Kysely<Database>,
  campaignId: number,
  limit: number,
): Promise<HeldView> {
  await getCampaign(db, campaignId);
  const [rows, total] = await Promise.all([
    listHeldContacts(db, campaignId, limit),
    countHeldContacts(db, campaignId),
  ]);
  return {
    campaignId,
    total,
    contacts: rows.map((r) => ({
      contactId: r.id,
      batchId: r.batch_id,
      line: r.line_number,
      phone: maskPhone(r.phone_e164),
      timeZone: r.time_zone,
    })),
  };
}

export type RejectView = {
  line: number;
  reason: string;
  phone: string | null;
  detail: string | null;
};

/**
 * A page of a batch's rejected rows in line order, those after line `after` (not found: the batch).
 * The next page is `after` the last line returned; a page shorter than `limit` is the last.
 */
export async function batchRejects(
  db: Kysely<Database>,
  batchId: number,
  page: { after?: number; limit: number },
): Promise<RejectView[]> {
  await getBatch(db, batchId);
  const rows = await listRejectedRows(db, batchId, page);
  return rows.map((r) => ({
    line: r.line,
    reason: r.reason,
    phone: r.phoneE164 === null ? null : maskPhone(r.phoneE164),
    // The detail quotes the cell as written (an invalid number is still a number).
    detail: r.detail === null ? null : maskPhonesInText(r.detail),
  }));
}
