import type { Kysely } from 'kysely';
import { checkDnc, type DncCheckHit, dncHistory } from '../../db/queries/dnc.ts';
import type { Database } from '../../db/schema.ts';
import { maskPhone } from '../platform/mask-phone.ts';

/**
 * `dnc check` and `dnc history` (CLI and API): one number's do-not-call standing and record,
 * answered with the number masked (the asker typed it; the answer never repeats it in full).
 */

/** Every do-not-call list the number is on, national registry included. */
export async function dncStanding(
  db: Kysely<Database>,
  phoneE164: string,
): Promise<{ phone: string; listed: boolean; entries: DncCheckHit[] }> {
  const entries = await checkDnc(db, phoneE164);
  return { phone: maskPhone(phoneE164), listed: entries.length > 0, entries };
}

/** Every addition and removal of the number's entries: who, when, why. */
export async function dncRecord(db: Kysely<Database>, phoneE164: string) {
  const events = await dncHistory(db, phoneE164);
  return {
    phone: maskPhone(phoneE164),
    events: events.map((e) => ({
      id: e.id,
      at: e.at,
      action: e.action,
      scopeKey: e.scope_key,
      reason: e.reason,
      source: e.source,
      actor: e.actor,
      expiresAt: e.expires_at,
    })),
  };
}
