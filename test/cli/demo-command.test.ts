import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run.ts';

describe('dialer demo, the first command of the README', { timeout: 120_000 }, () => {
  it('runs a short campaign on a throwaway embedded database, prints one JSON summary, and leaves no files behind', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'dialer-demo-test-'));
    const result = await runCli(['demo', '--seconds', '4', '--contacts', '40', '--agents', '3', '--json'], {
      TMPDIR: scratch,
      DIALER_DATA_DIR: '',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.contacts.total).toBe(40);
    expect(summary.dialLog.attempts).toBeGreaterThan(0);
    // Nothing dialed is left unsealed once the demo has stopped.
    expect(summary.dialLog.finalized).toBe(summary.dialLog.attempts);
    expect(summary.database).toContain(scratch);
    // The temporary database and the sample list's copy are removed with the demo (tsx keeps
    // its compile cache there too; that one is not ours).
    expect(readdirSync(scratch).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
  });
});
