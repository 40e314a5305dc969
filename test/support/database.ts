import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type DatabaseHandle, type DatabaseKind, openDatabase } from '../../db/connect.ts';
import { PGliteDialect } from '../../db/pglite-dialect.ts';
import type { Database } from '../../db/schema.ts';
import { databaseUrlFor } from './database-url.ts';

/** The databases the suite runs on: always PGlite, and PostgreSQL when TEST_DATABASE_URL is set. */
export const testDatabaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

export interface TestDatabase extends DatabaseHandle {
  /** Only for PostgreSQL: the URL of this test's own database (for a second pool or a child process). */
  readonly url?: string;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** A fresh, migrated database of the given kind, private to the caller; close() drops it. */
export async function createTestDatabase(kind: DatabaseKind, options: { maxConnections?: number } = {}) {
  if (kind === 'pglite') {
    const template = readFileSync(inject('pgliteTemplatePath'));
    const pglite = await PGlite.create({
      loadDataDir: new Blob([template]),
      parsers: { [INT8_OID]: Number, [NUMERIC_OID]: Number },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    const handle: TestDatabase = {
      kind,
      db,
      pglite,
      location: 'embedded (test)',
      close: async () => {
        await db.destroy();
        await pglite.close();
      },
    };
    return handle;
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  const template = inject('postgresTemplateDb');
  if (!adminUrl || !template) throw new Error('PostgreSQL tests need TEST_DATABASE_URL');
  const name = `dialer_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name} template ${template}`);
  const url = databaseUrlFor(adminUrl, name);
  const opened = await openDatabase({ databaseUrl: url, maxConnections: options.maxConnections ?? 5 });
  const handle: TestDatabase = {
    ...opened,
    url,
    close: async () => {
      await opened.close();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
  return handle;
}

/**
 * A fresh, migrated embedded data directory on disk (a copy of the run's template), for tests
 * that hand the database to a child process the way `--data-dir` would. Open it with
 * `openDatabase({ dataDir })`; one process at a time. remove() deletes the folder.
 */
export async function createTestDataDir(): Promise<{ dataDir: string; remove(): void }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialer-test-datadir-'));
  const template = readFileSync(inject('pgliteTemplatePath'));
  // Same layout as openDatabase: the PostgreSQL files live in <dataDir>/pgdata.
  const pglite = await PGlite.create(join(dataDir, 'pgdata'), { loadDataDir: new Blob([template]) });
  await pglite.close();
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/**
 * Runs the same specification on every test database. Each kind gets one fresh database for
 * the whole describe block; tests inside share it, so they must not depend on each other's rows
 * more than the block intends.
 */
export function describeEachDatabase(title: string, body: (db: () => TestDatabase) => void): void {
  describe.each(testDatabaseKinds)(`${title} [%s]`, (kind) => {
    let handle: TestDatabase | undefined;
    beforeAll(async () => {
      handle = await createTestDatabase(kind);
    }, 60_000);
    afterAll(async () => {
      await handle?.close();
    });
    body(() => {
      if (!handle) throw new Error('test database not ready');
      return handle;
    });
  });
}
