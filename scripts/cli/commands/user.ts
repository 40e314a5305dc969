import type { Command } from 'commander';
import {
  addUser,
  bootstrapAdmin,
  disableUser,
  listUsers,
  setPasswordHash,
  setUserRole,
  USER_ROLES,
  userListColumns,
} from '../../../db/queries/users.ts';
import type { UserRole } from '../../../db/schema.ts';
import { hashPassword } from '../../../engine/access/passwords.ts';
import { isRole } from '../../../engine/access/permissions.ts';
import { DEFAULT_TOKEN_DAYS } from '../../../engine/access/tokens.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { limitedText } from '../parse-text.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { newToken, showToken } from './token.ts';

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(name)) {
    throw new UsageError('a user name is letters, digits, and . _ @ -');
  }
}

function checkRole(role: string): UserRole {
  if (!isRole(role)) throw new UsageError(`the role must be one of ${USER_ROLES.join(', ')}; got "${role}"`);
  return role;
}

export function registerUserCommands(program: Command, contextFor: ContextFactory): void {
  const user = program.command('user').description('users, their roles and credentials');

  user
    .command('bootstrap')
    .description('create the first admin on a database without users; prints its API token once')
    .argument('<name>', 'the admin’s user name')
    .option('--expires <lifetime>', `the token’s lifetime (default ${DEFAULT_TOKEN_DAYS}d)`)
    .option('--save', 'write the token to the token file (0600) instead of printing it')
    .action(
      action(contextFor, 'anyone', async (ctx, name: string, opts: { expires?: string; save?: boolean }) => {
        checkName(name);
        const { secret, stored } = newToken(opts.expires, 'bootstrap');
        const { db } = await ctx.database();
        const row = await bootstrapAdmin(db, name, stored);
        showToken(ctx, row.name, row.token, secret, opts.save);
      }),
    );

  user
    .command('add')
    .description('add a user (admin); prints their first API token once, to hand over')
    .argument('<name>', 'user name')
    .requiredOption('--role <role>', USER_ROLES.join(' | '))
    .option('--expires <lifetime>', `the first token’s lifetime (default ${DEFAULT_TOKEN_DAYS}d)`)
    .action(
      action(
        contextFor,
        'user.manage',
        async (ctx, name: string, opts: { role: string; expires?: string }) => {
          const role = checkRole(opts.role);
          checkName(name);
          limitedText(name, 'a user name', FIELD_LIMITS.code);
          const { secret, stored } = newToken(opts.expires, 'first');
          const { db } = await ctx.database();
          const row = await addUser(db, { name, role, actor: ctx.auditActor, token: stored });
          if (!row.token) throw new Error('bug: the first token was not created');
          const token = row.token;
          ctx.out.result(
            {
              user: row.name,
              role: row.role,
              tokenId: token.id,
              expiresAt: token.expires_at.toISOString(),
              token: secret,
            },
            () => {
              ctx.out.line(`user ${row.name} added (${row.role})`);
              ctx.out.line(
                `their first API token (id ${token.id}, expires ${token.expires_at.toISOString()}), shown once; hand it over privately:`,
              );
              ctx.out.line(secret);
            },
          );
        },
      ),
    );

  user
    .command('list')
    .description('list users')
    .action(
      action(contextFor, 'user.list', async (ctx) => {
        const { db } = await ctx.database();
        const rows = await listUsers(db);
        ctx.out.result(rows, () => ctx.out.table(rows, userListColumns));
      }),
    );

  user
    .command('disable')
    .description('disable a user (admin): their tokens stop working at once')
    .argument('<name>', 'user name')
    .action(
      action(contextFor, 'user.manage', async (ctx, name: string) => {
        const { db } = await ctx.database();
        const result = await disableUser(db, { name, actor: ctx.auditActor, at: new Date() });
        ctx.out.result(result, () =>
          ctx.out.line(result.changed ? `user ${name} disabled` : `user ${name} was already disabled`),
        );
      }),
    );

  user
    .command('role')
    .description('change a user’s role (admin)')
    .argument('<name>', 'user name')
    .argument('<role>', USER_ROLES.join(' | '))
    .action(
      action(contextFor, 'user.manage', async (ctx, name: string, roleText: string) => {
        const role = checkRole(roleText);
        const { db } = await ctx.database();
        const result = await setUserRole(db, { name, role, actor: ctx.auditActor });
        ctx.out.result(result, () =>
          ctx.out.line(result.changed ? `user ${name} is now ${role}` : `user ${name} already is ${role}`),
        );
      }),
    );

  user
    .command('password')
    .description('set your password (or, as admin, another user’s), read from standard input')
    .argument('[name]', 'another user (admin)')
    .action(
      action(contextFor, 'self.credentials', async (ctx, name: string | undefined) => {
        const target = name ?? ctx.actor;
        if (target !== ctx.actor) await ctx.authorize('user.manage', 'setting another user’s password');
        const password = await ctx.readSecret(`new password for ${target}: `);
        const passwordHash = await hashPassword(password);
        const { db } = await ctx.database();
        await setPasswordHash(db, { name: target, passwordHash, actor: ctx.auditActor, at: new Date() });
        ctx.out.result({ user: target, passwordSet: true }, () => ctx.out.line(`password of ${target} set`));
      }),
    );
}
