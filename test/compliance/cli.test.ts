import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connect.ts';
import { RULE_NAMES } from '../../engine/compliance/gate.ts';
import { runCli, runCliClosingStdout } from '../cli/cli-run.ts';
import {
  createTestDatabase,
  createTestDataDir,
  type TestDatabase,
  testDatabaseKinds,
} from '../support/database.ts';
import { type TestUser, testAdmin, testUser } from '../support/identity.ts';

const example = join(import.meta.dirname, '../../campaigns/examples/collections-predictive.json');
const dir = mkdtempSync(join(tmpdir(), 'dialer-compliance-cli-'));
// Each step starts the real binary: one database kind is enough here (PostgreSQL when available).
const kind = testDatabaseKinds.includes('postgres') ? 'postgres' : 'pglite';

describe(`dialer compliance commands [${kind}]`, { timeout: 180_000 }, () => {
  let env: NodeJS.ProcessEnv = {};
  let args: string[] = [];
  let pg: TestDatabase | undefined;
  let officer: TestUser;
  let removeDataDir = () => {};

  beforeAll(async () => {
    if (kind === 'postgres') {
      pg = await createTestDatabase('postgres');
      env = { DATABASE_URL: pg.url };
    } else {
      // A copy of the run's migrated template: no initdb and migrations in a child process.
      const data = await createTestDataDir();
      removeDataDir = data.remove;
      args = ['--data-dir', data.dataDir];
    }
    // The admin sets up (campaign, DNC); the compliance officer exports full numbers. Users are
    // set up on the database directly, closed again before any child process opens it (user
    // bootstrap and add are specified in test/access/identity.test.ts).
    const setUp = pg ? pg : await openDatabase({ dataDir: args[1]! });
    try {
      const admin = await testAdmin(setUp.db);
      officer = await testUser(setUp.db, 'compliance_officer');
      env = { ...env, ...admin.env };
    } finally {
      if (!pg) await setUp.close();
    }
  });
  afterAll(async () => {
    await pg?.close();
    removeDataDir();
  });

  const dialer = (...rest: string[]) => runCli([...args, ...rest], env);

  it('explains a refusal rule by rule, as one JSON document', async () => {
    expect((await dialer('campaign', 'create', '--file', example)).code).toBe(0);
    const added = await dialer(
      'dnc',
      'add',
      '(212) 555-0111',
      '--scope',
      'internal',
      '--reason',
      'opt-out',
      '--json',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      scope: 'internal',
      created: true,
      phone: '+12*******11',
    });
    const check = await dialer(
      'compliance',
      'check',
      '--campaign',
      '1',
      '--phone',
      '2125550111',
      '--at',
      '2026-06-10T16:00:00Z',
      '--json',
    );
    expect(check.code, check.stderr).toBe(0);
    const decision = JSON.parse(check.stdout);
    expect(decision.allowed).toBe(false);
    expect(decision.denials.map((d: { code: string }) => d.code)).toEqual([
      'dnc.internal',
      'national_registry.never_loaded',
    ]);
    expect(decision.results).toHaveLength(RULE_NAMES.length);
    expect(decision.preset).toBe('us');
    expect(check.stdout).not.toContain('2125550111');
  });

  it('exports full numbers for a compliance officer and audits the export with its SHA-256', async () => {
    const asOfficer = (...rest: string[]) => runCli([...args, ...rest], { ...env, ...officer.env });
    const output = join(dir, 'log.csv');
    const base = [
      'log',
      'export',
      '--campaign',
      '1',
      '--from',
      '2026-01-01',
      '--to',
      '2026-12-31',
      '--format',
      'csv',
    ];
    const done = await asOfficer(...base, '--full', '--output', output, '--json');
    expect(done.code, done.stderr).toBe(0);
    const sha = createHash('sha256').update(readFileSync(output)).digest('hex');
    expect(JSON.parse(done.stdout)).toMatchObject({ rows: 0, sha256: sha });
    const audit = JSON.parse(
      (await dialer('audit', 'list', '--action', 'export', '--json')).stdout,
    ) as Array<{
      action: string;
      details: Record<string, unknown>;
    }>;
    // One entry before the first byte (so an export cut short is on record), one with what was written.
    expect(audit.map((a) => a.action).sort()).toEqual(['export.dial_log', 'export.dial_log.started']);
    const started = audit.find((a) => a.action === 'export.dial_log.started');
    const completed = audit.find((a) => a.action === 'export.dial_log');
    expect(started).toMatchObject({ actor: officer.name, role: 'compliance_officer' });
    expect(started?.details).toMatchObject({ fullNumbers: true, filter: { campaignId: 1 } });
    expect(completed).toMatchObject({ actor: officer.name, role: 'compliance_officer' });
    expect(completed?.details).toMatchObject({ rows: 0, sha256: sha, fullNumbers: true });

    // Full numbers into a pipe whose reader goes away (`… | head`): the access is on record all the same.
    const cut = await runCliClosingStdout([...args, ...base, '--full'], { ...env, ...officer.env });
    expect(cut.code, cut.stderr).toBe(0);
    const after = JSON.parse(
      (await dialer('audit', 'list', '--action', 'export', '--json')).stdout,
    ) as Array<{
      action: string;
    }>;
    expect(after.filter((a) => a.action === 'export.dial_log.started')).toHaveLength(2);
  });
});
