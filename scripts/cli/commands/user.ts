import type { Command } from 'commander';
import { addUser, listUsers, USER_ROLES } from '../../../db/queries/users.ts';
import type { UserRole } from '../../../db/schema.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { limitedText } from '../parse-text.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

export function registerUserCommands(program: Command, contextFor: ContextFactory): void {
  const user = program.command('user').description('users and roles (who may see full numbers)');

  user
    .command('add')
    .description('add a user; a compliance officer may see and export full numbers (--as <name>)')
    .argument('<name>', 'the user name used with --as')
    .requiredOption('--role <role>', USER_ROLES.join(' | '))
    .action(
      action(contextFor, async (ctx, name: string, opts: { role: string }) => {
        if (!USER_ROLES.includes(opts.role as UserRole)) {
          throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
        }
        if (!/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(name)) {
          throw new UsageError('a user name is letters, digits, and . _ @ -');
        }
        limitedText(name, 'a user name', FIELD_LIMITS.code);
        const { db } = await ctx.database();
        const row = await addUser(db, { name, role: opts.role as UserRole, actor: ctx.actor });
        ctx.out.result(row, () => ctx.out.line(`user ${row.name} added (${row.role})`));
      }),
    );

  user
    .command('list')
    .description('list users')
    .action(
      action(contextFor, async (ctx) => {
        const { db } = await ctx.database();
        const rows = await listUsers(db);
        ctx.out.result(rows, () =>
          ctx.out.table(rows, ['name', 'role', 'created_by', 'created_at', 'disabled_at']),
        );
      }),
    );
}
