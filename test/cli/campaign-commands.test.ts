import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from '../support/database.ts';
import { runCli } from './cli-run.ts';

const example = join(import.meta.dirname, '../../campaigns/examples/collections-predictive.json');

// Each step starts the real binary (and, on PGlite, the embedded database): slow on a busy machine.
describe.each(testDatabaseKinds)('dialer campaign commands [%s]', { timeout: 180_000 }, (kind) => {
  let env: NodeJS.ProcessEnv;
  let args: string[];
  let pgDatabase: TestDatabase | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      pgDatabase = await createTestDatabase('postgres');
      env = { DATABASE_URL: pgDatabase.url };
      args = [];
    } else {
      env = {};
      args = ['--data-dir', mkdtempSync(join(tmpdir(), 'dialer-cli-'))];
    }
  });
  afterAll(async () => {
    await pgDatabase?.close();
  });

  const dialer = (...rest: string[]) => runCli([...args, ...rest], env);

  it('creates a campaign from an example file on a fresh database and prints it as one JSON object', async () => {
    const created = await dialer('campaign', 'create', '--file', example, '--json');
    expect(created.code, created.stderr).toBe(0);
    const campaign = JSON.parse(created.stdout);
    expect(campaign).toMatchObject({
      id: 1,
      name: 'Card arrears, November',
      type: 'collections',
      mode: 'predictive',
    });
    expect(campaign.status).toBe('draft');
    expect(created.stdout.trim().split('\n')).toHaveLength(1);
    const clients = JSON.parse((await dialer('client', 'list', '--json')).stdout);
    expect(clients).toEqual([expect.objectContaining({ code: 'acme-bank', name: 'Acme Bank (example)' })]);
  });

  it('registers clients and refuses a second client with the same code', async () => {
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
    const dir = mkdtempSync(join(tmpdir(), 'dialer-bad-'));
    const bad = join(dir, 'bad.json');
    const definition = JSON.parse(readFileSync(example, 'utf8'));
    definition.name = 'Another';
    definition.dialing.ringTimeoutSeconds = 5;
    writeFileSync(bad, JSON.stringify(definition));
    const result = await dialer('campaign', 'create', '--file', bad);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('dialing.ringTimeoutSeconds');
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const after = JSON.parse((await dialer('campaign', 'list', '--json')).stdout);
    expect(after).toEqual(before);
  });

  it('refuses a campaign whose client is unknown, and a duplicate name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-bad-'));
    const file = join(dir, 'c.json');
    const definition = JSON.parse(readFileSync(example, 'utf8'));
    const { clientName: _name, ...withoutClientName } = definition;
    writeFileSync(file, JSON.stringify({ ...withoutClientName, name: 'Other', client: 'nobody' }));
    const unknown = await dialer('campaign', 'create', '--file', file);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('client "nobody" does not exist');
    const duplicate = await dialer('campaign', 'create', '--file', example);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
  });

  it('shows a campaign with its settings, and exits 2 on a malformed id or unknown option', async () => {
    const shown = await dialer('campaign', 'show', '1', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).config.dialing.ringTimeoutSeconds).toBe(25);
    expect((await dialer('campaign', 'show', 'x')).code).toBe(2);
    const unknownOption = await dialer('campaign', 'list', '--bogus');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('--bogus');
    expect((await dialer('campaign', 'show', '99')).code).toBe(1);
  });
});
