import type { Command } from 'commander';
import { recordAudit } from '../../../db/queries/audit.ts';
import { getCampaign } from '../../../db/queries/campaigns.ts';
import { getAttempt } from '../../../db/queries/dial-log.ts';
import { type ExportFormat, exportDialLog } from '../../../db/queries/dial-log-export.ts';
import { verifyDialLog } from '../../../db/queries/dial-log-verify.ts';
import { listDialLog } from '../../../db/queries/reports.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { maskPhone } from '../../../engine/platform/mask-phone.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant } from './compliance-args.ts';

export function registerLogCommands(program: Command, contextFor: ContextFactory): void {
  const log = program.command('log').description('the dial log: append-only and hash-chained');

  log
    .command('verify')
    .description('check the hash chain; names the first broken row (exit 1 when broken)')
    .option('--campaign <id>', 'check this campaign’s own chain and its links into the global one')
    .action(
      action(contextFor, 'log.read', async (ctx, opts: { campaign?: string }) => {
        const campaignId = opts.campaign ? parseId(opts.campaign, 'campaign id') : undefined;
        const { db } = await ctx.database();
        // "Intact, 0 rows" for a campaign that does not exist would read as a clean bill of health.
        if (campaignId !== undefined) await getCampaign(db, campaignId);
        const report = await verifyDialLog(db, campaignId !== undefined ? { campaignId } : {});
        ctx.out.result(report, () => {
          const what = report.scope === 'global' ? 'dial log' : `dial log of campaign ${report.campaignId}`;
          if (report.ok) {
            ctx.out.line(
              `${what}: intact, ${report.rowsChecked} sealed row(s) checked, ${report.openRows} call(s) in progress`,
            );
          } else {
            ctx.out.line(`${what}: BROKEN after ${report.rowsChecked} intact row(s)`);
            ctx.out.line(`  first break: ${report.firstBreak?.message}`);
          }
        });
        if (!report.ok) process.exitCode = 1;
      }),
    );

  log
    .command('list')
    .description('recent dial-log rows (numbers masked)')
    .option('--campaign <id>', 'only this campaign')
    .option('--limit <n>', 'at most this many', '50')
    .action(
      action(contextFor, 'log.read', async (ctx, opts: { campaign?: string; limit: string }) => {
        const campaignId = opts.campaign ? parseId(opts.campaign, 'campaign id') : undefined;
        const { db } = await ctx.database();
        if (campaignId !== undefined) await getCampaign(db, campaignId);
        const rows = await listDialLog(db, {
          ...(campaignId !== undefined ? { campaignId } : {}),
          limit: Math.max(1, Number(opts.limit) || 50),
        });
        const view = rows.map((r) => ({
          id: r.id,
          campaign_id: r.campaign_id,
          contact_id: r.contact_id,
          phone: maskPhone(r.phone_e164),
          agent_id: r.agent_id,
          status: r.status,
          queued_at: r.queued_at,
          result: r.result,
          hangup_cause: r.hangup_cause,
          abandoned: r.abandoned,
          chain_seq: r.chain_seq,
        }));
        ctx.out.result(view, () => ctx.out.table(view));
      }),
    );

  log
    .command('show')
    .description('one dial-log row with the gate’s reasons (--unmask: full number, audited)')
    .argument('<id>', 'the attempt id')
    .option('--unmask', 'show the full number (compliance officer; audited)')
    .action(
      action(contextFor, 'log.read', async (ctx, id: string, opts: { unmask?: boolean }) => {
        const user = opts.unmask ? await ctx.authorize('numbers.full', 'showing a full number') : undefined;
        const { db } = await ctx.database();
        const row = await getAttempt(db, parseId(id, 'attempt id'));
        if (user) {
          await recordAudit(db, {
            actor: user.name,
            role: user.role,
            action: 'contact.unmask',
            subject: `attempt:${row.id}`,
            details: {
              filter: { attemptId: row.id },
              rows: 1,
              campaignId: row.campaign_id,
              contactId: row.contact_id,
            },
          });
        }
        const view = { ...row, phone_e164: opts.unmask ? row.phone_e164 : maskPhone(row.phone_e164) };
        ctx.out.result(view, () => {
          for (const [key, value] of Object.entries(view)) {
            if (key === 'gate_reasons') continue;
            ctx.out.line(
              `${key.padEnd(20)} ${value instanceof Date ? value.toISOString() : value === null ? '' : String(value)}`,
            );
          }
          ctx.out.line('gate reasons:');
          for (const g of (row.gate_reasons ?? []) as Array<{
            status: string;
            code: string;
            message: string;
          }>) {
            ctx.out.line(`  ${g.status.padEnd(14)} ${g.code.padEnd(36)} ${g.message}`);
          }
        });
      }),
    );

  log
    .command('export')
    .description('export the dial log (numbers masked; --full for a compliance officer); always audited')
    .requiredOption('--campaign <id>', 'the campaign')
    .requiredOption('--from <date>', 'first day (ISO date or time)')
    .requiredOption('--to <date>', 'last day, inclusive (ISO date) or end time')
    .requiredOption('--format <format>', 'csv or jsonl')
    .option('--output <file>', 'write here (default: standard output)')
    .option('--full', 'full phone numbers (compliance officer; audited)')
    .action(
      action(
        contextFor,
        'log.export',
        async (
          ctx,
          opts: {
            campaign: string;
            from: string;
            to: string;
            format: string;
            output?: string;
            full?: boolean;
          },
        ) => {
          if (opts.format !== 'csv' && opts.format !== 'jsonl')
            throw new UsageError('--format must be csv or jsonl');
          const campaignId = parseId(opts.campaign, 'campaign id');
          const from = parseInstant(opts.from, '--from');
          const to = parseInstant(opts.to, '--to', { endOfDay: true });
          if (to <= from) throw new UsageError('--to must be after --from');
          if (ctx.out.json && !opts.output) {
            throw new UsageError(
              'with --json, give --output <file> (standard output carries the JSON summary)',
            );
          }
          const user = opts.full
            ? await ctx.authorize('numbers.full', 'exporting full numbers')
            : ctx.principal;
          const { db } = await ctx.database();
          await getCampaign(db, campaignId);
          const filter = { campaignId, from, to };
          // Recorded before the first byte leaves: an export cut short (a reader that closes the
          // pipe, Ctrl-C) has still been an access to the numbers. The entry after it adds what
          // was written (rows, SHA-256).
          const audit = {
            actor: user.name,
            role: user.role,
            subject: `campaign:${campaignId}`,
          };
          const request = {
            filter: { campaignId, from: from.toISOString(), to: to.toISOString() },
            format: opts.format,
            fullNumbers: Boolean(opts.full),
            output: opts.output ?? '(stdout)',
          };
          await recordAudit(db, { ...audit, action: 'export.dial_log.started', details: request });
          const result = await exportDialLog(db, {
            filter,
            format: opts.format as ExportFormat,
            full: Boolean(opts.full),
            output: opts.output ?? process.stdout,
          });
          await recordAudit(db, {
            ...audit,
            action: 'export.dial_log',
            details: { ...request, rows: result.rows, sha256: result.sha256, bytes: result.bytes },
          });
          const summary = `${result.rows} row(s) exported (${opts.full ? 'full numbers' : 'numbers masked'}), sha256 ${result.sha256}`;
          if (opts.output) ctx.out.result({ ...result, output: opts.output }, () => ctx.out.line(summary));
          else process.stderr.write(`${summary}\n`);
        },
      ),
    );
}
