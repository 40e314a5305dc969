import { describe, expect, it } from 'vitest';
import { runCliClosingStdout } from './cli-run.ts';

describe('the dialer binary writing into a pipe', () => {
  it('stops quietly, with no stack trace, when the reader closes the pipe early (`dialer … | head`)', async () => {
    const result = await runCliClosingStdout(['list', 'import', '--help']);
    expect(result.stderr).not.toMatch(/EPIPE|at .*\.js/);
    expect(result.code).toBe(0);
  });
});
