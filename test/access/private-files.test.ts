import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connect.ts';
import { loadConfig } from '../../engine/platform/config.ts';
import { createLogger } from '../../engine/platform/logger.ts';
import { warnOpenFolders } from '../../scripts/cli/private-folders.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { makeImportCampaign } from '../import/support.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';

/**
 * Everything written that holds numbers is owner-only: files 0600, folders 0700. The umask is
 * 0 during these tests, so a mode left to it would come out world-writable: every mode here is
 * one the product set itself.
 */
let savedUmask = 0;
beforeEach(() => {
  savedUmask = process.umask(0);
});
afterEach(() => {
  process.umask(savedUmask);
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every file and folder under root (root itself excluded), with its mode. */
function modesUnder(root: string): Array<{ path: string; dir: boolean; mode: number }> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const isDir = statSync(path).isDirectory();
      out.push({ path, dir: isDir, mode: mode(path) });
      if (isDir) walk(path);
    }
  };
  walk(root);
  return out;
}

describeEachDatabase('files that hold numbers are private', (handle) => {
  let manager: TestUser;
  let officer: TestUser;

  beforeAll(async () => {
    manager = await testUser(handle().db, 'manager');
    officer = await testUser(handle().db, 'compliance_officer');
  });

  it('archives a received list and its reject report as 0600 in 0700 folders, whatever the file’s own mode', async () => {
    const campaign = await makeImportCampaign(handle().db, {
      jurisdiction: 'US',
      region: 'US',
      defaultTimeZone: 'America/New_York',
      dialing: { callerId: '+12125550000' },
    });
    const dataDir = join(mkdtempSync(join(tmpdir(), 'dialer-private-')), 'data');
    const list = join(mkdtempSync(join(tmpdir(), 'dialer-private-list-')), 'acme.csv');
    writeFileSync(list, 'phone,name\n(212) 736-5000,Ann\n212 736 5000,Ann again\n');
    chmodSync(list, 0o644);
    const result = await runCliInProcess(
      ['--data-dir', dataDir, 'list', 'import', '--campaign', String(campaign.id), '--file', list, '--json'],
      handle(),
      { token: manager.token, env: { DATABASE_URL: '', DIALER_ARCHIVE_DIR: '' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).rejectReport).toMatch(/\.rejects\.csv$/);
    const written = modesUnder(dataDir);
    expect(written.filter((w) => !w.dir).map((w) => w.path.replace(/.*\//, ''))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^batch-\d+-acme\.csv$/),
        expect.stringMatching(/\.rejects\.csv$/),
      ]),
    );
    for (const w of written)
      expect({ path: w.path, mode: w.mode.toString(8) }).toEqual({
        path: w.path,
        mode: w.dir ? '700' : '600',
      });
    expect(mode(dataDir)).toBe(0o700);
  });

  it('writes a log export file as 0600, also over an existing file that was 0644', async () => {
    const campaign = await makeImportCampaign(handle().db);
    const folder = mkdtempSync(join(tmpdir(), 'dialer-private-export-'));
    const fresh = join(folder, 'new', 'export.csv');
    const existing = join(folder, 'existing.csv');
    writeFileSync(existing, 'old\n');
    chmodSync(existing, 0o644);
    for (const output of [fresh, existing]) {
      const done = await runCliInProcess(
        [
          'log',
          'export',
          '--campaign',
          String(campaign.id),
          '--from',
          '2026-01-01',
          '--to',
          '2026-12-31',
        ].concat(['--format', 'csv', '--full', '--output', output]),
        handle(),
        { token: officer.token },
      );
      expect(done.code, done.stderr).toBe(0);
      expect(mode(output)).toBe(0o600);
    }
    expect(mode(join(folder, 'new'))).toBe(0o700);
  });

  it('refuses a list import on PostgreSQL without a configured archive folder, naming the setting', async () => {
    const campaign = await makeImportCampaign(handle().db);
    const cwdArchive = join(process.cwd(), '.dialer', 'archive');
    const before = statSafe(cwdArchive);
    const result = await runCliInProcess(
      ['list', 'import', '--campaign', String(campaign.id), '--file', '/nonexistent/list.csv'],
      handle(),
      {
        token: manager.token,
        env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused', DIALER_ARCHIVE_DIR: '' },
      },
    );
    expect(result.code).toBe(1);
    expect(result.error).toBe('archive_dir_unset');
    expect(result.stderr).toContain('DIALER_ARCHIVE_DIR');
    expect(statSafe(cwdArchive)).toEqual(before);
    const batches = await handle()
      .db.selectFrom('batches')
      .select('id')
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(batches).toEqual([]);
  });
});

function statSafe(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

describe('the embedded data folder', { timeout: 120_000 }, () => {
  it('creates the data folder and its pgdata as 0700', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dialer-private-pglite-'));
    const dataDir = join(parent, 'data');
    const handle = await openDatabase({ dataDir });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'pgdata'))).toBe(0o700);
    } finally {
      await handle.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('warns at start, naming the folder, when an existing data or archive folder lets others in', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dialer-private-open-'));
    mkdirSync(join(dataDir, 'pgdata'));
    chmodSync(dataDir, 0o700);
    chmodSync(join(dataDir, 'pgdata'), 0o755);
    const archiveDir = mkdtempSync(join(tmpdir(), 'dialer-private-archive-'));
    chmodSync(archiveDir, 0o750);
    const lines: string[] = [];
    const sink = { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream;
    const logger = createLogger({ level: 'warn', destination: sink });
    const config = loadConfig({ env: {}, overrides: { dataDir, archiveDir } });
    const open = warnOpenFolders(config, logger);
    expect(open).toEqual([join(dataDir, 'pgdata'), archiveDir]);
    logger.flush();
    expect(lines.map((l) => JSON.parse(l).folder)).toEqual([join(dataDir, 'pgdata'), archiveDir]);
    expect(JSON.parse(lines[0]!).mode).toBe('0755');
  });
});
