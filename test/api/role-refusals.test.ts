import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertAgent } from '../../db/queries/agents.ts';
import type { UserRole } from '../../db/schema.ts';
import { can, type Permission, ROLES } from '../../engine/access/permissions.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

/**
 * Every route with its permission. Allowed roles send a request that is then refused by its
 * schema or finds nothing (400/404/422: nothing changes); refused roles get 403 before the body is
 * even read. GETs are harmless and answer 200 to those allowed.
 */
const ROUTES: ReadonlyArray<{ method: string; path: string; permission: Permission; body?: unknown }> = [
  { method: 'GET', path: '/api/campaigns', permission: 'campaign.read' },
  { method: 'POST', path: '/api/campaigns', permission: 'campaign.create', body: { name: '' } },
  { method: 'POST', path: '/api/campaigns/999999/start', permission: 'campaign.control' },
  { method: 'POST', path: '/api/campaigns/999999/pause', permission: 'campaign.control' },
  { method: 'POST', path: '/api/campaigns/999999/stop', permission: 'campaign.control' },
  { method: 'GET', path: '/api/agents', permission: 'agent.read' },
  { method: 'POST', path: '/api/agents', permission: 'agent.add', body: { code: 'Bad Code' } },
  {
    method: 'POST',
    path: '/api/lists/uploads/00000000000000000000000000000000/preview',
    permission: 'list.import',
    body: {},
  },
  {
    method: 'POST',
    path: '/api/lists/uploads/00000000000000000000000000000000/import',
    permission: 'list.import',
    body: {},
  },
  { method: 'GET', path: '/api/lists/batches', permission: 'list.read' },
  { method: 'GET', path: '/api/dnc', permission: 'dnc.read' },
  { method: 'POST', path: '/api/dnc', permission: 'dnc.add', body: {} },
  { method: 'POST', path: '/api/dnc/remove', permission: 'dnc.remove', body: {} },
  { method: 'GET', path: '/api/approvals', permission: 'approval.read' },
  { method: 'POST', path: '/api/approvals', permission: 'approval.record', body: {} },
  { method: 'POST', path: '/api/approvals/999999/revoke', permission: 'approval.revoke', body: {} },
  { method: 'GET', path: '/api/log', permission: 'log.read' },
  { method: 'GET', path: '/api/log/999999', permission: 'log.read' },
  { method: 'GET', path: '/api/log/verify', permission: 'log.read' },
  { method: 'GET', path: '/api/log/export?campaign=999999', permission: 'log.export' },
  { method: 'GET', path: '/api/reports/summary', permission: 'report.read' },
  { method: 'GET', path: '/api/reports/abandonment?campaign=999999', permission: 'report.read' },
  { method: 'GET', path: '/api/alarms', permission: 'alarm.read' },
  { method: 'GET', path: '/api/users', permission: 'user.list' },
  { method: 'POST', path: '/api/users', permission: 'user.manage', body: {} },
  { method: 'PUT', path: '/api/users/nobody/role', permission: 'user.manage', body: {} },
  { method: 'POST', path: '/api/users/nobody-at-all/disable', permission: 'user.manage' },
  { method: 'GET', path: '/api/clients', permission: 'client.read' },
  { method: 'POST', path: '/api/clients', permission: 'client.add', body: { code: 'Bad Code' } },
  { method: 'GET', path: '/api/audit', permission: 'audit.read' },
  {
    method: 'PUT',
    path: '/api/agents/no-such-agent/user',
    permission: 'agent.add',
    body: { user: 'nobody' },
  },
  { method: 'GET', path: '/api/recordings', permission: 'recording.read' },
  { method: 'GET', path: '/api/recordings/999999', permission: 'recording.read' },
  { method: 'GET', path: '/api/recordings/999999/file', permission: 'recording.download' },
  { method: 'GET', path: '/api/campaigns/999999/qa-form', permission: 'qa.read' },
  { method: 'PUT', path: '/api/campaigns/999999/qa-form', permission: 'qa.form', body: {} },
  { method: 'POST', path: '/api/recordings/999999/evaluations', permission: 'qa.score', body: {} },
  { method: 'GET', path: '/api/qa/report', permission: 'qa.read' },
  { method: 'POST', path: '/api/dnc/check', permission: 'dnc.read', body: {} },
  { method: 'POST', path: '/api/dnc/history', permission: 'dnc.read', body: {} },
  { method: 'POST', path: '/api/dnc/national?region=ZZZ', permission: 'dnc.import' },
  { method: 'GET', path: '/api/lists/held?campaign=999999', permission: 'list.read' },
  { method: 'GET', path: '/api/lists/batches/999999/rejects', permission: 'list.read' },
  { method: 'POST', path: '/api/log/checkpoint', permission: 'log.checkpoint' },
  { method: 'POST', path: '/api/outcomes/999999/correct', permission: 'outcome.correct', body: {} },
  { method: 'GET', path: '/api/outcomes?contact=999999', permission: 'outcome.read' },
  { method: 'POST', path: '/api/compliance/check', permission: 'compliance.read', body: {} },
  { method: 'POST', path: '/api/compliance/history', permission: 'compliance.read', body: {} },
  { method: 'GET', path: '/api/compliance/presets', permission: 'compliance.read' },
  { method: 'GET', path: '/api/compliance/presets/us', permission: 'compliance.read' },
  { method: 'GET', path: '/api/campaigns/999999/preset', permission: 'compliance.read' },
  { method: 'GET', path: '/api/retention', permission: 'compliance.read' },
  { method: 'POST', path: '/api/retention/purge', permission: 'retention.purge', body: {} },
  { method: 'POST', path: '/api/recordings/purge', permission: 'recording.purge', body: { at: 'soon' } },
];

