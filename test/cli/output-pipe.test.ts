import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/dialer.js');

describe('the dialer binary writing into a pipe', () => {
  it('stops quietly, with no stack trace, when the reader closes the pipe early (`dialer … | head`)', async () => {
    const child = spawn(process.execPath, [BIN, 'list', 'import', '--help'], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the first byte is written (the binary takes a moment to start).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|at .*\.js/);
    expect(code).toBe(0);
  });
});
