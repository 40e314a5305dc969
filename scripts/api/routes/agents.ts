import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findOpenSession } from '../../../db/queries/agent-sessions.ts';
import { getAgentByCode, insertAgent, listAgents } from '../../../db/queries/agents.ts';
import { recordAudit } from '../../../db/queries/audit.ts';
import { findUser } from '../../../db/queries/users.ts';
import { describe as describeState } from '../../../engine/agents/agent-state.ts';
import { NotFoundError, UserError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { linkAgentToUser } from '../../../engine/services/agent-link.ts';
import { auditAgentOperation, authorizeAgentOperation } from '../../../engine/services/agent-operations.ts';
import { agentScreen } from '../../../engine/services/agent-screen.ts';
import { type Api, type ApiDeps, actorOf, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { iso } from '../json.ts';
import { agentScreenView, agentStateView, stateJson } from '../schemas.ts';

const codeParam = z.strictObject({
  code: z
    .string()
    .max(FIELD_LIMITS.code)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be an agent code such as agent-101, or me'),
});

const agentInput = z.strictObject({
  code: codeParam.shape.code,
  name: z.string().min(1).max(FIELD_LIMITS.name),
  endpoint: z
    .string()
    .max(FIELD_LIMITS.reference)
    .regex(/^[A-Za-z]+\/\S+$/, 'must be an Asterisk endpoint such as PJSIP/agent-101'),
  user: z.string().min(1).max(FIELD_LIMITS.code).optional(),
});

const agentView = z.strictObject({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  endpoint: z.string(),
  campaignId: z.number().nullable(),
  state: agentStateView,
  detail: z.string(),
});

const stateReply = z.strictObject({ agent: z.string(), state: agentStateView });

/** Agents: the roster, and each agent's work (log in, ready, pause, preview, the call, its outcome). */
export function agentRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;
  const { agents } = deps.services;

  /** The agent code the request may operate (`me`: the caller's own agent). */
  const operate = (request: FastifyRequest & { params: { code: string } }) =>
    authorizeAgentOperation(db, principalOf(request), request.params.code);
  /** After a change: the engine of this process and the live feed look now, not at their next tick. */
  const changed = () => {
    deps.host?.poke();
    deps.feed.poke();
  };

  api.get(
    '/api/agents',
    {
      config: { access: 'agent.read' },
      schema: {
        tags: ['agents'],
        summary: 'agents and their state',
        response: { 200: z.array(agentView), ...errorResponses },
      },
    },
    async () => {
      const rows = [];
      for (const a of await listAgents(db)) {
        const status = await agents.status(a.code).catch(() => null);
        const state = status?.state ?? { kind: 'offline' as const };
        rows.push({
          id: a.id,
          code: a.code,
          name: a.name,
          endpoint: a.endpoint,
          campaignId: status?.session?.campaign_id ?? null,
          state: stateJson(state),
          detail: describeState(state),
        });
      }
      return rows;
    },
  );

  api.post(
    '/api/agents',
    {
      config: { access: 'agent.add' },
      schema: {
        tags: ['agents'],
        summary: 'register an agent (and the user, role agent, who operates it)',
        body: agentInput,
        response: {
          201: z.strictObject({ id: z.number(), code: z.string(), name: z.string(), endpoint: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { user: userName, ...input } = request.body;
      let userId: number | undefined;
      if (userName) {
        const user = await findUser(db, userName);
        if (!user) throw new NotFoundError('user', userName);
        if (user.role !== 'agent')
          throw new UserError(`user ${userName} is ${user.role}, not agent`, 'invalid');
        userId = user.id;
      }
      const row = await insertAgent(db, { ...input, ...(userId !== undefined ? { user_id: userId } : {}) });
      const actor = actorOf(request);
      await recordAudit(db, {
        actor: actor.name,
        role: actor.role,
        action: 'agent.add',
        subject: `agent:${row.id}`,
        details: { ...input, user: userName ?? null },
      });
      return reply.status(201).send({ id: row.id, code: row.code, name: row.name, endpoint: row.endpoint });
    },
  );

  api.put(
    '/api/agents/:code/user',
    {
      config: { access: 'agent.add' },
      schema: {
        tags: ['agents'],
        summary: 'let a user (role agent) operate this agent, and only this one; audited',
        params: codeParam,
        body: z.strictObject({ user: z.string().min(1).max(FIELD_LIMITS.code) }),
        response: {
          200: z.strictObject({ id: z.number(), code: z.string(), user: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const row = await linkAgentToUser(db, request.params.code, request.body.user, actorOf(request));
      return { id: row.id, code: row.code, user: request.body.user };
    },
  );

  api.get(
    '/api/agents/:code/screen',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agents'],
        summary: 'the agent’s state and current call: masked number, list fields, campaign script',
        params: codeParam,
        response: { 200: agentScreenView, ...errorResponses },
      },
    },
    async (request) => {
      const code = await operate(request);
      const agent = await getAgentByCode(db, code);
      const session = await findOpenSession(db, agent.id);
      const screen = await agentScreen(db, agent, session ?? null);
      return { ...screen, state: stateJson(screen.state) };
    },
  );

  api.post(
    '/api/agents/:code/login',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agents'],
        summary: 'log in to a campaign: the engine calls the agent’s phone (the seat); ready once answered',
        params: codeParam,
        body: z.strictObject({ campaignId: z.number().int().min(1).max(2147483647) }),
        response: {
          200: stateReply.extend({ session: z.number(), endpoint: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const code = await operate(request);
      const result = await agents.login(code, request.body.campaignId);
      await auditAgentOperation(db, actorOf(request), code, 'login', {
        campaignId: result.session.campaign_id,
        via: 'api',
      });
      changed();
      return {
        agent: code,
        session: result.session.id,
        endpoint: result.agent.endpoint,
        state: stateJson(result.state),
      };
    },
  );

  for (const name of ['ready', 'logout'] as const) {
    api.post(
      `/api/agents/:code/${name}`,
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['agents'],
          summary:
            name === 'ready' ? 'take calls (again)' : 'log out (after the current call and its outcome)',
          params: codeParam,
          response: { 200: stateReply, ...errorResponses },
        },
      },
      async (request) => {
        const code = await operate(request);
        const applied = await agents[name](code);
        await auditAgentOperation(db, actorOf(request), code, name, { via: 'api' });
        changed();
        return { agent: code, state: stateJson(applied.state) };
      },
    );
  }

  api.post(
    '/api/agents/:code/pause',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agents'],
        summary: 'stop taking calls, with a reason (after the current call and its outcome)',
        params: codeParam,
        body: z.strictObject({ reason: z.string().min(1).max(FIELD_LIMITS.text) }),
        response: { 200: stateReply, ...errorResponses },
      },
    },
    async (request) => {
      const code = await operate(request);
      const applied = await agents.pause(code, request.body.reason);
      await auditAgentOperation(db, actorOf(request), code, 'pause', {
        reason: request.body.reason,
        via: 'api',
      });
      changed();
      return { agent: code, state: stateJson(applied.state) };
    },
  );

  for (const name of ['accept', 'skip'] as const) {
    api.post(
      `/api/agents/:code/preview/${name}`,
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['agents'],
          summary:
            name === 'accept'
              ? 'preview: dial the lead on screen'
              : 'preview: put the lead back and get another',
          params: codeParam,
          response: {
            200: z.strictObject({
              agent: z.string(),
              contactId: z.number().nullable(),
              decision: z.string(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const code = await operate(request);
        const result = name === 'accept' ? await agents.acceptPreview(code) : await agents.skipPreview(code);
        await auditAgentOperation(db, actorOf(request), code, name, {
          contactId: result.contactId,
          via: 'api',
        });
        changed();
        return { agent: code, contactId: result.contactId, decision: result.decision };
      },
    );
  }

  const decisionView = z.strictObject({
    final: z.boolean(),
    status: z.string().optional(),
    nextAttemptAt: z.string().nullable().optional(),
    optOut: z.boolean().optional(),
  });
  const tagReply = z.strictObject({
    agent: z.string(),
    tag: z.string(),
    decision: decisionView,
    state: agentStateView,
  });
  const tagged = (code: string, result: Awaited<ReturnType<typeof agents.tagOutcome>>) => ({
    agent: code,
    tag: result.outcome.tag,
    decision: {
      final: result.decision.final,
      ...(result.decision.status ? { status: result.decision.status } : {}),
      nextAttemptAt: result.decision.nextAttemptAt ? iso(result.decision.nextAttemptAt) : null,
      optOut: Boolean(result.decision.optOut),
    },
    state: stateJson(result.state),
  });

  api.post(
    '/api/agents/:code/outcome',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agents'],
        summary:
          'tag the call in wrap-up: {tag, …fields} validated by the campaign type’s outcome schema (422 with every field at fault)',
        params: codeParam,
        body: z.record(z.string(), z.unknown()),
        response: { 200: tagReply, ...errorResponses },
      },
    },
    async (request) => {
      const code = await operate(request);
      const result = await agents.tagOutcome(code, request.body);
      await auditAgentOperation(db, actorOf(request), code, 'tag', { tag: result.outcome.tag, via: 'api' });
      changed();
      return tagged(code, result);
    },
  );

  api.post(
    '/api/agents/:code/callback',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['agents'],
        summary:
          'outcome of the call in wrap-up: call this person back at a time (the agent’s own unless anyone)',
        params: codeParam,
        body: z.strictObject({
          at: z.iso.datetime({ offset: true }),
          anyone: z.boolean().default(false),
          note: z.string().max(FIELD_LIMITS.text).optional(),
        }),
        response: { 200: tagReply, ...errorResponses },
      },
    },
    async (request) => {
      const code = await operate(request);
      const at = new Date(request.body.at);
      const result = await agents.scheduleCallback(code, at, {
        personal: !request.body.anyone,
        ...(request.body.note ? { note: request.body.note } : {}),
      });
      await auditAgentOperation(db, actorOf(request), code, 'callback', { at: at.toISOString(), via: 'api' });
      changed();
      return tagged(code, result);
    },
  );
}
