import type { Command } from 'commander';
import { migrateToLatest, migrationStatus } from '../../../db/migrate.ts';
import { hasCredentials } from '../../../db/queries/users.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

export function registerDbCommands(program: Command, contextFor: ContextFactory): void {
  const db = program.command('db').description('database schema');

  db.command('migrate')
    .description('apply pending migrations (also done at engine start); an admin’s once users exist')
    .action(
      action(contextFor, 'anyone', async (ctx) => {
        const handle = await ctx.database({ migrate: false });
        // Before `user bootstrap` nobody can hold a token: a new database is migrated by anyone
        // who can reach it. Once users with credentials exist, only an admin.
        if (await hasCredentials(handle.db)) await ctx.authorize('db.migrate', 'dialer db migrate');
        const report = await migrateToLatest(handle.db);
        ctx.out.result({ database: handle.kind, location: handle.location, ...report }, () => {
          ctx.out.line(`database: ${handle.location}`);
          ctx.out.line(
            report.applied.length === 0
              ? `up to date (${report.total} migrations)`
              : `applied ${report.applied.length} of ${report.total}: ${report.applied.join(', ')}`,
          );
        });
      }),
    );

  db.command('status')
    .description('list migrations and whether each is applied')
    .action(
      action(contextFor, 'anyone', async (ctx) => {
        const handle = await ctx.database({ migrate: false });
        const migrations = await migrationStatus(handle.db);
        const pending = migrations.filter((m) => m.executedAt === null).length;
        ctx.out.result({ database: handle.kind, location: handle.location, pending, migrations }, () => {
          ctx.out.line(`database: ${handle.location}`);
          ctx.out.table(
            migrations.map((m) => ({ migration: m.name, applied: m.executedAt ?? 'pending' })),
            ['migration', 'applied'],
          );
        });
      }),
    );
}
