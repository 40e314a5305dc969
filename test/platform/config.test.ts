import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/platform/config.ts';
import { UserError, ValidationError } from '../../engine/platform/errors.ts';

describe('configuration', () => {
  it('defaults to the embedded database in ./.dialer', () => {
    const config = loadConfig({ env: {} });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('.dialer');
    expect(config.retentionDays).toBe(400);
  });

  it('lets environment variables override the config file, and flags override both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-config-'));
    const file = join(dir, 'dialer.config.json');
    writeFileSync(file, JSON.stringify({ dataDir: '/from/file', ari: { url: 'http://file:8088' } }));
    const config = loadConfig({
      file,
      env: { ARI_URL: 'http://env:8088', LOG_LEVEL: 'warn' },
      overrides: { dataDir: '/from/flag' },
    });
    expect(config.dataDir).toBe('/from/flag');
    expect(config.ari.url).toBe('http://env:8088');
    expect(config.logLevel).toBe('warn');
  });

  it('names the setting that is wrong', () => {
    expect(() => loadConfig({ env: { DATABASE_URL: 'not a url' } })).toThrow(ValidationError);
    expect(() => loadConfig({ env: { DATABASE_URL: 'not a url' } })).toThrow(/databaseUrl/);
    expect(() => loadConfig({ env: { DIALER_RETENTION_DAYS: '30' } })).toThrow(/retentionDays/);
  });

  it('refuses a misspelled key in the config file, naming its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-config-'));
    const file = join(dir, 'dialer.config.json');
    writeFileSync(file, JSON.stringify({ ari: { pasword: 'x' } }));
    expect(() => loadConfig({ env: {}, file })).toThrow('configuration is invalid: ari.pasword: unknown key');
    writeFileSync(file, JSON.stringify({ retentiondays: 500 }));
    expect(() => loadConfig({ env: {}, file })).toThrow('retentiondays: unknown key');
  });

  it('has input limits by default, from the file, and from the environment', () => {
    expect(loadConfig({ env: {} }).limits).toEqual({
      campaignFileBytes: 1 << 20,
      listCellChars: 4096,
      listRowChars: 65_536,
      listColumns: 200,
    });
    const dir = mkdtempSync(join(tmpdir(), 'dialer-config-'));
    const file = join(dir, 'dialer.config.json');
    writeFileSync(file, JSON.stringify({ limits: { listCellChars: 100, listColumns: 10 } }));
    const config = loadConfig({ env: { DIALER_MAX_LIST_COLUMNS: '12' }, file });
    expect(config.limits).toMatchObject({ listCellChars: 100, listColumns: 12, listRowChars: 65_536 });
    expect(() => loadConfig({ env: { DIALER_MAX_LIST_CELL_CHARS: 'lots' } })).toThrow(
      /limits\.listCellChars/,
    );
  });

  it('refuses a config file that does not exist or is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-config-'));
    expect(() => loadConfig({ env: {}, file: join(dir, 'missing.json') })).toThrow(UserError);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => loadConfig({ env: {}, file: bad })).toThrow(/not valid JSON/);
  });
});