describeEachDatabase('API: role × route refusals', (database) => {
  let serving: Serving;
  const users = new Map<UserRole, TestUser>();
  let campaignId = 0;

  beforeAll(async () => {
    serving = await serveForTest(database());
    for (const role of ROLES) users.set(role, await testUser(database().db, role));
    campaignId = (await makeCampaign(database().db)).campaign.id;
  });
  afterAll(async () => {
    await serving.stop();
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}: only ${route.permission}`, async () => {
      for (const role of ROLES) {
        const response = await bearer(serving.url, users.get(role)!.token)(route.path, {
          method: route.method,
          ...(route.body !== undefined ? { body: JSON.stringify(route.body) } : {}),
        });
        if (can(role, route.permission)) {
          expect(response.status, `${role} may`).not.toBe(403);
          expect(response.status, `${role} may`).toBeLessThan(500);
        } else {
          expect(response.status, `${role} may not`).toBe(403);
          expect(await errorOf(response), role).toMatchObject({ code: 'forbidden' });
        }
      }
    });
  }

  it('lets an agent operate only the agent linked to them; supervisors any agent', async () => {
    const { db } = database();
    const agentUser = users.get('agent')!;
    const linked = await db
      .selectFrom('users')
      .select('id')
      .where('name', '=', agentUser.name)
      .executeTakeFirstOrThrow();
    await insertAgent(db, {
      code: 'linked-agent',
      name: 'Linked',
      endpoint: 'PJSIP/linked',
      user_id: linked.id,
    });
    await insertAgent(db, { code: 'other-agent', name: 'Other', endpoint: 'PJSIP/other' });
    const asAgent = bearer(serving.url, agentUser.token);
    const other = await asAgent('/api/agents/other-agent/ready', { method: 'POST' });
    expect(other.status).toBe(403);
    const own = await asAgent('/api/agents/me/login', {
      method: 'POST',
      body: JSON.stringify({ campaignId }),
    });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ agent: 'linked-agent', state: { kind: 'logging_in' } });
    const asManager = bearer(serving.url, users.get('manager')!.token);
    const screen = await asManager('/api/agents/other-agent/screen');
    expect(screen.status).toBe(200);
    for (const role of ['compliance_officer', 'qa'] as const) {
      const refused = await bearer(serving.url, users.get(role)!.token)('/api/agents/other-agent/screen');
      expect(refused.status, role).toBe(403);
    }
  });

  it('shows a full number only to numbers.full, and audits it', async () => {
    for (const role of ROLES) {
      const response = await bearer(serving.url, users.get(role)!.token)('/api/dnc?unmask=true');
      expect(response.status, role).toBe(can(role, 'numbers.full') ? 200 : 403);
    }
    const officer = users.get('compliance_officer')!;
    const audited = await database()
      .db.selectFrom('audit_log')
      .select(['action', 'role'])
      .where('actor', '=', officer.name)
      .where('action', '=', 'dnc.unmask')
      .execute();
    expect(audited).toEqual([{ action: 'dnc.unmask', role: 'compliance_officer' }]);
  });
});
