import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { IANAZone } from 'luxon';
import { neutralizeCell } from '../../../campaigns/import/formula-cells.ts';
import { getCampaignDefinition } from '../../../db/queries/campaigns.ts';
import { abandonmentReport, type Period, periodBounds, summaryReport } from '../../../db/queries/reports.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { reportCheckpoint } from '../checkpoint-statement.ts';
import type { CliContext } from '../context.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant, percent } from './compliance-args.ts';

function writeCsv(ctx: CliContext, rows: Array<Record<string, unknown>>, columns: string[]) {
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? ''
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? neutralizeCell(JSON.stringify(v))
          : neutralizeCell(String(v));
  process.stdout.write(stringify([columns, ...rows.map((r) => columns.map((c) => cell(r[c])))]));
  void ctx;
}

const SUMMARY_COLUMNS = [
  'period',
  'campaign_id',
  'campaign',
  'attempts',
  'answered',
  'connected',
  'abandoned',
  'answer_rate',
  'abandon_rate',
  'outcomes',
  'blocks_dnc',
  'blocks_blacklist',
  'blocks_hours',
  'blocks_approval',
  'blocks_attempts',
  'blocks_other',
];

function checkFormat(format: string) {
  if (format !== 'table' && format !== 'csv') throw new UsageError('--format must be table or csv');
}

function checkZone(zone: string) {
  if (!IANAZone.isValidZone(zone)) throw new UsageError(`--time-zone: "${zone}" is not an IANA time zone`);
}

