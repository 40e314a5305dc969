import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_LIMITS } from '../../engine/platform/field-limits.ts';
import {
  createTestDatabase,
  describeEachDatabase,
  type TestDatabase,
  testDatabaseKinds,
} from '../support/database.ts';
import { bootstrapThroughCli, testAdmin } from '../support/identity.ts';
import { runCli, runCliInProcess } from './cli-run.ts';

const example = join(import.meta.dirname, '../../campaigns/examples/collections-predictive.json');

function writeVariant(change: (definition: Record<string, unknown>) => Record<string, unknown>): string {
  const definition = JSON.parse(readFileSync(example, 'utf8'));
  const file = join(mkdtempSync(join(tmpdir(), 'dialer-campaign-')), 'campaign.json');
  writeFileSync(file, JSON.stringify(change(definition)));
  return file;
}

describeEachDatabase('dialer campaign and client commands', (database) => {
  let token = '';
  beforeAll(async () => {
    token = (await testAdmin(database().db)).token;
  });
  const dialer = (...args: string[]) => runCliInProcess(args, database(), { token });

  it('creates a campaign from an example file, registering its client, and prints it as one JSON object', async () => {
    const created = await dialer('campaign', 'create', '--file', example, '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(created.stdout)).toMatchObject({
      id: 1,
      name: 'Card arrears, November',
      type: 'collections',
      mode: 'predictive',
      status: 'draft',
    });
    const clients = JSON.parse((await dialer('client', 'list', '--json')).stdout);
    expect(clients).toEqual([expect.objectContaining({ code: 'acme-bank', name: 'Acme Bank (example)' })]);
    const audit = await database()
      .db.selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('action', 'not like', 'user.%')
      .where('action', 'not like', 'token.%')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'client.add', actor: 'admin' },
      { action: 'campaign.create', actor: 'admin' },
    ]);
  });

  it('registers clients and refuses a second client with the same code or a malformed code', async () => {
    const added = await dialer('client', 'add', 'city-clinic', '--name', 'City Clinic', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ code: 'city-clinic', name: 'City Clinic' });
    const again = await dialer('client', 'add', 'city-clinic', '--name', 'Other');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const badCode = await dialer('client', 'add', 'City Clinic', '--name', 'x');
    expect(badCode.code).toBe(1);
    expect(badCode.stderr).toContain('code');
  });

  it('refuses a campaign file with an invalid field in one line naming it, and writes nothing', async () => {
    const before = JSON.parse((await dialer('campaign', 'list', '--json')).stdout);
    const bad = writeVariant((d) => ({
      ...d,
      name: 'Another',
      dialing: { ...(d.dialing as object), ringTimeoutSeconds: 5 },
    }));
    const result = await dialer('campaign', 'create', '--file', bad);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('dialing.ringTimeoutSeconds');
    expect(JSON.parse((await dialer('campaign', 'list', '--json')).stdout)).toEqual(before);
  });

  it('refuses a campaign whose client is unknown and unnamed, and a duplicate name', async () => {
    const unknown = writeVariant(({ clientName: _name, ...d }) => ({
      ...d,
      name: 'Other',
      client: 'nobody',
    }));
    const refused = await dialer('campaign', 'create', '--file', unknown);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('client "nobody" does not exist');
    const duplicate = await dialer('campaign', 'create', '--file', example);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    const missing = await dialer('campaign', 'create', '--file', '/nonexistent/campaign.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read campaign file');
  });

  it('shows a campaign with its settings; a malformed id or unknown option is a usage error', async () => {
    const shown = await dialer('campaign', 'show', '1', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).config.dialing.ringTimeoutSeconds).toBe(25);
    expect((await dialer('campaign', 'show', 'x')).code).toBe(2);
    const unknownOption = await dialer('campaign', 'list', '--bogus');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('--bogus');
    expect((await dialer('campaign', 'show', '99')).code).toBe(1);
  });

  it('refuses a campaign file with a misspelled key, naming its path, and stores nothing', async () => {
    const before = JSON.parse((await dialer('campaign', 'list', '--json')).stdout);
    const typo = writeVariant((d) => ({
      ...d,
      name: 'Typo',
      attempts: { ...(d.attempts as object), maxPerContat: 1 },
    }));
    const result = await dialer('campaign', 'create', '--file', typo);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `dialer: campaign file ${typo} is invalid: attempts.maxPerContat: unknown key`,
    );
    expect(JSON.parse((await dialer('campaign', 'list', '--json')).stdout)).toEqual(before);
  });

  it('refuses a campaign file over the size limit before reading it, and stores nothing', async () => {
    const before = JSON.parse((await dialer('campaign', 'list', '--json')).stdout);
    // Valid JSON of 10 MB (a page of settings and megabytes of blanks): the size alone refuses it.
    const big = writeVariant((d) => ({ ...d, name: 'Big' }));
    writeFileSync(big, `${readFileSync(big, 'utf8')}${' '.repeat(10 << 20)}`);
    const result = await dialer('campaign', 'create', '--file', big);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`is ${statSync(big).size} bytes, over the limit of ${1 << 20}`);
    expect(JSON.parse((await dialer('campaign', 'list', '--json')).stdout)).toEqual(before);
  });

  it('refuses a 5,000-character client code, saying the limit, and stores no client', async () => {
    const result = await dialer('client', 'add', 'a'.repeat(5000), '--name', 'Long');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `dialer: client is invalid: code: must be at most ${FIELD_LIMITS.code} characters`,
    );
    const clients = JSON.parse((await dialer('client', 'list', '--json')).stdout) as Array<{ code: string }>;
    expect(clients.every((c) => c.code.length <= FIELD_LIMITS.code)).toBe(true);
  });

  it.each([
    [['campaign', 'show', '99999999999999999999'], 'campaign id must be between 1 and 2147483647'],
    [['campaign', 'show', '2147483648'], 'campaign id must be between 1 and 2147483647'],
    [['campaign', 'show', '0'], 'campaign id must be between 1 and 2147483647'],
    [['campaign', 'show', '1e3'], 'campaign id must be a positive whole number'],
    [['campaign', 'show', '--', '-5'], 'campaign id must be a positive whole number'],
    [['log', 'show', '9223372036854775808'], 'attempt id must be between'],
    [['list', 'rejects', '--batch', '2147483648'], 'batch id must be between'],
    [['dnc', 'add', '2125550111', '--scope', 'campaign:99999999999'], 'campaign id must be between'],
    [['log', 'list', '--limit', 'abc'], '--limit must be a positive whole number'],
    [['audit', 'list', '--limit', '0'], '--limit must be between 1 and 100000'],
    [['dnc', 'list', '--limit', '-5'], '--limit must be a positive whole number'],
    [
      ['compliance', 'history', '--phone', '2125550111', '--limit', '1e9'],
      '--limit must be a positive whole number',
    ],
    [['dnc', 'add', '2125550111', '--scope', 'client:99999999999'], 'client id must be between'],
    [
      ['user', 'add', 'u'.repeat(FIELD_LIMITS.code + 1), '--role', 'compliance_officer'],
      'a user name must be at most',
    ],
  ])('refuses %j as a usage error (exit 2) in one line', async (args, message) => {
    const result = await dialer(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });

  it('refuses a --source over its length as a usage error, before reading the list', async () => {
    const result = await dialer(
      'list',
      'import',
      '--campaign',
      '1',
      '--file',
      '/nonexistent.csv',
      '--source',
      's'.repeat(5000),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--source must be at most ${FIELD_LIMITS.reference} characters, got 5000`,
    );
  });

  /** Imports `csv` into campaign 1 through the CLI; the batch's id. */
  async function importedBatch(csv: string): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-rejects-'));
    const list = join(dir, 'list.csv');
    writeFileSync(list, csv);
    // The archive (and the reject report in it) goes under the data folder: a fresh one.
    const imported = await dialer(
      '--data-dir',
      dir,
      'list',
      'import',
      '--campaign',
      '1',
      '--file',
      list,
      '--json',
    );
    expect(imported.code, imported.stderr).toBe(0);
    const { batchId } = JSON.parse(imported.stdout) as { batchId: number };
    return batchId;
  }

  it('lists a batch’s rejected rows with every number masked, also inside the detail that quotes the cell', async () => {
    const batchId = await importedBatch('phone,name\n+1 212 555 01234,Ann\n(212) 736-5000,Bob\n');
    const shown = await dialer('list', 'rejects', '--batch', String(batchId), '--json');
    expect(shown.code, shown.stderr).toBe(0);
    const rows = JSON.parse(shown.stdout) as Array<{ reason: string; detail: string }>;
    expect(rows).toMatchObject([{ reason: 'invalid_number' }]);
    expect(rows[0]!.detail).toContain('is not a valid phone number');
    // As masked numbers show them: the calling code's first digits and the last two, no more.
    expect(rows[0]!.detail.replace(/\D/g, '').length).toBeLessThanOrEqual(4);
  });

  it('pages through a batch’s rejected rows: --limit rows, then --after the last line shown', async () => {
    const batchId = await importedBatch('phone,name\n12,Ann\n34,Bob\n56,Cy\n');
    const page = async (...extra: string[]) => {
      const shown = await dialer('list', 'rejects', '--batch', String(batchId), '--json', ...extra);
      expect(shown.code, shown.stderr).toBe(0);
      return (JSON.parse(shown.stdout) as Array<{ line: number }>).map((r) => r.line);
    };
    expect(await page('--limit', '2')).toEqual([2, 3]);
    expect(await page('--limit', '2', '--after', '3')).toEqual([4]);
    expect(await page('--after', '4')).toEqual([]);
  });

  it.each([
    [['log', 'verify', '--campaign', '99'], 'campaign "99" does not exist'],
    [['log', 'list', '--campaign', '99'], 'campaign "99" does not exist'],
    [
      ['log', 'export', '--campaign', '99', '--from', '2026-11-01', '--to', '2026-11-30', '--format', 'csv'],
      'campaign "99" does not exist',
    ],
    [['list', 'batches', '--campaign', '99'], 'campaign "99" does not exist'],
    [['list', 'rejects', '--batch', '999'], 'batch "999" does not exist'],
  ])(
    'refuses %j for an id that does not exist, in one line, rather than an empty answer',
    async (args, message) => {
      const result = await dialer(...args);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    },
  );
});

// The real binary, as a user runs it: few steps, since each starts a process (and on PGlite the
// embedded database).
describe.each(testDatabaseKinds)('the dialer binary [%s]', { timeout: 180_000 }, (kind) => {
  let env: NodeJS.ProcessEnv = {};
  let args: string[] = [];
  let pgDatabase: TestDatabase | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      pgDatabase = await createTestDatabase('postgres');
      env = { DATABASE_URL: pgDatabase.url };
    } else {
      args = ['--data-dir', mkdtempSync(join(tmpdir(), 'dialer-cli-'))];
    }
  });
  afterAll(async () => {
    await pgDatabase?.close();
  });

  it('creates an example campaign on a fresh database, and refuses a bad file with one line and exit 1', async () => {
    const { admin } = await bootstrapThroughCli((rest, more) =>
      runCli([...args, ...rest], { ...env, ...more }),
    );
    env = { ...env, ...admin.env };
    const created = await runCli([...args, 'campaign', 'create', '--file', example, '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 1, name: 'Card arrears, November' });
    const bad = writeVariant((d) => ({ ...d, name: 'Bad', type: 'telesales' }));
    const refused = await runCli([...args, 'campaign', 'create', '--file', bad], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^dialer: campaign file .* is invalid: type:/);
    expect(refused.stdout).toBe('');
  });
});
