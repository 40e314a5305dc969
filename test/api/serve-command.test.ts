import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../cli/cli-run.ts';
import { createTestDataDir } from '../support/database.ts';

const BIN = join(import.meta.dirname, '../../bin/dialer.js');

it('dialer serve --simulator: serves the API on the embedded database, refuses without a token, drains on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-serve-cmd-'));
  // The embedded database as a copy of the run's migrated template (creating one is specified in
  // test/access/private-files.test.ts and test/db/migrations.test.ts).
  const data = await createTestDataDir();
  const env = {
    ...process.env,
    LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    DIALER_DATA_DIR: data.dataDir,
    DIALER_TOKEN_FILE: join(dir, 'no-token-file'),
    DIALER_TOKEN: '',
  };
  try {
    const refused = await runCli(['serve', '--port', '0'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no identity/);
    const boot = await runCli(['--json', 'user', 'bootstrap', 'ada'], env);
    expect(boot.code).toBe(0);
    const { token } = JSON.parse(boot.stdout) as { token: string };
    const child = spawn(process.execPath, [BIN, '--json', 'serve', '--simulator', '--port', '0'], {
      env: { ...env, DIALER_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('\n')) resolve((JSON.parse(text) as { url: string }).url);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const doc = await fetch(`${url}/api/openapi.json`);
    expect(doc.status).toBe(200);
    const campaigns = await fetch(`${url}/api/campaigns`, { headers: { authorization: `Bearer ${token}` } });
    expect(campaigns.status).toBe(200);
    expect(await campaigns.json()).toEqual([]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    data.remove();
  }
}, 120_000);
