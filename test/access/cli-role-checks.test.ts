import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { insertAgent, linkAgentUser } from '../../db/queries/agents.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testAdmin, testUser } from '../support/identity.ts';

/**
 * The CLI's role checks as one table: command × role → allowed or refused. Written out by hand
 * (not read from engine/access/permissions.ts), so a change to the permission table shows up
 * here as a changed specification. "Allowed" means the command got past the role check: most
 * rows name things that do not exist, so an allowed command then fails as not found; a refused
 * one fails with the code `forbidden`, one line, exit 1, and writes nothing to the audit log.
 */

type Role = 'admin' | 'manager' | 'agent' | 'compliance_officer' | 'qa';
const ROLES: readonly Role[] = ['admin', 'manager', 'agent', 'compliance_officer', 'qa'];
const ALL = ROLES;
const STAFF: readonly Role[] = ['admin', 'manager', 'compliance_officer', 'qa'];
const SUPERVISORS: readonly Role[] = ['admin', 'manager'];
const OFFICER: readonly Role[] = ['compliance_officer'];

const out = mkdtempSync(join(tmpdir(), 'dialer-role-checks-'));
const period = ['--from', '2026-11-01', '--to', '2026-11-30', '--format', 'csv'];

/** [command, roles allowed]; `{role}` in an argument becomes the acting role (unique names). */
const TABLE: ReadonlyArray<readonly [readonly string[], readonly Role[]]> = [
  // users and credentials
  [['user', 'add', 'new-{role}', '--role', 'qa'], ['admin']],
  [
    ['user', 'list'],
    ['admin', 'manager', 'compliance_officer'],
  ],
  [['user', 'disable', 'nobody'], ['admin']],
  [['user', 'role', 'nobody', 'qa'], ['admin']],
  [['user', 'password', 'nobody'], ['admin']],
  [['user', 'password'], ALL],
  [['token', 'create', '--name', 'x'], ALL],
  [['token', 'list'], ALL],
  [['token', 'list', '--all'], ['admin']],
  [['token', 'revoke', '999999'], ALL],
  [['db', 'migrate'], ['admin']],
  // clients and campaigns
  [['client', 'add', 'client-{role}', '--name', 'C'], SUPERVISORS],
  [['client', 'list'], STAFF],
  [['campaign', 'create', '--file', '/nonexistent/campaign.json'], SUPERVISORS],
  [['examples'], SUPERVISORS],
  [['campaign', 'list'], ALL],
  [['campaign', 'show', '999'], ALL],
  [['campaign', 'start', '999'], SUPERVISORS],
  [['campaign', 'pause', '999'], SUPERVISORS],
  [['campaign', 'stop', '999'], SUPERVISORS],
  [['run', '--campaign', '999'], SUPERVISORS],
  // lists
  [['list', 'import', '--campaign', '999', '--file', '/nonexistent/list.csv'], SUPERVISORS],
  [
    ['list', 'batches', '--campaign', '999'],
    ['admin', 'manager', 'compliance_officer'],
  ],
  [
    ['list', 'held', '--campaign', '999'],
    ['admin', 'manager', 'compliance_officer'],
  ],
  [
    ['list', 'rejects', '--batch', '999'],
    ['admin', 'manager', 'compliance_officer'],
  ],
  // do-not-call, approvals, the gate
  [['dnc', 'add', '2125550100', '--scope', 'campaign:999'], ALL],
  [['dnc', 'remove', '2125550100', '--scope', 'campaign:999', '--reason', 'x'], OFFICER],
  [['dnc', 'check', '2125550100'], STAFF],
  [['dnc', 'list'], STAFF],
  [['dnc', 'list', '--unmask'], OFFICER],
  [
    ['dnc', 'import', '--scope', 'national', '--file', '/nonexistent/registry.txt'],
    ['admin', 'compliance_officer'],
  ],
  [
    [
      'approval',
      'record',
      '--client',
      'nobody',
      '--campaign',
      '999',
      '--reference',
      'R',
      '--approved-by',
      'X',
    ],
    OFFICER,
  ],
  [['approval', 'list'], STAFF],
  [['approval', 'revoke', '999', '--reason', 'r'], OFFICER],
  [['compliance', 'check', '--campaign', '999', '--phone', '2125550100'], STAFF],
  [['compliance', 'history', '--phone', '2125550100'], STAFF],
  [['compliance', 'preset', 'show', 'us'], STAFF],
  [['retention', 'report'], STAFF],
  [['retention', 'purge', '--kind', 'recordings', '--dry-run'], OFFICER],
  // the dial log, reports, audit
  [['log', 'verify'], STAFF],
  [['log', 'list'], STAFF],
  [['log', 'show', '999'], STAFF],
  [['log', 'show', '999', '--unmask'], OFFICER],
  [
    ['log', 'export', '--campaign', '999', ...period, '--output', join(out, '{role}.csv')],
    ['admin', 'manager', 'compliance_officer'],
  ],
  [
    ['log', 'export', '--campaign', '999', ...period, '--full', '--output', join(out, 'full-{role}.csv')],
    OFFICER,
  ],
  [['report', 'summary', '--period', 'day'], STAFF],
  [['report', 'abandonment', '--campaign', '999'], STAFF],
  [
    ['audit', 'list'],
    ['admin', 'compliance_officer'],
  ],
  [
    ['alarm', 'list'],
    ['admin', 'manager', 'compliance_officer'],
  ],
  // agents: supervisors operate any agent, an agent only their own
  [['agent', 'add', 'agent-{role}', '--name', 'A', '--endpoint', 'PJSIP/a'], SUPERVISORS],
  [['agent', 'link', 'no-such-agent', 'nobody'], SUPERVISORS],
  [['agent', 'list'], ALL],
  [['agent', 'status', 'own-agent'], ALL],
  [
    ['agent', 'ready', 'own-agent'],
    ['admin', 'manager', 'agent'],
  ],
  [
    ['agent', 'pause', 'own-agent', '--reason', 'break'],
    ['admin', 'manager', 'agent'],
  ],
  [
    ['agent', 'tag', 'own-agent', 'sale'],
    ['admin', 'manager', 'agent'],
  ],
  [['agent', 'ready', 'other-agent'], SUPERVISORS],
  [['agent', 'logout', 'other-agent'], SUPERVISORS],
  [['agent', 'login', 'other-agent', '--campaign', '999'], SUPERVISORS],
];

