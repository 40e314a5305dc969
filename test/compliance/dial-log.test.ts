import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connect.ts';
import { createAttempt, finalizeAttempt, getAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import { verifyDialLog } from '../../db/queries/dial-log-verify.ts';
import type { CallAttemptRow, Database } from '../../db/schema.ts';
import {
  dialLogRowHash,
  HASHED_COLUMNS,
  HASHED_TIMESTAMP_COLUMNS,
  LATER_HASHED_COLUMNS,
} from '../../engine/compliance/dial-log-hash.ts';
import { ConflictError } from '../../engine/platform/errors.ts';
import { createTestDatabase, describeEachDatabase, testDatabaseKinds } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

const reasons = [{ rule: 'dnc', status: 'pass', code: 'dnc.clear', message: 'ok' }] as const;

async function seed(db: Kysely<Database>, calls: number) {
  const client = await makeClient(db);
  const a = await makeCampaign(db, client.id);
  const b = await makeCampaign(db, client.id);
  const ids: number[] = [];
  for (let i = 0; i < calls; i++) {
    const campaign = i % 2 === 0 ? a : b;
    const phone = `+1212555${String(1000 + i).padStart(4, '0')}`;
    const contact = await makeContact(db, campaign.id, phone);
    const attempt = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contact.id,
      phoneE164: phone,
      channelId: `ch-${campaign.id}-${i}-${Math.random()}`,
      gateReasons: [...reasons],
    });
    await updateAttempt(db, attempt.id, { status: 'ringing', originatedAt: new Date() });
    if (i === 4) {
      // One answered call, so that every timestamp column of some row holds a value.
      await updateAttempt(db, attempt.id, {
        status: 'answered',
        sipAnsweredAt: new Date(Date.now() - 2000),
        answeredAt: new Date(),
      });
      await updateAttempt(db, attempt.id, { status: 'connected', connectedAt: new Date() });
      await finalizeAttempt(db, attempt.id, { result: 'answered', cause: 16 });
    } else {
      await finalizeAttempt(db, attempt.id, { result: 'no_answer', cause: 19 });
    }
    ids.push(attempt.id);
  }
  return { a, b, ids };
}

/** Tampering as an attacker with table rights would: the guard trigger switched off. */
async function tamper(db: Kysely<Database>, statement: ReturnType<typeof sql>) {
  await db.transaction().execute(async (trx) => {
    await sql`alter table call_attempts disable trigger call_attempts_guard`.execute(trx);
    await statement.execute(trx);
    await sql`alter table call_attempts enable trigger call_attempts_guard`.execute(trx);
  });
}

