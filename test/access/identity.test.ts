import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { insertAgent, linkAgentUser } from '../../db/queries/agents.ts';
import { listAudit } from '../../db/queries/audit.ts';
import { findUser } from '../../db/queries/users.ts';
import { verifyPassword } from '../../engine/access/passwords.ts';
import { hashToken } from '../../engine/access/tokens.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { makeCampaign, makeClient } from '../compliance/db-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testAdmin, testToken, testUser } from '../support/identity.ts';

const dir = mkdtempSync(join(tmpdir(), 'dialer-identity-'));
const period = ['--from', '2026-01-01', '--to', '2026-12-31', '--format', 'csv'];

describeEachDatabase('who acts is proven by a token, never claimed', (handle) => {
  let admin: TestUser;
  let officer: TestUser;
  let agent: TestUser;
  let campaignId = 0;

  beforeAll(async () => {
    const { db } = handle();
    admin = await testAdmin(db);
    officer = await testUser(db, 'compliance_officer', { name: 'olga' });
    agent = await testUser(db, 'agent');
    campaignId = (await makeCampaign(db, (await makeClient(db)).id)).id;
  });

  const exportsBy = async () => (await listAudit(handle().db, { action: 'export' })).length;
  /** `dialer log export --full` of the campaign's dial log into `output`; `extra` goes before it. */
  const fullExport = (output: string, ...extra: string[]) => [
    'log',
    'export',
    '--campaign',
    String(campaignId),
    ...period,
    '--full',
    ...extra,
    '--output',
    output,
  ];

  it('refuses the insider of issue 13: DIALER_USER and --as naming the officer, with an agent’s token', async () => {
    const output = join(dir, 'claimed.csv');
    const before = await exportsBy();
    const result = await runCliInProcess(fullExport(output, '--as', 'olga'), handle(), {
      token: agent.token,
      env: { DIALER_USER: 'someagent' },
    });
    expect(result.code).toBe(1);
    expect(result.error).toBe('identity_claimed');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(output)).toBe(false);
    expect(await exportsBy()).toBe(before);
  });

  it('refuses --as even with no other identity, and DIALER_USER alone', async () => {
    const asFlag = await runCliInProcess(['audit', 'list', '--as', 'olga'], handle());
    expect(asFlag.error).toBe('identity_claimed');
    const envOnly = await runCliInProcess(['audit', 'list'], handle(), { env: { DIALER_USER: 'olga' } });
    expect(envOnly.error).toBe('identity_claimed');
    expect(envOnly.code).toBe(1);
  });

  it('refuses a command without a token, naming how to get one', async () => {
    const result = await runCliInProcess(['campaign', 'list'], handle());
    expect(result.code).toBe(1);
    expect(result.error).toBe('unauthenticated');
    expect(result.stderr).toMatch(/DIALER_TOKEN/);
  });

  it('refuses the agent’s own token for full numbers, and credits the officer with the officer’s export', async () => {
    const refused = await runCliInProcess(fullExport(join(dir, 'agent.csv')), handle(), {
      token: agent.token,
    });
    expect(refused.error).toBe('forbidden');
    const done = await runCliInProcess(fullExport(join(dir, 'olga.csv')), handle(), { token: officer.token });
    expect(done.code, done.stderr).toBe(0);
    const entries = await listAudit(handle().db, { action: 'export.dial_log' });
    expect(entries[0]).toMatchObject({ actor: 'olga', role: 'compliance_officer' });
  });

  it('lets an agent operate only their own agent, and audits the operation with the real user', async () => {
    const { db } = handle();
    const mine = await insertAgent(db, { code: 'agent-mine', name: 'Mine', endpoint: 'PJSIP/mine' });
    const userId = (await findUser(db, agent.name))?.id ?? 0;
    await linkAgentUser(db, mine.code, userId);
    const colleague = await testUser(db, 'agent');
    const refused = await runCliInProcess(
      ['agent', 'login', 'agent-mine', '--campaign', String(campaignId)],
      handle(),
      {
        token: colleague.token,
      },
    );
    expect(refused.error).toBe('forbidden');
    expect(
      await db.selectFrom('agent_sessions').select('id').where('agent_id', '=', mine.id).execute(),
    ).toEqual([]);
    const done = await runCliInProcess(
      ['agent', 'login', 'agent-mine', '--campaign', String(campaignId)],
      handle(),
      {
        token: agent.token,
      },
    );
    expect(done.code, done.stderr).toBe(0);
    const entries = await listAudit(db, { action: 'agent.login' });
    expect(entries[0]).toMatchObject({ actor: agent.name, role: 'agent', subject: 'agent:agent-mine' });
  });

  it('refuses a malformed or unknown token', async () => {
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token: 'olga' })).error).toBe(
      'token_invalid',
    );
    const unknown = `dlr_${'A'.repeat(43)}`;
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token: unknown })).error).toBe(
      'token_invalid',
    );
  });

  it('refuses an expired token', async () => {
    const expired = await testToken(handle().db, agent, new Date(Date.now() - 1000));
    const result = await runCliInProcess(['campaign', 'list'], handle(), { token: expired.token });
    expect(result.code).toBe(1);
    expect(result.error).toBe('token_expired');
    // The same token, before its expiry, was good: only time refuses it.
    const earlier = await runCliInProcess(['campaign', 'list'], handle(), {
      token: expired.token,
      now: () => new Date(Date.now() - 60_000),
    });
    expect(earlier.code, earlier.stderr).toBe(0);
  });

  it('refuses a revoked token from the moment it is revoked', async () => {
    const { token, id } = await testToken(handle().db, agent);
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token })).code).toBe(0);
    const revoked = await runCliInProcess(['token', 'revoke', String(id), '--json'], handle(), { token });
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await runCliInProcess(['campaign', 'list'], handle(), { token });
    expect(after.code).toBe(1);
    expect(after.error).toBe('token_revoked');
  });

  it('lets a user revoke only their own tokens; an admin any', async () => {
    const other = await testToken(handle().db, officer);
    const byAgent = await runCliInProcess(['token', 'revoke', String(other.id)], handle(), {
      token: agent.token,
    });
    expect(byAgent.error).toBe('not_found');
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token: other.token })).code).toBe(0);
    const byAdmin = await runCliInProcess(['token', 'revoke', String(other.id)], handle(), {
      token: admin.token,
    });
    expect(byAdmin.code, byAdmin.stderr).toBe(0);
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token: other.token })).error).toBe(
      'token_revoked',
    );
  });

  it('refuses every token of a disabled user', async () => {
    const leaver = await testUser(handle().db, 'manager');
    const disabled = await runCliInProcess(['user', 'disable', leaver.name], handle(), {
      token: admin.token,
    });
    expect(disabled.code, disabled.stderr).toBe(0);
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token: leaver.token })).error).toBe(
      'user_disabled',
    );
  });

  it('creates a token shown once and lists tokens without their secrets or hashes', async () => {
    const created = await runCliInProcess(
      ['token', 'create', '--expires', '2d', '--name', 'laptop', '--json'],
      handle(),
      {
        token: agent.token,
      },
    );
    expect(created.code, created.stderr).toBe(0);
    const { token, expiresAt } = JSON.parse(created.stdout) as { token: string; expiresAt: string };
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(47 * 3_600_000);
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token })).code).toBe(0);
    const listed = await runCliInProcess(['token', 'list', '--json'], handle(), { token });
    expect(listed.stdout).not.toContain(token);
    expect(listed.stdout).not.toContain(hashToken(token));
    const rows = JSON.parse(listed.stdout) as Array<{ name: string; user: string }>;
    expect(rows.every((r) => r.user === agent.name)).toBe(true);
    expect(rows.map((r) => r.name)).toContain('laptop');
    const row = await handle()
      .db.selectFrom('api_tokens')
      .select('token_hash')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    expect(row?.token_hash).toBe(hashToken(token));
  });

  it('refuses a token lifetime over a year or without a unit', async () => {
    for (const expires of ['400d', '30', '0d']) {
      const result = await runCliInProcess(['token', 'create', '--expires', expires], handle(), {
        token: agent.token,
      });
      expect(result.code, expires).toBe(2);
    }
  });

  it('stores a password as argon2id, set by its owner or an admin, never by another user', async () => {
    const own = await runCliInProcess(['user', 'password'], handle(), {
      token: agent.token,
      secret: 'correct horse battery',
    });
    expect(own.code, own.stderr).toBe(0);
    const row = await findUser(handle().db, agent.name);
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row?.password_hash ?? null, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(row?.password_hash ?? null, 'correct horse battery!')).toBe(false);
    const byAgent = await runCliInProcess(['user', 'password', officer.name], handle(), {
      token: agent.token,
      secret: 'another long password',
    });
    expect(byAgent.error).toBe('forbidden');
    expect((await findUser(handle().db, officer.name))?.password_hash).toBeNull();
    const short = await runCliInProcess(['user', 'password'], handle(), {
      token: agent.token,
      secret: 'short',
    });
    expect(short.code).toBe(2);
  });

  it('keeps an enabled admin: the last one cannot be demoted or disabled', async () => {
    const { db } = handle();
    const admins = await db.selectFrom('users').select('name').where('role', '=', 'admin').execute();
    // Leave exactly one admin: demote the others through the CLI.
    for (const other of admins.filter((a) => a.name !== admin.name)) {
      expect(
        (await runCliInProcess(['user', 'role', other.name, 'qa'], handle(), { token: admin.token })).code,
      ).toBe(0);
    }
    const demote = await runCliInProcess(['user', 'role', admin.name, 'manager'], handle(), {
      token: admin.token,
    });
    expect(demote.error).toBe('last_admin');
    const disable = await runCliInProcess(['user', 'disable', admin.name], handle(), { token: admin.token });
    expect(disable.error).toBe('last_admin');
  });

  it('audits user and role changes with the admin who made them', async () => {
    const added = await runCliInProcess(['user', 'add', 'quinn', '--role', 'qa', '--json'], handle(), {
      token: admin.token,
    });
    expect(added.code, added.stderr).toBe(0);
    const first = JSON.parse(added.stdout) as { token: string };
    expect((await runCliInProcess(['campaign', 'list'], handle(), { token: first.token })).code).toBe(0);
    expect(
      (await runCliInProcess(['user', 'role', 'quinn', 'manager'], handle(), { token: admin.token })).code,
    ).toBe(0);
    const entries = await listAudit(handle().db, { action: 'user.' });
    expect(entries.find((e) => e.action === 'user.add' && e.subject === 'user:quinn')).toMatchObject({
      actor: admin.name,
      role: 'admin',
    });
    expect(entries.find((e) => e.action === 'user.role' && e.subject === 'user:quinn')).toMatchObject({
      actor: admin.name,
      details: { from: 'qa', to: 'manager' },
    });
  });

  it('reads the token file when DIALER_TOKEN is unset, and refuses one other users can read', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dialer-token-file-')), 'token');
    writeFileSync(file, `${agent.token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    const env = { DIALER_TOKEN_FILE: file };
    const ok = await runCliInProcess(['campaign', 'list'], handle(), { env });
    expect(ok.code, ok.stderr).toBe(0);
    chmodSync(file, 0o640);
    const open = await runCliInProcess(['campaign', 'list'], handle(), { env });
    expect(open.code).toBe(1);
    expect(open.error).toBe('token_file_open');
    expect(open.stderr).toContain('chmod 600');
  });

  it('saves a created token to the token file as 0600 in a 0700 folder', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'dialer-token-save-')), 'config', 'dialer');
    const file = join(folder, 'token');
    const saved = await runCliInProcess(['token', 'create', '--save', '--json'], handle(), {
      token: agent.token,
      env: { DIALER_TOKEN_FILE: file },
    });
    expect(saved.code, saved.stderr).toBe(0);
    expect(JSON.parse(saved.stdout)).not.toHaveProperty('token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, '..')).mode & 0o777).toBe(0o700);
    const asSaved = await runCliInProcess(['token', 'list', '--json'], handle(), {
      env: { DIALER_TOKEN_FILE: file },
    });
    expect(asSaved.code, asSaved.stderr).toBe(0);
  });
});

describeEachDatabase('dialer user bootstrap', (handle) => {
  it('creates the first admin with a token shown once, and is refused once any user exists', async () => {
    const first = await runCliInProcess(['user', 'bootstrap', 'ada', '--json'], handle());
    expect(first.code, first.stderr).toBe(0);
    const { token, user } = JSON.parse(first.stdout) as { token: string; user: string };
    expect(user).toBe('ada');
    const listed = await runCliInProcess(['user', 'list', '--json'], handle(), { token });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'ada', role: 'admin' })]);
    expect(listed.stdout).not.toContain('password_hash');
    const again = await runCliInProcess(['user', 'bootstrap', 'mallory', '--json'], handle());
    expect(again.code).toBe(1);
    expect(again.error).toBe('already_bootstrapped');
    expect(await findUser(handle().db, 'mallory')).toBeUndefined();
  });
});
