import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connect.ts';
import { runCli } from '../cli/cli-run.ts';
import { createTestDataDir } from '../support/database.ts';
import { testAdmin, testUser } from '../support/identity.ts';
import { fixture } from './support.ts';

const example = join(import.meta.dirname, '../../campaigns/examples/collections-predictive.json');

// Each step starts the real binary and the embedded database: slow on a busy machine.
describe('dialer list import, run as a user would', { timeout: 180_000 }, () => {
  let dataDir = '';
  let removeDataDir = () => {};
  let env: NodeJS.ProcessEnv = {};
  const dialer = (...args: string[]) => runCli(['--data-dir', dataDir, ...args], env);

  beforeAll(async () => {
    // A copy of the run's migrated template: the first command does not pay initdb and migrations.
    ({ dataDir, remove: removeDataDir } = await createTestDataDir());
    // The manager is set up on the data folder directly, closed again before the binary opens it
    // (user bootstrap and add are specified in test/access/identity.test.ts).
    const setUp = await openDatabase({ dataDir });
    try {
      await testAdmin(setUp.db);
      env = { ...(await testUser(setUp.db, 'manager')).env };
    } finally {
      await setUp.close();
    }
    const created = await dialer('campaign', 'create', '--file', example, '--json');
    expect(created.code, created.stderr).toBe(0);
  }, 180_000);
  afterAll(() => removeDataDir());

  it('prints exactly one JSON object with the batch accounting', async () => {
    const list = join(mkdtempSync(join(tmpdir(), 'dialer-list-')), 'acme.csv');
    writeFileSync(list, 'phone,name\n(212) 736-5000,Ann\n212 736 5000,Ann again\n1.38E+10,Bob\n');
    const run = await dialer(
      'list',
      'import',
      '--campaign',
      '1',
      '--file',
      list,
      '--source',
      'mail',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Object.keys(result)).toEqual(['batchId', 'rows', 'imported', 'held', 'rejected', 'rejectReport']);
    expect(result).toMatchObject({
      batchId: 1,
      rows: 3,
      imported: 1,
      held: 0,
      rejected: { duplicate_in_file: 1, scientific_notation: 1 },
    });
    expect(result.rejectReport).toMatch(/archive\/\d{4}\/\d{2}\/\d{2}\/batch-1-acme\.csv\.rejects\.csv$/);
    expect(existsSync(result.rejectReport)).toBe(true);
  });

  it('exits 1 on a malformed file, naming the line, and leaves no batch', async () => {
    const run = await dialer(
      'list',
      'import',
      '--campaign',
      '1',
      '--file',
      fixture('inconsistent-columns.csv'),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /inconsistent-columns\.csv, line 3: the row has 3 cells where the header has 2/,
    );
    const batches = await dialer('list', 'batches', '--campaign', '1', '--json');
    expect(JSON.parse(batches.stdout).map((b: { id: number }) => b.id)).toEqual([1]);
  });
});
