import { z } from 'zod';
import { findAgentByUser, getAgentByCode } from '../../../db/queries/agents.ts';
import { ForbiddenError } from '../../../engine/access/errors.ts';
import { decide } from '../../../engine/access/permissions.ts';
import { NotFoundError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { authorizeAgentOperation } from '../../../engine/services/agent-operations.ts';
import { type Api, type ApiDeps, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import type { FeedMessage } from '../live-feed.ts';

/** Seconds between two comment lines that keep proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * The live feed as Server-Sent Events. `channel=agent` (an agent's default): the agent's own
 * state and screen pop (`event: agent`); a supervisor may watch an agent with `agent=<code>`.
 * `channel=manager` (everyone else's default; needs alarm.read): `snapshot` first (every
 * campaign's figures and the open alarms), then `figures` each second and each new `alarm`.
 * Every connection, a reconnection included, starts with the current state.
 */
export function eventRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;
  api.get(
    '/api/events',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['events'],
        summary: 'live feed (text/event-stream): agent state and screen pop, or campaign figures and alarms',
        querystring: z.strictObject({
          channel: z.enum(['agent', 'manager']).optional(),
          agent: z.string().max(FIELD_LIMITS.code).optional(),
        }),
        response: { 200: z.string().describe('text/event-stream'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const channel = request.query.channel ?? (principal.role === 'agent' ? 'agent' : 'manager');
      let subscribe: (send: (m: FeedMessage) => void) => Promise<() => void>;
      if (channel === 'agent') {
        const code = request.query.agent
          ? await authorizeAgentOperation(db, principal, request.query.agent)
          : (await findAgentByUser(db, principal.userId))?.code;
        if (!code) throw new NotFoundError('agent of user', principal.name);
        const agent = await getAgentByCode(db, code);
        subscribe = (send) => deps.feed.subscribeAgent(agent, send);
      } else {
        const decision = decide(principal, 'alarm.read');
        if (!decision.allowed)
          throw new ForbiddenError(principal, 'alarm.read', decision.needs, 'the manager feed');
        subscribe = (send) => deps.feed.subscribeManager(send);
      }
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      let id = 0;
      let closed = false;
      const send = (m: FeedMessage) => {
        if (closed) return;
        id += 1;
        raw.write(`id: ${id}\nevent: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`);
      };
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      let unsubscribe = () => {};
      request.raw.on('close', () => {
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
      });
      try {
        unsubscribe = await subscribe(send);
        if (closed) unsubscribe();
      } catch (error) {
        deps.logger.warn({ err: error }, 'live feed subscription failed');
        raw.end();
      }
    },
  );
}
