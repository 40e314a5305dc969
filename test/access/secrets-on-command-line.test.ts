import { beforeAll, expect, it } from 'vitest';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testAdmin } from '../support/identity.ts';

/** `ps` shows every command line to every user: no flag takes a password. */
describeEachDatabase('secrets never on a command line', (handle) => {
  let token = '';
  beforeAll(async () => {
    token = (await testAdmin(handle().db)).token;
  });

  it('has no --ari-password flag: the ARI password comes from ARI_PASSWORD or the config file', async () => {
    const result = await runCliInProcess(['run', '--campaign', '1', '--ari-password', 'secret'], handle(), {
      token,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--ari-password'");
  });

  it('refuses an --ari-url that carries credentials, before touching anything', async () => {
    const result = await runCliInProcess(
      ['run', '--campaign', '999', '--ari-url', 'http://dialer:secret@asterisk:8088'],
      handle(),
      { token },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ARI_PASSWORD');
    expect(result.stderr).not.toContain('secret@');
  });

  it('offers no flag that takes a password or a database URL anywhere in the command tree', async () => {
    const { buildProgram } = await import('../../scripts/cli/program.ts');
    const { createCliContext } = await import('../../scripts/cli/context.ts');
    const program = buildProgram((options) => createCliContext(options));
    const flags: string[] = [];
    const walk = (command: typeof program) => {
      for (const option of command.options) flags.push(option.long ?? '');
      for (const sub of command.commands) walk(sub);
    };
    walk(program);
    expect(flags.filter((f) => /password|secret|database-url|db-url|token$/i.test(f))).toEqual([]);
  });
});
