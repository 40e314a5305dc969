import { z } from 'zod';
import { findAgentByUser } from '../../../db/queries/agents.ts';
import { insertToken, listTokens, revokeToken } from '../../../db/queries/api-tokens.ts';
import { decide, PERMISSIONS, type Permission } from '../../../engine/access/permissions.ts';
import { csrfTokenFor, signIn } from '../../../engine/access/sign-in.ts';
import {
  DEFAULT_TOKEN_DAYS,
  generateToken,
  hashToken,
  parseLifetime,
} from '../../../engine/access/tokens.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../app.ts';
import { type Api, type ApiDeps, actorOf, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { iso, isoOrNull } from '../json.ts';

const me = z.strictObject({
  name: z.string(),
  role: z.string(),
  permissions: z.array(z.string()),
  via: z.enum(['bearer', 'cookie']),
  agent: z.strictObject({ id: z.number(), code: z.string() }).nullable(),
});

const tokenView = z.strictObject({
  id: z.number(),
  name: z.string(),
  user: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

/** Sign-in (cookie session + CSRF token), who am I, sign-out, and one's own API tokens. */
export function sessionRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;

  api.post(
    '/api/session',
    {
      config: {
        access: 'anyone',
        rateLimit: { max: deps.config.serve.signInPerMinute, timeWindow: 60_000 },
      },
      schema: {
        tags: ['session'],
        summary: 'sign in: sets the session cookie; answers the CSRF token to send back on changes',
        body: z.strictObject({
          name: z.string().min(1).max(FIELD_LIMITS.code),
          password: z.string().min(1).max(1024),
        }),
        response: {
          200: z.strictObject({
            user: z.strictObject({ name: z.string(), role: z.string() }),
            csrfToken: z.string(),
            expiresAt: z.string(),
          }),
          ...errorResponses,
          429: errorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const session = await signIn(db, {
        ...request.body,
        now: new Date(),
        hours: deps.config.serve.sessionHours,
      });
      const csrfToken = csrfTokenFor(session.token);
      const secure = request.protocol === 'https';
      const cookie = { path: '/api', sameSite: 'strict' as const, secure, expires: session.expiresAt };
      void reply.setCookie(SESSION_COOKIE, session.token, { ...cookie, httpOnly: true });
      void reply.setCookie(CSRF_COOKIE, csrfToken, { ...cookie, httpOnly: false });
      return {
        user: { name: session.principal.name, role: session.principal.role },
        csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      };
    },
  );

  api.get(
    '/api/session',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['session'], summary: 'who is signed in', response: { 200: me, ...errorResponses } },
    },
    async (request) => {
      const p = principalOf(request);
      const agent = await findAgentByUser(db, p.userId);
      return {
        name: p.name,
        role: p.role,
        permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((k) => decide(p, k).allowed),
        via: request.via ?? 'bearer',
        agent: agent ? { id: agent.id, code: agent.code } : null,
      };
    },
  );

  api.delete(
    '/api/session',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['session'],
        summary: 'sign out: revokes the session token, clears the cookies',
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      if (p.tokenId !== undefined) {
        await revokeToken(db, {
          tokenId: p.tokenId,
          ownerId: p.userId,
          actor: actorOf(request),
          at: deps.clock.now(),
        });
      }
      void reply.clearCookie(SESSION_COOKIE, { path: '/api' });
      void reply.clearCookie(CSRF_COOKIE, { path: '/api' });
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/api/tokens',
    {
      config: { access: 'self.credentials' },
      schema: {
        tags: ['session'],
        summary: 'your API tokens (web sessions included)',
        response: { 200: z.array(tokenView), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await listTokens(db, { userId: principalOf(request).userId });
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        user: r.user,
        createdAt: iso(r.created_at),
        expiresAt: iso(r.expires_at),
        revokedAt: isoOrNull(r.revoked_at),
        lastUsedAt: isoOrNull(r.last_used_at),
      }));
    },
  );

  api.post(
    '/api/tokens',
    {
      config: { access: 'self.credentials' },
      schema: {
        tags: ['session'],
        summary: 'a new API token for scripts (shown once)',
        body: z.strictObject({
          name: z.string().min(1).max(FIELD_LIMITS.name),
          expires: z.string().max(16).optional().describe('30d, 12h or 90m; default 30d'),
        }),
        response: {
          201: z.strictObject({ id: z.number(), name: z.string(), token: z.string(), expiresAt: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const lifetime = request.body.expires
        ? parseLifetime(request.body.expires)
        : DEFAULT_TOKEN_DAYS * 86_400_000;
      const token = generateToken();
      const row = await insertToken(db, {
        userId: p.userId,
        userName: p.name,
        name: request.body.name,
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + lifetime),
        actor: actorOf(request),
      });
      return reply.status(201).send({ id: row.id, name: row.name, token, expiresAt: iso(row.expires_at) });
    },
  );

  api.delete(
    '/api/tokens/:id',
    {
      config: { access: 'self.credentials' },
      schema: {
        tags: ['session'],
        summary: 'revoke one of your tokens (an admin: anyone’s)',
        params: z.strictObject({ id: z.coerce.number().int().min(1).max(2147483647) }),
        response: {
          200: z.strictObject({ id: z.number(), revokedAt: z.string(), changed: z.boolean() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const anyone = decide(p, 'user.manage').allowed;
      const result = await revokeToken(db, {
        tokenId: request.params.id,
        ...(anyone ? {} : { ownerId: p.userId }),
        actor: actorOf(request),
        at: deps.clock.now(),
      });
      return { id: result.id, revokedAt: iso(result.revokedAt), changed: result.changed };
    },
  );
}
