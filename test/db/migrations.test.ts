import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/connect.ts';
import { migrateToLatest, migrationStatus } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { databaseUrlFor } from '../support/database-url.ts';

const migrationCount = Object.keys(migrations).length;

async function tableNames(handle: DatabaseHandle): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
    handle.db,
  );
  return result.rows.map((r) => r.table_name);
}

const expectedTables = [
  'agent_sessions',
  'agents',
  'alarms',
  'api_tokens',
  'audit_log',
  'batches',
  'call_attempts',
  'callbacks',
  'campaigns',
  'clients',
  'contacts',
  'dnc_entries',
  'national_dnc',
  'national_dnc_syncs',
  'outcomes',
  'recordings',
  'rejected_rows',
  'remarketing_approval_numbers',
  'remarketing_approvals',
  'users',
];

describe('migrations on the embedded database', () => {
  it('apply to an empty database, create the whole schema, and are idempotent', {
    timeout: 180_000,
  }, async () => {
    const handle = await openDatabase({ dataDir: 'memory://' });
    try {
      const first = await migrateToLatest(handle.db);
      expect(first.applied).toHaveLength(migrationCount);
      expect(await tableNames(handle)).toEqual(expect.arrayContaining(expectedTables));
      const second = await migrateToLatest(handle.db);
      expect(second.applied).toEqual([]);
      const status = await migrationStatus(handle.db);
      expect(status.every((m) => m.executedAt instanceof Date)).toBe(true);
    } finally {
      await handle.close();
    }
  });
});

const adminUrl = process.env.TEST_DATABASE_URL;

describe.runIf(adminUrl)('migrations on PostgreSQL', () => {
  const name = `dialer_mig_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(text);
    await client.end();
  };
  afterAll(async () => {
    await admin(`drop database if exists ${name} with (force)`);
  });

  it('apply once when two processes migrate an empty database at the same time', async () => {
    await admin(`create database ${name}`);
    const url = databaseUrlFor(adminUrl!, name);
    const a = await openDatabase({ databaseUrl: url });
    const b = await openDatabase({ databaseUrl: url });
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      expect(ra.applied.length + rb.applied.length).toBe(migrationCount);
      expect(await tableNames(a)).toEqual(expect.arrayContaining(expectedTables));
      expect((await migrateToLatest(a.db)).applied).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