describeEachDatabase('the CLI’s role checks: command × role', (handle) => {
  const users = {} as Record<Role, TestUser>;

  beforeAll(async () => {
    const { db } = handle();
    users.admin = await testAdmin(db);
    for (const role of ROLES.filter((r) => r !== 'admin')) users[role] = await testUser(db, role);
    const own = await insertAgent(db, { code: 'own-agent', name: 'Own', endpoint: 'PJSIP/own' });
    await linkAgentUser(
      db,
      own.code,
      (
        await db
          .selectFrom('users')
          .select('id')
          .where('name', '=', users.agent.name)
          .executeTakeFirstOrThrow()
      ).id,
    );
    await insertAgent(db, { code: 'other-agent', name: 'Other', endpoint: 'PJSIP/other' });
  });

  const auditCount = async () =>
    Number(
      (
        await handle()
          .db.selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const cases = TABLE.flatMap(([args, allowed]) =>
    ROLES.map((role) => [args.join(' ').replaceAll('{role}', role), role, allowed.includes(role)] as const),
  );

  it.each(cases)('dialer %s as %s → allowed %s', async (command, role, allowed) => {
    const args = TABLE.find(([a]) => a.join(' ').replaceAll('{role}', role) === command)?.[0] ?? [];
    const before = await auditCount();
    const result = await runCliInProcess(
      args.map((a) => a.replaceAll('{role}', role)),
      handle(),
      { token: users[role].token, secret: 'a long enough password' },
    );
    if (allowed) {
      expect(result.error, result.stderr).not.toBe('forbidden');
    } else {
      expect(result.error, result.stderr).toBe('forbidden');
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`is ${role}`);
      expect(result.stdout).toBe('');
      expect(await auditCount()).toBe(before);
    }
  });
});
