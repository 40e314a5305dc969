import type { Command } from 'commander';
import { listAlarms } from '../../../db/queries/alarms.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

export function registerAlarmCommands(program: Command, contextFor: ContextFactory): void {
  const alarm = program.command('alarm').description('alarms raised by the engine (connection rates)');
  alarm
    .command('list')
    .description('list alarms, newest first')
    .option('--campaign <id>', 'only this campaign')
    .option('--open', 'only alarms not cleared yet')
    .option('--limit <n>', 'at most this many', '100')
    .action(
      action(
        contextFor,
        'alarm.read',
        async (ctx, opts: { campaign?: string; open?: boolean; limit: string }) => {
          const { db } = await ctx.database();
          const rows = await listAlarms(db, {
            ...(opts.campaign ? { campaignId: parseId(opts.campaign, 'campaign id') } : {}),
            openOnly: Boolean(opts.open),
            limit: parseId(opts.limit, '--limit'),
          });
          ctx.out.result(rows, () =>
            ctx.out.table(
              rows.map((r) => ({
                ...r,
                state: r.cleared_at ? `cleared ${r.cleared_at.toISOString()}` : 'open',
              })),
              ['id', 'campaign_id', 'kind', 'severity', 'raised_at', 'state', 'message'],
            ),
          );
        },
      ),
    );
}
