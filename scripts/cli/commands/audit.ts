import type { Command } from 'commander';
import { listAuditEntries } from '../../../db/queries/reports.ts';
import { parseLimit } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant } from './compliance-args.ts';

export function registerAuditCommands(program: Command, contextFor: ContextFactory): void {
  const audit = program
    .command('audit')
    .description('the audit log: access to full numbers, compliance changes');

  audit
    .command('list')
    .description('audit entries, newest first')
    .option('--action <prefix>', 'e.g. export, dnc, approval, campaign')
    .option('--actor <name>', 'only this actor')
    .option('--since <date>', 'from this date or time')
    .option('--until <date>', 'before this date or time')
    .option('--limit <n>', 'at most this many', '100')
    .action(
      action(
        contextFor,
        'audit.read',
        async (
          ctx,
          opts: { action?: string; actor?: string; since?: string; until?: string; limit: string },
        ) => {
          const { db } = await ctx.database();
          const rows = await listAuditEntries(db, {
            ...(opts.action ? { action: opts.action } : {}),
            ...(opts.actor ? { actor: opts.actor } : {}),
            ...(opts.since ? { since: parseInstant(opts.since, '--since') } : {}),
            ...(opts.until ? { until: parseInstant(opts.until, '--until') } : {}),
            limit: parseLimit(opts.limit),
          });
          ctx.out.result(rows, () =>
            ctx.out.table(rows, ['id', 'at', 'actor', 'role', 'action', 'subject', 'details']),
          );
        },
      ),
    );
}
