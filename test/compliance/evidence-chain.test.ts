import { type Kysely, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connect.ts';
import { PG_RAISE_EXCEPTION, pgErrorCode } from '../../db/pg-error.ts';
import { recordApproval, revokeApproval } from '../../db/queries/approvals.ts';
import { recordAudit } from '../../db/queries/audit.ts';
import { addDnc, removeDnc, scopeRef } from '../../db/queries/dnc.ts';
import { type EvidenceProblem, verifyEvidence } from '../../db/queries/evidence-verify.ts';
import { recordOutcome } from '../../db/queries/outcomes.ts';
import type { Database } from '../../db/schema.ts';
import { EVIDENCE_TABLE_NAMES } from '../../engine/compliance/evidence-hash.ts';
import { createTestDatabase, describeEachDatabase, testDatabaseKinds } from '../support/database.ts';
import {
  inRolledBack,
  makeBatch,
  makeCampaign,
  makeClient,
  makeContact,
  recordDoneOutcome,
} from './db-fixtures.ts';

/**
 * Outcomes, approvals, do-not-call changes and the audit log: append-only in the database and
 * sealed into the evidence chain, which `log verify` walks (issue 13, item 3).
 */

async function refusal(db: Kysely<Database>, statement: ReturnType<typeof sql>) {
  try {
    await db.transaction().execute((trx) => statement.execute(trx));
  } catch (error) {
    return { code: pgErrorCode(error), message: (error as Error).message };
  }
  return null;
}

interface Seed {
  outcomeId: number;
  secondOutcomeId: number;
  approvalId: number;
  auditId: number;
  phone: string;
  campaignId: number;
}

async function seed(db: Kysely<Database>): Promise<Seed> {
  const client = await makeClient(db);
  const campaign = await makeCampaign(db, client.id);
  const other = await makeCampaign(db, client.id);
  const batch = await makeBatch(db, client.id, other.id);
  const contacts = [
    await makeContact(db, campaign.id, '+12125550401'),
    await makeContact(db, campaign.id, '+12125550402'),
  ];
  const outcomeIds: number[] = [];
  for (const contact of contacts) {
    outcomeIds.push(
      await recordDoneOutcome(db, {
        contactId: contact.id,
        campaignId: campaign.id,
        outcome: { tag: 'completed', score: 4 } as never,
        recordedBy: 'agent-1',
      }),
    );
  }
  await addDnc(db, { phoneE164: '+12125550499', ref: scopeRef('internal'), reason: 'asked', actor: 'olga' });
  await addDnc(db, {
    phoneE164: '+12125550498',
    ref: scopeRef('campaign', campaign.id),
    reason: 'excluded',
    actor: 'olga',
  });
  await removeDnc(db, {
    phoneE164: '+12125550498',
    ref: scopeRef('campaign', campaign.id),
    reason: 'added by mistake',
    actor: 'olga',
  });
  const { approval } = await recordApproval(db, {
    clientId: client.id,
    campaignId: campaign.id,
    numbers: ['+12125550402', '+12125550401'],
    reference: 'DOC-1',
    approvedBy: 'owner',
    actor: 'olga',
  });
  await recordApproval(db, {
    clientId: client.id,
    campaignId: campaign.id,
    batchId: batch.id,
    reference: 'DOC-2',
    approvedBy: 'owner',
    actor: 'olga',
  });
  await revokeApproval(db, approval.id, { reason: 'withdrawn', actor: 'olga' });
  await recordAudit(db, { actor: 'olga', action: 'test.entry', subject: 'x', details: { n: 1 } });
  const audit = await db
    .selectFrom('audit_log')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return {
    outcomeId: outcomeIds[0]!,
    secondOutcomeId: outcomeIds[1]!,
    approvalId: approval.id,
    auditId: audit.id,
    phone: '+12125550499',
    campaignId: campaign.id,
  };
}

describeEachDatabase('evidence chain', (handle) => {
  let seeded: Seed;
  beforeAll(async () => {
    seeded = await seed(handle().db);
  }, 60_000);

  it('seals every outcome, approval, revocation, do-not-call change and audit entry into one intact chain', async () => {
    const { db } = handle();
    let rows = 0;
    for (const table of EVIDENCE_TABLE_NAMES) {
      const r = await sql<{ n: number; unsealed: number }>`select count(*)::int as n,
        count(*) filter (where row_hash is null)::int as unsealed from ${sql.table(table)}`.execute(db);
      expect(r.rows[0]?.unsealed, table).toBe(0);
      rows += Number(r.rows[0]?.n);
    }
    const report = await verifyEvidence(db);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, rowsChecked: rows, head: { seq: rows } });
    // The removal is a record with its reason, and the entry it removed is gone.
    const events = await db.selectFrom('dnc_events').select(['action', 'reason']).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['add', 'add', 'remove']);
    expect(events[2]?.reason).toBe('added by mistake');
    expect(await db.selectFrom('dnc_entries').select('scope_key').execute()).toEqual([
      { scope_key: 'internal' },
    ]);
  });

  const refusals: Array<[string, (s: Seed) => ReturnType<typeof sql>]> = [
    // The issue's own attack: a plain update, no trigger disabled.
    [
      'an outcome rewritten',
      (s) => sql`update outcomes set tag = 'opt_out', data = '{}' where id = ${s.outcomeId}`,
    ],
    ['an outcome deleted', (s) => sql`delete from outcomes where id = ${s.outcomeId}`],
    ['an audit entry changed', (s) => sql`update audit_log set actor = 'someone' where id = ${s.auditId}`],
    ['an audit entry deleted', (s) => sql`delete from audit_log where id = ${s.auditId}`],
    ['the audit log truncated', () => sql`truncate audit_log cascade`],
    [
      'an approval extended',
      (s) => sql`update remarketing_approvals set valid_until = null where id = ${s.approvalId}`,
    ],
    [
      'an approval deleted',
      (s) => sql`delete from remarketing_approvals where revokes_approval_id = ${s.approvalId}`,
    ],
    [
      'a number taken off an approval',
      (s) => sql`delete from remarketing_approval_numbers where approval_id = ${s.approvalId}`,
    ],
    ['a do-not-call record deleted', () => sql`delete from dnc_events where action = 'remove'`],
    [
      'a do-not-call entry deleted without a removal record',
      (s) => sql`delete from dnc_entries where phone_e164 = ${s.phone}`,
    ],
    [
      'a do-not-call entry changed without a record',
      (s) => sql`update dnc_entries set expires_at = now() where phone_e164 = ${s.phone}`,
    ],
  ];

  it.each(refusals)('the database refuses %s', async (_name, statement) => {
    const { db } = handle();
    const refused = await refusal(db, statement(seeded));
    expect(refused?.code).toBe(PG_RAISE_EXCEPTION);
    expect((await verifyEvidence(db)).ok).toBe(true);
  });

  /** Each attack as an insider with table rights would make it: the guard switched off. */
  const tampering: Array<{
    name: string;
    disable: Array<[table: string, trigger: string]>;
    statement: (s: Seed) => ReturnType<typeof sql>;
    expected: (s: Seed) => Partial<EvidenceProblem>;
  }> = [
    {
      name: 'an outcome rewritten as an opt-out',
      disable: [['outcomes', 'outcomes_append_only']],
      statement: (s) => sql`update outcomes set tag = 'opt_out', data = '{}' where id = ${s.outcomeId}`,
      expected: (s) => ({ problem: 'content_changed', table: 'outcomes', recordId: s.outcomeId }),
    },
    {
      name: 'an outcome deleted',
      disable: [['outcomes', 'outcomes_append_only']],
      statement: (s) => sql`delete from outcomes where id = ${s.outcomeId}`,
      expected: () => ({ problem: 'missing_rows' }),
    },
    {
      name: 'an audit entry credited to someone else',
      disable: [['audit_log', 'audit_log_append_only']],
      statement: (s) => sql`update audit_log set actor = 'someone' where id = ${s.auditId}`,
      expected: (s) => ({ problem: 'content_changed', table: 'audit_log', recordId: s.auditId }),
    },
    {
      name: 'an approval made to last forever',
      disable: [['remarketing_approvals', 'remarketing_approvals_append_only']],
      statement: (s) =>
        sql`update remarketing_approvals set valid_until = null, valid_from = '2020-01-01' where id = ${s.approvalId}`,
      expected: (s) => ({
        problem: 'content_changed',
        table: 'remarketing_approvals',
        recordId: s.approvalId,
      }),
    },
    {
      name: 'a number slipped into an approval',
      disable: [],
      statement: (s) =>
        sql`insert into remarketing_approval_numbers (approval_id, phone_e164) values (${s.approvalId}, '+12125550999')`,
      expected: (s) => ({ problem: 'numbers_changed', recordId: s.approvalId }),
    },
    {
      name: 'a do-not-call entry deleted around its record',
      disable: [['dnc_entries', 'dnc_entries_guard']],
      statement: (s) => sql`delete from dnc_entries where phone_e164 = ${s.phone}`,
      expected: () => ({ problem: 'dnc_state_differs', table: 'dnc_entries' }),
    },
    {
      name: 'an audit entry written with the seal switched off',
      disable: [['audit_log', 'audit_log_seal']],
      statement: () => sql`insert into audit_log (actor, action) values ('ghost', 'export.dial_log')`,
      expected: () => ({ problem: 'outside_chain', table: 'audit_log' }),
    },
  ];

  it.each(tampering)('catches $name and names the record', async ({ disable, statement, expected }) => {
    const { db } = handle();
    const report = await inRolledBack(db, async (trx) => {
      for (const [table, trigger] of disable) {
        await sql`alter table ${sql.table(table)} disable trigger ${sql.raw(trigger)}`.execute(trx);
      }
      await statement(seeded).execute(trx);
      return verifyEvidence(trx);
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining(expected(seeded)));
    expect((await verifyEvidence(db)).ok).toBe(true);
  });
});

