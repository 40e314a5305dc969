import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../../db/connect.ts';
import { databaseUrlFor } from './database-url.ts';

/**
 * An empty, unmigrated database of the given kind for the length of `body` (migration tests
 * that stop before a migration): PGlite in memory, or a PostgreSQL database of its own
 * (`<prefix>_<pid>_<random>`) created beside TEST_DATABASE_URL's and dropped afterwards.
 */
export async function withFreshDatabase(
  kind: string,
  prefix: string,
  body: (handle: DatabaseHandle) => Promise<void>,
): Promise<void> {
  if (kind === 'pglite') {
    const handle = await openDatabase({ dataDir: 'memory://' });
    try {
      await body(handle);
    } finally {
      await handle.close();
    }
    return;
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(text);
    await client.end();
  };
  await admin(`create database ${name}`);
  const handle = await openDatabase({ databaseUrl: databaseUrlFor(adminUrl, name) });
  try {
    await body(handle);
  } finally {
    await handle.close();
    await admin(`drop database if exists ${name} with (force)`);
  }
}
