import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { finalizeAttempt } from '../../db/queries/dial-log.ts';
import { verifyDialLog } from '../../db/queries/dial-log-verify.ts';
import { loadGateFacts } from '../../db/queries/gate-facts.ts';
import { testDatabaseKinds } from '../support/database.ts';
import { withFreshDatabase } from '../support/fresh-database.ts';

/**
 * A dial log from before the calls carried their account: the migration copies each call's
 * account from its contact (sealed rows included, their hashes unchanged), so a per-account rule
 * counts the calls made before it exactly as it counts the new ones.
 */

const MIGRATION = '2026-12-04-300-attempt-account-and-caller';
const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < MIGRATION));

describe.each(testDatabaseKinds)('the account of each call, added to an existing dial log [%s]', (kind) => {
  it('copies the account of sealed calls from their contacts, keeps their hashes, and counts them by account', {
    timeout: 180_000,
  }, async () => {
    await withFreshDatabase(kind, 'dialer_acm', async ({ db }) => {
      const partial = await new Migrator({
        db,
        provider: { getMigrations: async () => before },
      }).migrateToLatest();
      expect(partial.error).toBeUndefined();
      const config = {
        name: 'c1',
        client: 'acme',
        type: 'collections',
        mode: 'predictive',
        dialing: { callerId: '+12125550100' },
        compliance: { preset: 'us-collections' },
      };
      await sql`insert into clients (id, code, name) values (1, 'acme', 'Acme')`.execute(db);
      await sql`insert into campaigns (id, name, client_id, type, mode, config)
        values (1, 'c1', 1, 'collections', 'predictive', ${JSON.stringify(config)})`.execute(db);
      await sql`insert into contacts (id, campaign_id, phone_e164, time_zone, account_ref) values
        (1, 1, '+12125550001', 'America/New_York', 'ACC-1'),
        (2, 1, '+12125550002', 'America/New_York', 'ACC-1'),
        (3, 1, '+12125550003', 'America/New_York', null)`.execute(db);
      const now = new Date('2026-06-10T16:00:00Z');
      for (let i = 1; i <= 7; i++) {
        const contactId = i <= 3 ? 1 : i <= 6 ? 2 : 3;
        const at = new Date(now.getTime() - i * 3_600_000);
        await sql`insert into call_attempts (id, campaign_id, contact_id, phone_e164, channel_id, queued_at)
          values (${i}, 1, ${contactId}, ${`+1212555000${contactId}`}, ${`old-${i}`}, ${at})`.execute(db);
        await finalizeAttempt(db, i, { result: 'no_answer', endedAt: new Date(at.getTime() + 30_000) });
      }
      expect((await verifyDialLog(db)).ok).toBe(true);

      expect((await migrateToLatest(db)).applied).toContain(MIGRATION);
      const rows = await db
        .selectFrom('call_attempts')
        .select(['id', 'account_ref', 'caller_number'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.account_ref)).toEqual([
        'ACC-1',
        'ACC-1',
        'ACC-1',
        'ACC-1',
        'ACC-1',
        'ACC-1',
        null,
      ]);
      expect(rows.every((r) => r.caller_number === null)).toBe(true);
      expect(await verifyDialLog(db)).toMatchObject({ ok: true, rowsChecked: 7 });
      // Still append-only after the migration set its guard aside for the copy.
      await expect(sql`update call_attempts set account_ref = 'X' where id = 1`.execute(db)).rejects.toThrow(
        /finalized/,
      );
      const loaded = await loadGateFacts(db, 1, [1], now);
      expect(loaded.contacts.get(1)!.facts.frequency![0]!.attemptTimes).toHaveLength(6);
    });
  });
});