if (testDatabaseKinds.includes('postgres')) {
  describe('evidence chain under concurrency [postgres]', () => {
    it('never forks or deadlocks when two engines record opt-outs, do-not-call changes and audit entries at once', {
      timeout: 120_000,
    }, async () => {
      const main = await createTestDatabase('postgres', { maxConnections: 10 });
      const other = await openDatabase({ databaseUrl: main.url!, maxConnections: 10 });
      try {
        const { db } = main;
        const client = await makeClient(db);
        const campaign = await makeCampaign(db, client.id);
        const contacts = [];
        for (let i = 0; i < 30; i++) contacts.push(await makeContact(db, campaign.id, `+1313555${2000 + i}`));
        const optOut = (pool: Kysely<Database>, contactId: number) =>
          pool.transaction().execute((trx) =>
            recordOutcome(trx, {
              attemptId: null,
              contactId,
              campaignId: campaign.id,
              agentId: null,
              outcome: { tag: 'opt_out' },
              decision: {
                final: true,
                status: 'blocked',
                nextAttemptAt: null,
                callback: null,
                optOut: true,
                reason: 'opt_out',
              },
              recordedBy: 'engine',
              now: new Date(),
            }),
          );
        await Promise.all(
          contacts.flatMap((contact, i) => {
            const pool = i % 2 ? other.db : db;
            return [
              optOut(pool, contact.id),
              addDnc(pool, {
                phoneE164: `+1313666${2000 + i}`,
                ref: scopeRef('campaign', campaign.id),
                actor: 'olga',
              }),
              recordAudit(pool, { actor: 'olga', action: 'test.concurrent', details: { i } }),
            ];
          }),
        );
        const report = await verifyEvidence(db);
        expect(report.problems).toEqual([]);
        // Each opt-out: outcome, do-not-call record, audit; each addition: record, audit; one audit.
        expect(report.rowsChecked).toBe(30 * (3 + 2 + 1));
      } finally {
        await other.close();
        await main.close();
      }
    });
  });
}