describeEachDatabase('dial log', (handle) => {
  it('writes a queued row with the gate’s reasons, updates it, and seals it on finalize', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550001');
    const row = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contact.id,
      phoneE164: contact.phone_e164,
      channelId: `first-${campaign.id}`,
      gateReasons: [...reasons],
    });
    expect(row).toMatchObject({ status: 'queued', finalized_at: null, row_hash: null });
    expect(row.gate_reasons).toEqual(reasons);
    const answered = new Date();
    await updateAttempt(db, row.id, { status: 'answered', answeredAt: answered, amdResult: 'HUMAN' });
    const sealed = await finalizeAttempt(db, row.id, { result: 'answered', cause: 16, abandoned: true });
    expect(sealed.status).toBe('ended');
    expect(sealed.finalized_at).not.toBeNull();
    expect(sealed.abandoned).toBe(true);
    expect(sealed.row_hash).toBe(dialLogRowHash(sealed.prev_hash!, sealed));
    // Finalizing again changes nothing (a restart may repeat it).
    const again = await finalizeAttempt(db, row.id, { result: 'other' });
    expect(again.row_hash).toBe(sealed.row_hash);
    expect(again.result).toBe('answered');
  });

  it('knows every hashed timestamp column (verify checks those to the microsecond)', async () => {
    const { db } = handle();
    const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns
      where table_name = 'call_attempts' and data_type like 'timestamp%'`.execute(db);
    const hashed: readonly string[] = [...HASHED_COLUMNS, ...LATER_HASHED_COLUMNS];
    const hashedTimestamps = columns.rows.map((c) => c.column_name).filter((c) => hashed.includes(c));
    expect(hashedTimestamps.sort()).toEqual([...HASHED_TIMESTAMP_COLUMNS].sort());
  });

  it('refuses to change a finalized row, through the API and in SQL', async () => {
    const { db } = handle();
    const { ids } = await seed(db, 1);
    const id = ids[0]!;
    await expect(updateAttempt(db, id, { status: 'ringing' })).rejects.toBeInstanceOf(ConflictError);
    await expect(sql`update call_attempts set result = 'busy' where id = ${id}`.execute(db)).rejects.toThrow(
      /finalized/,
    );
  });

  it('refuses to delete any row, finalized or not', async () => {
    const { db } = handle();
    const { ids, a } = await seed(db, 1);
    await expect(sql`delete from call_attempts where id = ${ids[0]}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    const contact = await makeContact(db, a.id, '+12125550002');
    const open = await createAttempt(db, {
      campaignId: a.id,
      contactId: contact.id,
      phoneE164: contact.phone_e164,
      channelId: `open-${a.id}`,
      gateReasons: [],
    });
    await expect(sql`delete from call_attempts where id = ${open.id}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`truncate call_attempts cascade`.execute(db)).rejects.toThrow(/append-only/);
  });
});

/**
 * The tampering cases share one database per kind: each test tampers, checks that verify
 * names the break, then puts the table back exactly as it was (trigger off) for the next.
 */
describeEachDatabase('dial log verification', (handle) => {
  let seeded: Awaited<ReturnType<typeof seed>>;
  let snapshot: CallAttemptRow[];

  const restore = async () => {
    const { db } = handle();
    await db.transaction().execute(async (trx) => {
      await sql`alter table call_attempts disable trigger call_attempts_guard`.execute(trx);
      await sql`delete from call_attempts`.execute(trx);
      await trx
        .insertInto('call_attempts')
        .values(snapshot.map((r) => ({ ...r, gate_reasons: JSON.stringify(r.gate_reasons) })))
        .execute();
      await sql`alter table call_attempts enable trigger call_attempts_guard`.execute(trx);
    });
    expect((await verifyDialLog(db)).ok).toBe(true);
  };

  beforeAll(async () => {
    const { db } = handle();
    seeded = await seed(db, 6);
    snapshot = await db.selectFrom('call_attempts').selectAll().orderBy('id').execute();
  });
  afterEach(restore);

  it('finds an intact chain intact, globally and per campaign', async () => {
    const { db } = handle();
    const global = await verifyDialLog(db);
    expect(global).toMatchObject({ ok: true, rowsChecked: 6, firstBreak: null });
    expect((await verifyDialLog(db, { campaignId: seeded.a.id })).rowsChecked).toBe(3);
    expect((await verifyDialLog(db, { campaignId: seeded.b.id })).ok).toBe(true);
  });

  it('catches a changed row and names it', async () => {
    const { db } = handle();
    const { a, ids } = seeded;
    await tamper(db, sql`update call_attempts set result = 'answered' where id = ${ids[2]}`);
    const report = await verifyDialLog(db);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ problem: 'content_changed', attemptId: ids[2] });
    expect(report.rowsChecked).toBe(2);
    const campaign = await verifyDialLog(db, { campaignId: a.id });
    expect(campaign.firstBreak).toMatchObject({ problem: 'content_changed', attemptId: ids[2] });
  });

  it.each(HASHED_TIMESTAMP_COLUMNS)('catches %s moved by less than a millisecond', async (column) => {
    const { db } = handle();
    const { a, ids } = seeded;
    const answered = ids[4]!; // campaign a's answered call: every timestamp holds a value
    await tamper(
      db,
      sql`update call_attempts set ${sql.ref(column)} = ${sql.ref(column)} + interval '400 microseconds'
        where id = ${answered}`,
    );
    // The hash sees the row to the millisecond, as the driver returns it: it still matches.
    const row = await getAttempt(db, answered);
    expect(row[column]).not.toBeNull();
    expect(dialLogRowHash(row.prev_hash!, row)).toBe(row.row_hash);
    const report = await verifyDialLog(db);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ problem: 'content_changed', attemptId: answered });
    expect(report.firstBreak?.message).toContain(column);
    const campaign = await verifyDialLog(db, { campaignId: a.id });
    expect(campaign.firstBreak).toMatchObject({ problem: 'content_changed', attemptId: answered });
  });

  it('catches a row changed and re-hashed, at the next row', async () => {
    const { db } = handle();
    const { a, ids } = seeded;
    await tamper(db, sql`update call_attempts set phone_e164 = '+19995550000' where id = ${ids[1]}`);
    const row = await getAttempt(db, ids[1]!);
    await tamper(
      db,
      sql`update call_attempts set row_hash = ${dialLogRowHash(row.prev_hash!, row)} where id = ${ids[1]}`,
    );
    const report = await verifyDialLog(db);
    expect(report.firstBreak).toMatchObject({ problem: 'broken_link', attemptId: ids[2] });
    // ids[1] is campaign b's; campaign a's row after it links to it globally.
    const campaign = await verifyDialLog(db, { campaignId: a.id });
    expect(campaign.firstBreak).toMatchObject({ problem: 'global_link', attemptId: ids[2] });
  });

  it('catches a deleted row', async () => {
    const { db } = handle();
    const { b, ids } = seeded;
    await tamper(db, sql`delete from call_attempts where id = ${ids[3]}`);
    const report = await verifyDialLog(db);
    expect(report.firstBreak).toMatchObject({ problem: 'missing_rows', attemptId: ids[4] });
    const campaign = await verifyDialLog(db, { campaignId: b.id }); // ids[3] was campaign b's
    expect(campaign.ok).toBe(false);
    expect(campaign.firstBreak?.problem).toBe('missing_rows');
  });

  it('catches the newest row deleted', async () => {
    const { db } = handle();
    const { b, ids } = seeded;
    await tamper(db, sql`delete from call_attempts where id = ${ids[5]}`);
    const report = await verifyDialLog(db);
    expect(report.firstBreak).toMatchObject({ problem: 'missing_rows', attemptId: null, chainSeq: 6 });
    expect((await verifyDialLog(db, { campaignId: b.id })).firstBreak?.problem).toBe('missing_rows');
  });

  it('catches a row inserted in the middle of the chain', async () => {
    const { db } = handle();
    const { a, ids } = seeded;
    const second = await getAttempt(db, ids[1]!);
    // Make room at position 3 and insert a forged row there that links to row 2 correctly.
    await tamper(db, sql`update call_attempts set chain_seq = chain_seq + 100 where chain_seq >= 3`);
    await tamper(db, sql`update call_attempts set chain_seq = chain_seq - 99 where chain_seq >= 103`);
    const forged = { ...second, id: 9_999, channel_id: 'forged', chain_seq: 3, campaign_seq: 99 };
    const forgedHash = dialLogRowHash(second.row_hash!, forged);
    await tamper(
      db,
      sql`insert into call_attempts (id, campaign_id, contact_id, phone_e164, channel_id, status, queued_at,
            ended_at, result, hangup_cause, gate_reasons, finalized_at, chain_seq, campaign_seq, prev_hash,
            campaign_prev_hash, row_hash)
          values (9999, ${second.campaign_id}, ${second.contact_id}, ${second.phone_e164}, 'forged', 'ended',
            ${second.queued_at}, ${second.ended_at}, ${second.result}, ${second.hangup_cause},
            ${JSON.stringify(second.gate_reasons)}, ${second.finalized_at}, 3, 99, ${second.row_hash},
            ${second.campaign_prev_hash}, ${forgedHash})`,
    );
    const report = await verifyDialLog(db);
    expect(report.ok).toBe(false);
    expect(report.firstBreak?.chainSeq).toBe(3);
    expect((await verifyDialLog(db, { campaignId: a.id })).ok).toBe(false);
  });

  it('catches a finalized row slipped in outside the chain', async () => {
    const { db } = handle();
    const { a, ids } = seeded;
    const first = await getAttempt(db, ids[0]!);
    await sql`insert into call_attempts (campaign_id, contact_id, phone_e164, channel_id, status, result, finalized_at)
      values (${a.id}, ${first.contact_id}, ${first.phone_e164}, 'slipped', 'ended', 'answered', now())`.execute(
      db,
    );
    const report = await verifyDialLog(db);
    expect(report.firstBreak).toMatchObject({ problem: 'outside_chain' });
    // The slipped row has no sequence: restore() removes it with the guard switched off.
  });
});

if (testDatabaseKinds.includes('postgres')) {
  describe('dial log chain under concurrency [postgres]', () => {
    it('never forks when several pools finalize at once', async () => {
      const main = await createTestDatabase('postgres', { maxConnections: 10 });
      try {
        const { db } = main;
        const client = await makeClient(db);
        const campaign = await makeCampaign(db, client.id);
        const ids: number[] = [];
        for (let i = 0; i < 40; i++) {
          const contact = await makeContact(db, campaign.id, `+1313555${String(1000 + i)}`);
          const row = await createAttempt(db, {
            campaignId: campaign.id,
            contactId: contact.id,
            phoneE164: contact.phone_e164,
            channelId: `c-${i}`,
            gateReasons: [],
          });
          ids.push(row.id);
        }
        // A second engine process: its own pool on the same database.
        const other = await openDatabase({ databaseUrl: main.url!, maxConnections: 10 });
        try {
          await Promise.all(
            ids.map((id, i) => finalizeAttempt(i % 2 ? other.db : db, id, { result: 'busy', cause: 17 })),
          );
        } finally {
          await other.close();
        }
        const report = await verifyDialLog(db);
        expect(report).toMatchObject({ ok: true, rowsChecked: 40 });
        expect((await verifyDialLog(db, { campaignId: campaign.id })).ok).toBe(true);
      } finally {
        await main.close();
      }
    });
  });
}
