import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertAgent } from '../../db/queries/agents.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

describeEachDatabase('API: clients and the audit log', (database) => {
  let serving: Serving;
  beforeAll(async () => {
    serving = await serveForTest(database());
  });
  afterAll(async () => {
    await serving.stop();
  });

  it('registers a client, lists it, and audits who registered it with their role', async () => {
    const manager = await testUser(database().db, 'manager');
    const api = bearer(serving.url, manager.token);
    const added = await api('/api/clients', {
      method: 'POST',
      body: JSON.stringify({ code: 'api-client-1', name: 'API Client One', contact: 'ops@example.test' }),
    });
    expect(added.status).toBe(201);
    const client = (await added.json()) as { id: number; code: string };
    expect(client).toMatchObject({
      code: 'api-client-1',
      name: 'API Client One',
      contact: 'ops@example.test',
    });
    const listed = (await (await api('/api/clients')).json()) as Array<{ code: string }>;
    expect(listed.map((c) => c.code)).toContain('api-client-1');

    const officer = await testUser(database().db, 'compliance_officer');
    const audit = await bearer(
      serving.url,
      officer.token,
    )(`/api/audit?action=client.add&actor=${encodeURIComponent(manager.name)}`);
    expect(audit.status).toBe(200);
    expect(await audit.json()).toEqual([
      expect.objectContaining({
        actor: manager.name,
        role: 'manager',
        action: 'client.add',
        subject: `client:${client.id}`,
      }),
    ]);
  });

  it('refuses a duplicate client code with a conflict and a bad one per field, adding nothing', async () => {
    const manager = await testUser(database().db, 'manager');
    const api = bearer(serving.url, manager.token);
    const body = JSON.stringify({ code: 'api-client-2', name: 'Two' });
    expect((await api('/api/clients', { method: 'POST', body })).status).toBe(201);
    const again = await api('/api/clients', { method: 'POST', body });
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatchObject({ code: 'conflict' });
    const bad = await api('/api/clients', {
      method: 'POST',
      body: JSON.stringify({ code: 'Bad Code', name: 'Bad' }),
    });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ field: 'body.code' });
    const audited = await database()
      .db.selectFrom('audit_log')
      .select('subject')
      .where('actor', '=', manager.name)
      .execute();
    expect(audited).toHaveLength(1);
  });

  it('links an agent to a user of role agent, audited; refuses a user of another role', async () => {
    const { db } = database();
    const manager = await testUser(db, 'manager');
    const agentUser = await testUser(db, 'agent');
    const api = bearer(serving.url, manager.token);
    await insertAgent(db, { code: 'link-me', name: 'Link me', endpoint: 'PJSIP/link-me' });
    const refused = await api('/api/agents/link-me/user', {
      method: 'PUT',
      body: JSON.stringify({ user: manager.name }),
    });
    expect(refused.status).toBe(422);
    expect(await errorOf(refused)).toMatchObject({ code: 'invalid' });
    const linked = await api('/api/agents/link-me/user', {
      method: 'PUT',
      body: JSON.stringify({ user: agentUser.name }),
    });
    expect(linked.status).toBe(200);
    const row = await db
      .selectFrom('agents')
      .innerJoin('users', 'users.id', 'agents.user_id')
      .select('users.name')
      .where('agents.code', '=', 'link-me')
      .executeTakeFirstOrThrow();
    expect(row.name).toBe(agentUser.name);
    const audited = await db
      .selectFrom('audit_log')
      .select(['action', 'role'])
      .where('actor', '=', manager.name)
      .execute();
    expect(audited).toEqual([{ action: 'agent.link', role: 'manager' }]);
  });
});
