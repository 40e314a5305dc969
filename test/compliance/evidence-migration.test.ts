import { type Kysely, Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { PG_RAISE_EXCEPTION, pgErrorCode } from '../../db/pg-error.ts';
import { verifyEvidence } from '../../db/queries/evidence-verify.ts';
import type { Database } from '../../db/schema.ts';
import { approvalNumbersDigest } from '../../engine/compliance/evidence-hash.ts';
import { testDatabaseKinds } from '../support/database.ts';
import { withFreshDatabase } from '../support/fresh-database.ts';

/**
 * A database from before the evidence chain: its outcomes, approvals, do-not-call entries and
 * audit entries are chained by the migration, in time order, and verify finds them intact.
 */

const EVIDENCE_MIGRATION = '2026-12-02-001-evidence-chain';
const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < EVIDENCE_MIGRATION));

async function oldData(db: Kysely<Database>) {
  await sql`insert into clients (id, code, name) values (1, 'acme', 'Acme')`.execute(db);
  await sql`insert into campaigns (id, name, client_id, type, mode, config)
    values (1, 'c1', 1, 'survey', 'predictive', '{}')`.execute(db);
  await sql`insert into contacts (id, campaign_id, phone_e164, time_zone)
    values (1, 1, '+12125550001', 'America/New_York'), (2, 1, '+12125550002', 'America/New_York')`.execute(
    db,
  );
  // Times out of id order: the chain follows time.
  await sql`insert into audit_log (id, at, actor, action, details) values
    (1, '2026-11-20T10:00:00.123456Z', 'olga', 'campaign.create', '{"name": "c1"}'),
    (2, '2026-11-20T09:00:00Z', 'olga', 'client.add', '{}')`.execute(db);
  await sql`insert into outcomes (attempt_id, contact_id, campaign_id, tag, data, final, recorded_by, recorded_at) values
    (null, 1, 1, 'completed', '{"score": 4.50}', true, 'agent-1', '2026-11-21T10:00:00Z'),
    (null, 2, 1, 'refused', '{}', true, 'agent-1', '2026-11-21T11:00:00Z')`.execute(db);
  await sql`insert into remarketing_approvals (id, client_id, campaign_id, reference, approved_by, recorded_at)
    values (1, 1, 1, 'DOC-1', 'owner', '2026-11-22T10:00:00Z')`.execute(db);
  await sql`insert into remarketing_approval_numbers (approval_id, phone_e164)
    values (1, '+12125550002'), (1, '+12125550001')`.execute(db);
  await sql`insert into dnc_entries (phone_e164, scope, scope_key, reason, added_by, added_at) values
    ('+12125550009', 'internal', 'internal', 'opt-out', 'olga', '2026-11-23T10:00:00Z'),
    ('+12125550008', 'campaign', 'campaign:1', 'excluded', 'olga', '2026-11-19T10:00:00Z')`.execute(db);
}

describe.each(testDatabaseKinds)('evidence chain migration [%s]', (kind) => {
  it('chains the records already there, in time order, and verify finds them intact', {
    timeout: 180_000,
  }, async () => {
    await withFreshDatabase(kind, 'dialer_evm', async ({ db }) => {
      const partial = await new Migrator({
        db,
        provider: { getMigrations: async () => before },
      }).migrateToLatest();
      expect(partial.error).toBeUndefined();
      await oldData(db);

      // The evidence migration first; later ones (indexes, identity) may follow it.
      expect((await migrateToLatest(db)).applied?.[0]).toBe(EVIDENCE_MIGRATION);

      const report = await verifyEvidence(db);
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, rowsChecked: 7, head: { seq: 7 } });
      const order = await sql<{ tbl: string; seq: number }>`
        select 'dnc' as tbl, chain_seq as seq from dnc_events union all
        select 'audit', chain_seq from audit_log union all
        select 'outcome', chain_seq from outcomes union all
        select 'approval', chain_seq from remarketing_approvals order by seq`.execute(db);
      expect(order.rows.map((r) => r.tbl)).toEqual([
        'dnc',
        'audit',
        'audit',
        'outcome',
        'outcome',
        'approval',
        'dnc',
      ]);
      const approval = await db
        .selectFrom('remarketing_approvals')
        .select(['numbers_count', 'numbers_sha256'])
        .executeTakeFirstOrThrow();
      expect(approval).toEqual({
        numbers_count: 2,
        numbers_sha256: approvalNumbersDigest(['+12125550001', '+12125550002']),
      });
      // From now on they are append-only.
      const refused = await sql`update outcomes set tag = 'opt_out'`.execute(db).catch((e: unknown) => e);
      expect(pgErrorCode(refused)).toBe(PG_RAISE_EXCEPTION);
      expect(await db.selectFrom('dnc_entries').select('scope_key').orderBy('scope_key').execute()).toEqual([
        { scope_key: 'campaign:1' },
        { scope_key: 'internal' },
      ]);
    });
  });
});