export function registerReportCommands(program: Command, contextFor: ContextFactory): void {
  const report = program.command('report').description('compliance and management reports');

  report
    .command('abandonment')
    .description('abandoned / human-answered calls per day and over the rolling window')
    .requiredOption('--campaign <id>', 'the campaign')
    .option('--window <window>', '30d (US, default from the campaign) or 24h (UK)')
    .option('--days <n>', 'days to list', '30')
    .option('--time-zone <zone>', 'zone of the day boundaries (default: the campaign’s default zone)')
    .option('--at <ISO time>', 'report as of this moment (default now)')
    .option('--format <format>', 'table or csv', 'table')
    .action(
      action(
        contextFor,
        'report.read',
        async (
          ctx,
          opts: {
            campaign: string;
            window?: string;
            days: string;
            timeZone?: string;
            at?: string;
            format: string;
          },
        ) => {
          checkFormat(opts.format);
          if (opts.window && opts.window !== '30d' && opts.window !== '24h') {
            throw new UsageError('--window must be 30d or 24h');
          }
          const days = Number(opts.days);
          if (!Number.isInteger(days) || days < 1 || days > 366)
            throw new UsageError('--days must be 1 to 366');
          const campaignId = parseId(opts.campaign, 'campaign id');
          const { db } = await ctx.database();
          const { definition } = await getCampaignDefinition(db, campaignId);
          const timeZone = opts.timeZone ?? definition.defaultTimeZone;
          checkZone(timeZone);
          const result = await abandonmentReport(db, {
            campaignId,
            jurisdiction: definition.jurisdiction,
            window: (opts.window as '30d' | '24h' | undefined) ?? definition.abandon.window,
            maxRate: definition.abandon.maxRate,
            timeZone,
            days,
            now: opts.at ? parseInstant(opts.at, '--at') : new Date(),
          });
          if (opts.format === 'csv' && !ctx.out.json) {
            writeCsv(ctx, result.days as unknown as Array<Record<string, unknown>>, [
              'day',
              'attempts',
              'humanAnswered',
              'abandoned',
              'dayRate',
              'rollingRate',
              'overCap',
            ]);
            return;
          }
          ctx.out.result(result, () => {
            const c = result.current;
            ctx.out.line(
              `campaign ${campaignId}: abandonment over the last ${result.window}: ${percent(c.rate)} (${c.abandoned} of ${c.humanAnswered} answered by a person), cap ${percent(result.maxRate)}${c.overCap ? ' — OVER THE CAP: predictive pacing refused' : ''}`,
            );
            ctx.out.line(`abandon clock: ${result.abandonClock.description}`);
            ctx.out.table(
              result.days.map((d) => ({
                day: d.day,
                attempts: d.attempts,
                human_answered: d.humanAnswered,
                abandoned: d.abandoned,
                day_rate: percent(d.dayRate),
                [`rolling_${result.window}`]: percent(d.rollingRate),
                over_cap: d.overCap ? 'YES' : '',
              })),
            );
          });
        },
      ),
    );

  report
    .command('summary')
    .description('per campaign: attempts, answers, connects, abandons, outcomes, blocks by reason')
    .requiredOption('--period <period>', 'day, week or month')
    .option('--at <date>', 'a moment inside the period (default now)')
    .option('--campaign <id>', 'only this campaign')
    .option('--time-zone <zone>', 'zone of the period boundaries', 'UTC')
    .option('--format <format>', 'table or csv', 'table')
    .action(
      action(
        contextFor,
        'report.read',
        async (
          ctx,
          opts: { period: string; at?: string; campaign?: string; timeZone: string; format: string },
        ) => {
          checkFormat(opts.format);
          if (!['day', 'week', 'month'].includes(opts.period))
            throw new UsageError('--period must be day, week or month');
          checkZone(opts.timeZone);
          const bounds = periodBounds(
            opts.period as Period,
            opts.at ? parseInstant(opts.at, '--at') : new Date(),
            opts.timeZone,
          );
          const { db } = await ctx.database();
          const rows = await summaryReport(db, {
            from: bounds.from,
            to: bounds.to,
            ...(opts.campaign ? { campaignId: parseId(opts.campaign, 'campaign id') } : {}),
          });
          const flat = rows.map((r) => ({
            period: bounds.label,
            campaign_id: r.campaignId,
            campaign: r.campaignName,
            attempts: r.attempts,
            answered: r.answered,
            connected: r.connected,
            abandoned: r.abandoned,
            answer_rate: r.answerRate,
            abandon_rate: r.abandonRate,
            outcomes: r.outcomes,
            blocks_dnc: r.blocks.dnc ?? 0,
            blocks_blacklist: r.blocks.blacklist ?? 0,
            blocks_hours: r.blocks.hours ?? 0,
            blocks_approval: r.blocks.approval ?? 0,
            blocks_attempts: r.blocks.attempts ?? 0,
            blocks_other: (r.blocks.consent ?? 0) + (r.blocks.registry ?? 0) + (r.blocks.other ?? 0),
          }));
          if (opts.format === 'csv' && !ctx.out.json) {
            writeCsv(ctx, flat, SUMMARY_COLUMNS);
            return;
          }
          // The period's checkpoint: every chain's head as of the period's end, signed (issue 13).
          const checkpoint = await reportCheckpoint(db, ctx.config.evidenceKeyFile, bounds.to);
          ctx.out.result({ period: opts.period, ...bounds, campaigns: rows, checkpoint }, () => {
            ctx.out.line(
              `${opts.period} ${bounds.label} (${bounds.from.toISOString()} to ${bounds.to.toISOString()})`,
            );
            ctx.out.table(
              flat.map((f) => ({
                ...f,
                answer_rate: percent(f.answer_rate),
                abandon_rate: percent(f.abandon_rate),
                outcomes: Object.entries(f.outcomes)
                  .map(([k, v]) => `${k}:${v}`)
                  .join(' '),
              })),
            );
            ctx.out.line(
              `checkpoint as of ${checkpoint.asOf}${checkpoint.signature ? ` (signed, key ${'keyId' in checkpoint ? checkpoint.keyId : ''})` : ` (${'note' in checkpoint ? checkpoint.note : 'unsigned'})`}:`,
            );
            for (const c of checkpoint.chains)
              ctx.out.line(`  ${c.chain.padEnd(24)} position ${c.position} hash ${c.hash}`);
          });
        },
      ),
    );
}
