import { z } from 'zod';
import {
  addUser,
  disableUser,
  listUsers,
  setPasswordHash,
  setUserRole,
  USER_ROLES,
} from '../../../db/queries/users.ts';
import { ForbiddenError } from '../../../engine/access/errors.ts';
import { hashPassword } from '../../../engine/access/passwords.ts';
import { decide, ROLES } from '../../../engine/access/permissions.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { type Api, type ApiDeps, actorOf, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { iso, isoOrNull } from '../json.ts';

const userName = z
  .string()
  .min(1)
  .max(FIELD_LIMITS.code)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, . - _');
const nameParam = z.strictObject({ name: userName });
const userView = z.strictObject({
  name: z.string(),
  role: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
  passwordChangedAt: z.string().nullable(),
});

/** Users: list, add, change role, disable, set a password (one's own, or anyone's as admin). */
export function userRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;

  api.get(
    '/api/users',
    {
      config: { access: 'user.list' },
      schema: {
        tags: ['users'],
        summary: 'users and their roles',
        response: { 200: z.array(userView), ...errorResponses },
      },
    },
    async () =>
      (await listUsers(db)).map((u) => ({
        name: u.name,
        role: u.role,
        createdBy: u.created_by ?? null,
        createdAt: iso(u.created_at),
        disabledAt: isoOrNull(u.disabled_at),
        passwordChangedAt: isoOrNull(u.password_changed_at),
      })),
  );

  api.post(
    '/api/users',
    {
      config: { access: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: 'add a user with a role (and optionally a password for the web sign-in)',
        body: z.strictObject({
          name: userName,
          role: z.enum(ROLES),
          password: z.string().min(1).max(1024).optional(),
        }),
        response: { 201: z.strictObject({ name: z.string(), role: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name, role, password } = request.body;
      const passwordHash = password ? await hashPassword(password) : undefined;
      const row = await addUser(db, { name, role, actor: actorOf(request) });
      if (passwordHash)
        await setPasswordHash(db, { name, passwordHash, actor: actorOf(request), at: deps.clock.now() });
      return reply.status(201).send({ name: row.name, role: row.role });
    },
  );

  api.put(
    '/api/users/:name/role',
    {
      config: { access: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: `change a user's role (${USER_ROLES.join(', ')}); the last enabled admin stays one`,
        params: nameParam,
        body: z.strictObject({ role: z.enum(ROLES) }),
        response: {
          200: z.strictObject({ name: z.string(), role: z.string(), changed: z.boolean() }),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      setUserRole(db, { name: request.params.name, role: request.body.role, actor: actorOf(request) }),
  );

  api.post(
    '/api/users/:name/disable',
    {
      config: { access: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: 'disable a user: their tokens and sessions stop working at once',
        params: nameParam,
        response: {
          200: z.strictObject({ name: z.string(), disabledAt: z.string(), changed: z.boolean() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const result = await disableUser(db, {
        name: request.params.name,
        actor: actorOf(request),
        at: deps.clock.now(),
      });
      return { name: result.name, disabledAt: iso(result.disabledAt), changed: result.changed };
    },
  );

  api.put(
    '/api/users/:name/password',
    {
      config: { access: 'self.credentials' },
      schema: {
        tags: ['users'],
        summary: 'set your password (an admin: anyone’s); at least 12 characters',
        params: nameParam,
        body: z.strictObject({ password: z.string().min(1).max(1024) }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      if (request.params.name !== p.name) {
        const decision = decide(p, 'user.manage');
        if (!decision.allowed)
          throw new ForbiddenError(p, 'user.manage', decision.needs, 'setting another user’s password');
      }
      const passwordHash = await hashPassword(request.body.password);
      await setPasswordHash(db, {
        name: request.params.name,
        passwordHash,
        actor: actorOf(request),
        at: deps.clock.now(),
      });
      return reply.status(204).send(null);
    },
  );
}
