import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { databaseUrlFor } from './database-url.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    postgresTemplateDb: string | null;
  }
}

/**
 * Migrates one template of each database once per run; every test file then gets its own copy
 * (PGlite: loaded from a dumped data folder; PostgreSQL: CREATE DATABASE … TEMPLATE), so files
 * never interfere and nobody pays for initdb and migrations twice. Names are unique per run so
 * two runs on one server (two developers, CI) do not collide.
 */
export default async function setup(project: TestProject) {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;

  const embedded = await openDatabase({ dataDir: 'memory://' });
  await migrateToLatest(embedded.db);
  const dump = await embedded.pglite!.dumpDataDir('none');
  await embedded.close();
  const pgliteTemplatePath = join(tmpdir(), `dialer-pglite-template-${runId}.tar`);
  writeFileSync(pgliteTemplatePath, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplatePath', pgliteTemplatePath);

  const adminUrl = process.env.TEST_DATABASE_URL;
  let templateDb: string | null = null;
  if (adminUrl) {
    templateDb = `dialer_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${templateDb}`);
    await admin.end();
    const template = await openDatabase({
      databaseUrl: databaseUrlFor(adminUrl, templateDb),
      maxConnections: 1,
    });
    await migrateToLatest(template.db);
    await template.close();
  }
  project.provide('postgresTemplateDb', templateDb);

  return async () => {
    rmSync(pgliteTemplatePath, { force: true });
    if (adminUrl && templateDb) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${templateDb} with (force)`);
      await admin.end();
    }
  };
}
