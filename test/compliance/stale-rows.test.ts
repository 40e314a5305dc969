import type { Kysely } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { verifyLog } from '../../db/queries/log-verify.ts';
import { SETUP_GRACE_SECONDS, staleOpenAttempts } from '../../db/queries/stale-attempts.ts';
import type { Database } from '../../db/schema.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

/**
 * Stale open rows (issue 13, item 5): an open dial-log row older than the longest possible call
 * (ring timeout + maxCallSeconds + setup grace) whose contact no engine holds a lease on is an
 * anomaly, not a call in progress. All times relative to a fixed `now`.
 */

const NOW = new Date('2026-12-02T12:00:00.000Z');
const MAX_CALL = 3600;
const RING = 30;
const BOUND = RING + MAX_CALL + SETUP_GRACE_SECONDS;
const secondsBefore = (s: number) => new Date(NOW.getTime() - s * 1000);

interface Case {
  name: string;
  queuedSecondsAgo: number;
  finalized?: boolean;
  leaseUntil?: Date;
  stale: boolean;
}

const cases: Case[] = [
  { name: 'a forged in-progress row two days old, no engine', queuedSecondsAgo: 2 * 86_400, stale: true },
  { name: 'a row open one second past the bound', queuedSecondsAgo: BOUND + 1, stale: true },
  { name: 'a row open one second short of the bound', queuedSecondsAgo: BOUND - 1, stale: false },
  {
    name: 'a long row whose contact an engine still leases',
    queuedSecondsAgo: 2 * 86_400,
    leaseUntil: new Date(NOW.getTime() + 30_000),
    stale: false,
  },
  {
    name: 'a long row whose lease ran out',
    queuedSecondsAgo: 2 * 86_400,
    leaseUntil: secondsBefore(60),
    stale: true,
  },
  { name: 'an old finalized row', queuedSecondsAgo: 2 * 86_400, finalized: true, stale: false },
];

let counter = 0;

async function openRow(db: Kysely<Database>, campaignId: number, c: Case) {
  const phone = `+1646555${String(1000 + counter++)}`;
  const contact = await makeContact(db, campaignId, phone);
  if (c.leaseUntil) {
    await db
      .updateTable('contacts')
      .set({ status: 'in_progress', lease_owner: 'engine-a', lease_expires_at: c.leaseUntil })
      .where('id', '=', contact.id)
      .execute();
  }
  const row = await createAttempt(db, {
    campaignId,
    contactId: contact.id,
    phoneE164: phone,
    channelId: `stale-${campaignId}-${counter}`,
    gateReasons: [],
    queuedAt: secondsBefore(c.queuedSecondsAgo),
    ...(c.leaseUntil ? { engineId: 'engine-a' } : {}),
  });
  if (c.finalized) await finalizeAttempt(db, row.id, { result: 'busy', cause: 17 });
  return row.id;
}

describeEachDatabase('stale open dial-log rows', (handle) => {
  let campaignId: number;
  beforeAll(async () => {
    const { db } = handle();
    const client = await makeClient(db);
    campaignId = (
      await makeCampaign(db, client.id, { dialing: { callerId: '+12125550100', ringTimeoutSeconds: RING } })
    ).id;
  });

  it.each(cases)('$name: stale = $stale', async (c) => {
    const { db } = handle();
    const id = await openRow(db, campaignId, c);
    const stale = await staleOpenAttempts(db, { now: NOW, maxCallSeconds: MAX_CALL, attemptIds: [id] });
    expect(stale.map((s) => s.attemptId)).toEqual(c.stale ? [id] : []);
    if (c.stale) expect(stale[0]).toMatchObject({ campaignId, boundSeconds: BOUND });
  });

  it('makes log verify fail, naming each stale row, while the chains are intact', async () => {
    const { db } = handle();
    const report = await verifyLog(db, { now: NOW, maxCallSeconds: MAX_CALL, campaignId });
    expect(report.dialLog.ok).toBe(true);
    expect(report.ok).toBe(false);
    const expected = cases.filter((c) => c.stale).length;
    expect(report.staleOpenRows).toHaveLength(expected);
    expect(report.staleOpenRows.every((s) => s.openSeconds > s.boundSeconds)).toBe(true);
  });
});
