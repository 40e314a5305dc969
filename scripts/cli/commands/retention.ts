import type { Command } from 'commander';
import { CHAINED_KINDS } from '../../../db/queries/chain-purge.ts';
import { retentionReport } from '../../../db/queries/retention.ts';
import { recordingsRoot } from '../../../engine/platform/config.ts';
import { RecordingFolder } from '../../../engine/recordings/recording-files-store.ts';
import { purgeRetention } from '../../../engine/services/retention-service.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant } from './compliance-args.ts';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');

/** `dialer retention report|purge`: what is kept, until when, what is due; the purge, audited. */
export function registerRetentionCommands(program: Command, contextFor: ContextFactory): void {
  const retention = program
    .command('retention')
    .description('record retention by preset: what is kept, until when, and what is due for purge');

  retention
    .command('report')
    .description('per kind of record and campaign: rows, oldest, the minimum kept, what is due for purge')
    .option('--at <ISO time>', 'the moment to report for (default now)')
    .action(
      action(contextFor, 'compliance.read', async (ctx, opts: { at?: string }) => {
        const at = opts.at ? parseInstant(opts.at, '--at') : new Date();
        const { db } = await ctx.database();
        const rows = await retentionReport(db, at);
        ctx.out.result({ at: at.toISOString(), rows }, () => {
          ctx.out.line(`retention at ${at.toISOString()}`);
          ctx.out.table(
            rows.map((r) => ({
              kind: r.kind,
              campaign: r.campaignId ?? 'all',
              preset: r.preset,
              'kept (days)': r.minimumDays,
              rows: r.rows,
              oldest: day(r.oldest),
              'oldest kept until': day(r.oldestKeptUntil),
              'due for purge': r.due,
              purge: r.purge,
            })),
          );
        });
      }),
    );

  retention
    .command('purge')
    .description(
      'delete the records of a kind past their minimum, audited (the chained kinds: their oldest prefix only)',
    )
    .requiredOption('--kind <kind>', `recordings | ${CHAINED_KINDS.join(' | ')}`)
    .option('--dry-run', 'count what would go, delete nothing')
    .option('--at <ISO time>', 'the moment to purge for (default now; never later)')
    .action(
      action(
        contextFor,
        'retention.purge',
        async (ctx, opts: { kind: string; dryRun?: boolean; at?: string }) => {
          const { db } = await ctx.database();
          const purge = await purgeRetention(
            { db, folder: () => new RecordingFolder(recordingsRoot(ctx.config)) },
            ctx.principal,
            {
              kind: opts.kind,
              ...(opts.at ? { at: parseInstant(opts.at, '--at') } : {}),
              now: new Date(),
              dryRun: opts.dryRun === true,
            },
          );
          if (purge.kind !== 'recordings') {
            const { result } = purge;
            ctx.out.result(result, () => {
              const rows =
                Object.entries(result.rows)
                  .map(([t, n]) => `${n} ${t}`)
                  .join(', ') || 'nothing';
              if (result.through === result.previousThrough) {
                ctx.out.line(
                  `${result.chain} chain: nothing to purge (purged through position ${result.through})`,
                );
              } else {
                ctx.out.line(
                  `${result.chain} chain: positions ${result.previousThrough + 1}-${result.through} ${result.dryRun ? 'would be purged' : 'purged (recorded, audited)'}: ${rows}; last purged hash ${result.throughHash}`,
                );
              }
              if (result.stoppedAt) {
                ctx.out.line(
                  `stopped before position ${result.stoppedAt.position} (${result.stoppedAt.record}): ${result.stoppedAt.reason}`,
                );
              }
              ctx.out.line(result.note);
            });
            return;
          }
          if (purge.dryRun) {
            ctx.out.result({ dryRun: true, due: purge.due }, () =>
              ctx.out.line(`${purge.due.length} recording(s) past their minimum would be purged`),
            );
            return;
          }
          const { result } = purge;
          ctx.out.result(result, () =>
            ctx.out.line(`${result.purged.length} recording(s) purged (audited), ${result.kept} kept`),
          );
        },
      ),
    );
}
