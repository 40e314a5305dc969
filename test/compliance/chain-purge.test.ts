import { type Kysely, sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { recordAudit } from '../../db/queries/audit.ts';
import { checkChainHeads, currentChainHeads } from '../../db/queries/chain-heads.ts';
import { purgeChained } from '../../db/queries/chain-purge.ts';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { verifyDialLog } from '../../db/queries/dial-log-verify.ts';
import { scopeRef } from '../../db/queries/dnc.ts';
import { verifyEvidence } from '../../db/queries/evidence-verify.ts';
import type { Database } from '../../db/schema.ts';
import type { ChainHead } from '../../engine/compliance/checkpoint.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testAdmin, testUser } from '../support/identity.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

/**
 * Retention purges of the hash-chained records: only a prefix of a chain goes, never a row
 * younger than the longest minimum governing it; recorded (chain_purges) and audited; `log
 * verify` still verifies what remains and names the purged prefix; tampering after it shows.
 */

const DAY = 86_400_000;
// Records dated from the real clock: a purge never runs at a moment in the future.
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);

/** Tampering as an attacker with table rights would: the guard trigger switched off. */
async function tamper(
  db: Kysely<Database>,
  table: string,
  trigger: string,
  statement: ReturnType<typeof sql>,
) {
  await db.transaction().execute(async (trx) => {
    await sql`alter table ${sql.table(table)} disable trigger ${sql.raw(trigger)}`.execute(trx);
    await statement.execute(trx);
    await sql`alter table ${sql.table(table)} enable trigger ${sql.raw(trigger)}`.execute(trx);
  });
}

