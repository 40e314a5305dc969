import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run.ts';

describe('--help of a command', () => {
  it('marks the options the command cannot run without as required, and only those', async () => {
    const result = await runCli(['log', 'export', '--help']);
    expect(result.code).toBe(0);
    const line = (flag: string) =>
      result.stdout.split('\n').find((l) => l.trimStart().startsWith(flag)) ?? '';
    expect(line('--from')).toMatch(/\(required\)/);
    expect(line('--to')).toMatch(/\(required\)/);
    expect(line('--output')).not.toMatch(/\(required\)/);
  });
});
