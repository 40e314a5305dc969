import { closeSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { IANAZone } from 'luxon';
import { neutralizeCell } from '../../../campaigns/import/formula-cells.ts';
import { type Period, periodBounds, summaryReport } from '../../../db/queries/reports.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { openPrivateFile } from '../../../engine/platform/private-files.ts';
import { managementSummary } from '../../../engine/reports/management-summary.ts';
import { SUMMARY_CSV_COLUMNS, summaryCsvRows, summaryHtml } from '../../../engine/reports/summary-render.ts';
import { campaignAbandonmentReport } from '../../../engine/services/abandonment-report.ts';
import { reportCheckpoint } from '../../../engine/services/checkpoint-statement.ts';
import type { CliContext } from '../context.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant, percent } from './compliance-args.ts';

/** Writes a report to `output` (a new private file) or, without one, to stdout. */
function writeReport(output: string | undefined, text: string): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  const fd = openPrivateFile(output, 'wx');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function csvText(rows: Array<Record<string, unknown>>, columns: readonly string[]): string {
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? ''
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? neutralizeCell(JSON.stringify(v))
          : neutralizeCell(String(v));
  return stringify([columns, ...rows.map((r) => columns.map((c) => cell(r[c])))]);
}

function writeCsv(ctx: CliContext, rows: Array<Record<string, unknown>>, columns: readonly string[]) {
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

function checkFormat(format: string, allowed: readonly string[] = ['table', 'csv']) {
  if (!allowed.includes(format))
    throw new UsageError(`--format must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}`);
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
          if (opts.timeZone) checkZone(opts.timeZone);
          const { report: result, rules } = await campaignAbandonmentReport(db, {
            campaignId,
            ...(opts.window ? { window: opts.window as '30d' | '24h' } : {}),
            ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
            days,
            now: opts.at ? parseInstant(opts.at, '--at') : new Date(),
          });
          if (opts.format === 'csv' && !ctx.out.json) {
            writeCsv(ctx, result.days as unknown as Array<Record<string, unknown>>, [
              'day',
              'attempts',
              'humanAnswered',
              'abandoned',
              'machineVerdicts',
              'estimatedAmdFalsePositives',
              'dayRate',
              'rollingRate',
              'overCap',
            ]);
            return;
          }
          ctx.out.result(result, () => {
            const c = result.current;
            ctx.out.line(
              `campaign ${campaignId}: abandonment over the last ${result.window} (${rules.name.toUpperCase()} definition: ${rules.source}): ${percent(c.rate)} (${c.abandoned} of ${c.humanAnswered} answered by a person${c.estimatedAmdFalsePositives > 0 ? `, ${c.estimatedAmdFalsePositives.toFixed(1)} of them estimated persons AMD hung up on${rules.amdFalsePositives === 'abandoned' ? ', counted as abandoned' : ''}` : ''}), cap ${percent(result.maxRate)}${c.overCap ? ' — OVER THE CAP: predictive pacing refused' : ''}`,
            );
            ctx.out.line(`abandon clock: ${result.abandonClock.description}`);
            ctx.out.table(
              result.days.map((d) => ({
                day: d.day,
                attempts: d.attempts,
                human_answered: d.humanAnswered,
                abandoned: d.abandoned,
                amd_fp_estimate: d.estimatedAmdFalsePositives.toFixed(1),
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
    .description(
      'per campaign: dials, answers, connects and connection rate, abandonment (worst day, rolling), outcomes, blocks by reason, agent hours and occupancy, QA scores, satisfaction, alarms; table, csv or html with charts',
    )
    .requiredOption('--period <period>', 'day, week or month')
    .option('--at <date>', 'a moment inside the period (default now)')
    .option('--campaign <id>', 'only this campaign')
    .option('--time-zone <zone>', 'zone of the period boundaries', 'UTC')
    .option('--format <format>', 'table, csv or html (a self-contained page with SVG charts)', 'table')
    .option('--output <file>', 'write the csv or html there (0600) instead of stdout')
    .action(
      action(
        contextFor,
        'report.read',
        async (
          ctx,
          opts: {
            period: string;
            at?: string;
            campaign?: string;
            timeZone: string;
            format: string;
            output?: string;
          },
        ) => {
          checkFormat(opts.format, ['table', 'csv', 'html']);
          if (!['day', 'week', 'month'].includes(opts.period))
            throw new UsageError('--period must be day, week or month');
          checkZone(opts.timeZone);
          const bounds = periodBounds(
            opts.period as Period,
            opts.at ? parseInstant(opts.at, '--at') : new Date(),
            opts.timeZone,
          );
          const { db } = await ctx.database();
          const campaignId = opts.campaign ? parseId(opts.campaign, 'campaign id') : undefined;
          const rows = await summaryReport(db, {
            from: bounds.from,
            to: bounds.to,
            ...(campaignId !== undefined ? { campaignId } : {}),
          });
          const management = await managementSummary(db, {
            period: opts.period as Period,
            at: opts.at ? parseInstant(opts.at, '--at') : new Date(),
            timeZone: opts.timeZone,
            ...(campaignId !== undefined ? { campaignId } : {}),
          });
          if (opts.format === 'html' && !ctx.out.json) {
            writeReport(opts.output, summaryHtml(management));
            return;
          }
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
            // The management figures beside the dial-log ones, one row per campaign.
            const extra = summaryCsvRows(management);
            const columns = [
              ...SUMMARY_COLUMNS,
              ...SUMMARY_CSV_COLUMNS.filter((c) => !SUMMARY_COLUMNS.includes(c)),
            ];
            const merged = flat.map((f) => ({ ...extra.find((e) => e.campaign_id === f.campaign_id), ...f }));
            if (opts.output) writeReport(opts.output, csvText(merged, columns));
            else writeCsv(ctx, merged, columns);
            return;
          }
          // The period's checkpoint: every chain's head as of the period's end, signed (issue 13).
          const checkpoint = await reportCheckpoint(db, ctx.config.evidenceKeyFile, bounds.to);
          ctx.out.result({ period: opts.period, ...bounds, campaigns: rows, management, checkpoint }, () => {
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