describeEachDatabase('retention purge of the dial log', (handle) => {
  const ids: number[] = [];
  let cn: { id: number };
  let us: { id: number };
  /** Heads checkpointed after the second call (inside what the purge takes) and after all five. */
  let early: ChainHead[] = [];
  let late: ChainHead[] = [];

  beforeAll(async () => {
    const { db } = handle();
    const client = await makeClient(db);
    cn = await makeCampaign(db, client.id, {
      jurisdiction: 'CN',
      region: 'CN',
      defaultTimeZone: 'Asia/Shanghai',
    });
    us = await makeCampaign(db, client.id);
    const a = await makeContact(db, cn.id, '+8613800138011', { consent_ref: 'C-1' });
    const b = await makeContact(db, us.id, '+12125550191');
    // Chain order: cn 40 d, cn 35 d, us 40 d (US keeps 5 years), cn 38 d, cn 10 d.
    const calls: Array<[number, { id: number; phone_e164: string }, number]> = [
      [cn.id, a, 40],
      [cn.id, a, 35],
      [us.id, b, 40],
      [cn.id, a, 38],
      [cn.id, a, 10],
    ];
    for (const [campaignId, contact, days] of calls) {
      const row = await createAttempt(db, {
        campaignId,
        contactId: contact.id,
        phoneE164: contact.phone_e164,
        channelId: `purge-${campaignId}-${days}`,
        gateReasons: [],
        queuedAt: ago(days),
      });
      await finalizeAttempt(db, row.id, {
        result: 'no_answer',
        endedAt: new Date(ago(days).getTime() + 30_000),
      });
      ids.push(row.id);
      if (ids.length === 2) early = await currentChainHeads(db);
    }
    late = await currentChainHeads(db);
  });

  it('refuses a delete of a dial-log row that no recorded purge covers', async () => {
    await expect(sql`delete from call_attempts where id = ${ids[0]}`.execute(handle().db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('dry run: names the prefix past the minimum and the row that stops it, changes nothing', async () => {
    const { db } = handle();
    const result = await purgeChained(db, { kind: 'dialLog', now, actor: 'test', dryRun: true });
    expect(result).toMatchObject({
      chain: 'dial_log',
      previousThrough: 0,
      through: 2,
      rows: { call_attempts: 2 },
      stoppedAt: {
        position: 3,
        record: `call_attempts id ${ids[2]}`,
        reason: expect.stringContaining('younger'),
      },
    });
    expect(await db.selectFrom('call_attempts').select('id').execute()).toHaveLength(5);
    expect(await db.selectFrom('chain_purges').selectAll().execute()).toHaveLength(0);
  });

  it('purges the oldest rows past their minimum up to the first that must stay, recorded and audited', async () => {
    const { db } = handle();
    const second = await db
      .selectFrom('call_attempts')
      .select('row_hash')
      .where('id', '=', ids[1]!)
      .executeTakeFirstOrThrow();
    const officer = await testUser(db, 'compliance_officer');
    const out = await runCliInProcess(['retention', 'purge', '--kind', 'dialLog'], handle(), {
      token: officer.token,
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('positions 1-2 purged (recorded, audited): 2 call_attempts');
    expect(out.stdout).toContain(`stopped before position 3 (call_attempts id ${ids[2]})`);
    expect(out.stdout).toContain('Only a prefix of a hash chain can be purged');
    const left = await db.selectFrom('call_attempts').select('id').orderBy('chain_seq').execute();
    // The CN row of 38 days is past its minimum too, but behind the US row: it waits.
    expect(left.map((r) => r.id)).toEqual(ids.slice(2));
    expect(await db.selectFrom('chain_purges').selectAll().execute()).toEqual([
      expect.objectContaining({
        chain: 'dial_log',
        through_seq: 2,
        through_hash: second.row_hash,
        campaign_heads: { [String(cn.id)]: { seq: 2, hash: second.row_hash } },
        rows_purged: 2,
        actor: officer.name,
      }),
    ]);
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'retention.purge')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: officer.name,
      subject: 'dialLog',
      details: { chain: 'dial_log', through: 2, throughHash: second.row_hash, rows: { call_attempts: 2 } },
    });
  });

  it('purges nothing more while the first kept row is within its minimum', async () => {
    const result = await purgeChained(handle().db, { kind: 'dialLog', now, actor: 'test' });
    expect(result).toMatchObject({ previousThrough: 2, through: 2, rows: {}, stoppedAt: { position: 3 } });
  });

  it('log verify passes after the purge and names the purged prefix, globally and per campaign', async () => {
    const { db } = handle();
    expect(await verifyDialLog(db)).toMatchObject({
      ok: true,
      rowsChecked: 3,
      purgedThrough: { seq: 2 },
      firstBreak: null,
    });
    expect(await verifyDialLog(db, { campaignId: cn.id })).toMatchObject({
      ok: true,
      rowsChecked: 2,
      purgedThrough: { seq: 2 },
    });
    expect(await verifyDialLog(db, { campaignId: us.id })).toMatchObject({
      ok: true,
      rowsChecked: 1,
      purgedThrough: null,
    });
    const admin = await testAdmin(db);
    const out = await runCliInProcess(['log', 'verify'], handle(), { token: admin.token });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('positions 1-2 purged past retention');
  });

  it('checkpoints taken before the purge still verify; one naming a purged head with another hash does not', async () => {
    const { db } = handle();
    const dialHeads = (heads: ChainHead[]) => heads.filter((h) => h.chain.startsWith('dial_log'));
    expect(await checkChainHeads(db, dialHeads(early))).toEqual([]);
    expect(await checkChainHeads(db, dialHeads(late))).toEqual([]);
    const forged = { chain: 'dial_log', position: 2, hash: 'f'.repeat(64) };
    expect(await checkChainHeads(db, [forged])).toEqual([
      expect.objectContaining({ chain: 'dial_log', position: 2, problem: 'replaced' }),
    ]);
  });

  it('still detects a kept row deleted after the purge', async () => {
    const { db } = handle();
    // The guard refuses it (not covered by the purge record) …
    await expect(sql`delete from call_attempts where id = ${ids[3]}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    // … and with the guard off, verify sees the gap.
    await tamper(
      db,
      'call_attempts',
      'call_attempts_guard',
      sql`delete from call_attempts where id = ${ids[3]}`,
    );
    const report = await verifyDialLog(db);
    expect(report).toMatchObject({ ok: false, firstBreak: { problem: 'missing_rows', chainSeq: 5 } });
  });
});

describeEachDatabase('retention purge of the evidence chain', (handle) => {
  let cn: { id: number };
  let start = 0;

  beforeAll(async () => {
    const { db } = handle();
    const head = await db.selectFrom('evidence_chain').select('last_seq').executeTakeFirstOrThrow();
    start = Number(head.last_seq);
    const client = await makeClient(db);
    cn = await makeCampaign(db, client.id, {
      jurisdiction: 'CN',
      region: 'CN',
      defaultTimeZone: 'Asia/Shanghai',
    });
    const contact = await makeContact(db, cn.id, '+8613800138021', { consent_ref: 'C-2' });
    const internal = scopeRef('internal');
    const dnc = (action: 'add' | 'remove', phone: string, days: number) =>
      db
        .insertInto('dnc_events')
        .values({
          action,
          phone_e164: phone,
          scope: 'internal',
          scope_key: internal.scopeKey,
          at: ago(days),
          actor: 't',
        })
        .execute();
    const outcome = (days: number) =>
      db
        .insertInto('outcomes')
        .values({
          contact_id: contact.id,
          campaign_id: cn.id,
          tag: 'no_interest',
          final: true,
          recorded_at: ago(days),
        })
        .execute();
    // Evidence chain order (positions start + 1 …):
    await recordAudit(db, { actor: 't', action: 'test.old', at: ago(4000) }); // +1 past every minimum
    await dnc('add', '+12125550301', 4000); // +2 an opt-out later taken back …
    await dnc('remove', '+12125550301', 3990); // +3 … both records past 5 years
    await outcome(40); // +4 a CN outcome past its 30 days
    await dnc('add', '+12125550302', 4000); // +5 an opt-out still in force: stays
    await outcome(40); // +6 past its minimum, behind +5
  });

  it('purges the prefix up to the do-not-call entry still in force, recorded and audited', async () => {
    const { db } = handle();
    const fourth = await sql<{
      row_hash: string;
    }>`select row_hash from outcomes where chain_seq = ${start + 4}`.execute(db);
    const result = await purgeChained(db, { kind: 'outcomes', now, actor: 'officer' });
    expect(result).toMatchObject({
      chain: 'evidence',
      through: start + 4,
      throughHash: fourth.rows[0]!.row_hash,
      stoppedAt: { position: start + 5, reason: 'the record of a do-not-call entry still in force' },
    });
    expect(result.rows).toMatchObject({ audit_log: 1 + start, dnc_events: 2, outcomes: 1 });
    expect(result.note).toContain('one chain over outcomes');
    expect(await db.selectFrom('outcomes').select('chain_seq').execute()).toEqual([{ chain_seq: start + 6 }]);
    expect(await db.selectFrom('dnc_entries').select('phone_e164').execute()).toEqual([
      { phone_e164: '+12125550302' },
    ]);
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'retention.purge')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      subject: 'outcomes',
      details: { chain: 'evidence', through: start + 4 },
    });
    expect(Number(audit[0]!.chain_seq)).toBe(start + 7); // sealed last, after the purge
  });

  it('verify passes after the purge and names the purged prefix', async () => {
    expect(await verifyEvidence(handle().db)).toMatchObject({
      ok: true,
      rowsChecked: 3,
      purgedThrough: { seq: start + 4 },
      problems: [],
    });
  });

  it('never purges a record younger than its minimum, whatever --kind names', async () => {
    const result = await purgeChained(handle().db, { kind: 'auditLog', now, actor: 'officer' });
    expect(result).toMatchObject({
      previousThrough: start + 4,
      through: start + 4,
      rows: {},
      stoppedAt: { position: start + 5 },
    });
  });

  it('still detects a kept record changed after the purge', async () => {
    const { db } = handle();
    await expect(sql`delete from outcomes where chain_seq = ${start + 6}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await tamper(
      db,
      'outcomes',
      'outcomes_append_only',
      sql`update outcomes set tag = 'sale' where chain_seq = ${start + 6}`,
    );
    const report = await verifyEvidence(db);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ problem: 'content_changed', position: start + 6 });
  });
});

describeEachDatabase('what stops a chain purge besides age', (handle) => {
  it('a dial-log row past its minimum but still referenced by a kept recording stays, and so does every row after it', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const cn = await makeCampaign(db, client.id, {
      jurisdiction: 'CN',
      region: 'CN',
      defaultTimeZone: 'Asia/Shanghai',
    });
    const contact = await makeContact(db, cn.id, '+8613800138031', { consent_ref: 'C-3' });
    const ids: number[] = [];
    for (const days of [50, 45, 40]) {
      const row = await createAttempt(db, {
        campaignId: cn.id,
        contactId: contact.id,
        phoneE164: contact.phone_e164,
        channelId: `stop-${days}`,
        gateReasons: [],
        queuedAt: ago(days),
      });
      await finalizeAttempt(db, row.id, { result: 'connected', endedAt: ago(days) });
      ids.push(row.id);
    }
    await db
      .insertInto('recordings')
      .values({ attempt_id: ids[1]!, name: 'kept', format: 'wav', started_at: ago(45) })
      .execute();
    const result = await purgeChained(db, { kind: 'dialLog', now, actor: 'test' });
    expect(result).toMatchObject({
      through: 1,
      stoppedAt: { position: 2, reason: expect.stringContaining('still referenced') },
    });
    expect((await db.selectFrom('call_attempts').select('id').execute()).map((r) => r.id)).toEqual(
      ids.slice(1),
    );
    expect((await verifyDialLog(db)).ok).toBe(true);
  });
});

describeEachDatabase('a corrected outcome and a chain purge', (handle) => {
  it('an outcome past its minimum whose correction is kept stays (the correction points at it)', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const cn = await makeCampaign(db, client.id, {
      jurisdiction: 'CN',
      region: 'CN',
      defaultTimeZone: 'Asia/Shanghai',
    });
    const contact = await makeContact(db, cn.id, '+8613800138032', { consent_ref: 'C-4' });
    const before = await purgeChained(db, { kind: 'outcomes', now, actor: 'test', dryRun: true });
    const original = await db
      .insertInto('outcomes')
      .values({
        contact_id: contact.id,
        campaign_id: cn.id,
        tag: 'no_interest',
        final: true,
        recorded_at: ago(40),
      })
      .returning(['id', 'chain_seq'])
      .executeTakeFirstOrThrow();
    await db
      .insertInto('outcomes')
      .values({
        contact_id: contact.id,
        campaign_id: cn.id,
        tag: 'callback',
        final: false,
        recorded_at: ago(5),
        corrects_outcome_id: original.id,
        correction_reason: 'wrong tag',
      })
      .execute();
    const result = await purgeChained(db, { kind: 'outcomes', now, actor: 'test', dryRun: true });
    // The correction (5 days) is young; the original (40 days, past CN's 30) would be the whole
    // prefix but must stay with it.
    expect(before).toMatchObject({ through: 0, stoppedAt: null });
    expect(result).toMatchObject({
      through: Number(original.chain_seq) - 1,
      stoppedAt: { position: Number(original.chain_seq), reason: 'corrected by an outcome that is kept' },
    });
  });
});
