import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { getCampaign } from '../../../db/queries/campaigns.ts';
import type { ExportFormat } from '../../../db/queries/dial-log-export.ts';
import { type LogVerifyReport, verifyLog } from '../../../db/queries/log-verify.ts';
import { listDialLog } from '../../../db/queries/reports.ts';
import { staleOpenAttempts } from '../../../db/queries/stale-attempts.ts';
import { checkpointSignatureValid, parseCheckpoint } from '../../../engine/compliance/checkpoint.ts';
import { UsageError, UserError } from '../../../engine/platform/errors.ts';
import { maskPhone } from '../../../engine/platform/mask-phone.ts';
import { signedCheckpoint } from '../../../engine/services/checkpoint-statement.ts';
import { initKey, loadPublicKey, requireKeyFile } from '../../../engine/services/evidence-key.ts';
import { prepareDialLogExport, showAttempt } from '../../../engine/services/number-access.ts';
import { parseId, parseLimit } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant } from './compliance-args.ts';

export function registerLogCommands(program: Command, contextFor: ContextFactory): void {
  const log = program.command('log').description('the dial log: append-only and hash-chained');

  log
    .command('verify')
    .description(
      'check every chain (dial log, evidence) and report stale open rows; with --checkpoint, that the log still extends it (exit 1 on any failure)',
    )
    .option('--campaign <id>', 'only this campaign’s dial-log chain and its links into the global one')
    .option(
      '--checkpoint <file>',
      'a checkpoint from `log checkpoint` the log must still extend (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--public-key <file>',
      'the public key checkpoints were signed with (default <evidenceKeyFile>.pub)',
    )
    .action(
      action(
        contextFor,
        'log.read',
        async (ctx, opts: { campaign?: string; checkpoint?: string[]; publicKey?: string }) => {
          const campaignId = opts.campaign ? parseId(opts.campaign, 'campaign id') : undefined;
          const checkpoints = (opts.checkpoint ?? []).map((file) => {
            if (!existsSync(file)) throw new UserError(`checkpoint file ${file} does not exist`, 'not_found');
            return { file, checkpoint: parseCheckpoint(readFileSync(file, 'utf8'), file) };
          });
          const publicKey =
            checkpoints.length > 0
              ? loadPublicKey({
                  ...(opts.publicKey ? { publicKeyFile: opts.publicKey } : {}),
                  ...(ctx.config.evidenceKeyFile ? { keyFile: ctx.config.evidenceKeyFile } : {}),
                })
              : undefined;
          const { db } = await ctx.database();
          // "Intact, 0 rows" for a campaign that does not exist would read as a clean bill of health.
          if (campaignId !== undefined) await getCampaign(db, campaignId);
          const report = await verifyLog(db, {
            ...(campaignId !== undefined ? { campaignId } : {}),
            now: new Date(),
            maxCallSeconds: ctx.config.maxCallSeconds,
            checkpoints: checkpoints.map(({ file, checkpoint }) => ({
              name: file,
              at: checkpoint.at,
              heads: checkpoint.chains,
              signatureValid: publicKey !== undefined && checkpointSignatureValid(checkpoint, publicKey),
            })),
          });
          ctx.out.result(report, () => printVerifyReport(ctx.out, report));
          if (!report.ok) process.exitCode = 1;
        },
      ),
    );

  log
    .command('checkpoint')
    .description(
      'a signed statement of every chain’s head (position, hash, time) for officers to keep outside the database',
    )
    .option('--init-key', 'create the Ed25519 signing key at evidenceKeyFile (mode 0600) and <file>.pub')
    .option('--output <file>', 'write the checkpoint here (mode 0600) instead of standard output')
    .action(
      action(contextFor, 'log.checkpoint', async (ctx, opts: { initKey?: boolean; output?: string }) => {
        const keyFile = requireKeyFile(ctx.config.evidenceKeyFile);
        if (opts.initKey) {
          const created = initKey(keyFile);
          ctx.out.result(created, () =>
            ctx.out.line(
              `checkpoint key created: ${created.keyFile} (private, 0600; keep it off the database host if you can), public key ${created.publicKeyFile} (give it to the officers who verify)`,
            ),
          );
          return;
        }
        const { db } = await ctx.database();
        const checkpoint = await signedCheckpoint(db, keyFile);
        const at = checkpoint.at;
        const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
        if (opts.output) {
          if (existsSync(opts.output)) {
            throw new UserError(
              `${opts.output} already exists; a checkpoint is never overwritten`,
              'conflict',
            );
          }
          writeFileSync(opts.output, text, { mode: 0o600, flag: 'wx' });
          ctx.out.result({ output: opts.output, ...checkpoint }, () =>
            ctx.out.line(
              `checkpoint of ${checkpoint.chains.length} chain(s) at ${at} written to ${opts.output}`,
            ),
          );
        } else {
          process.stdout.write(text);
        }
      }),
    );

  log
    .command('list')
    .description('dial-log rows, newest first (numbers masked)')
    .option('--campaign <id>', 'only this campaign')
    .option('--from <time>', 'queued at or after (ISO date or time)')
    .option('--to <time>', 'queued before (ISO time; a date means the end of that day)')
    .option('--result <outcome>', 'the outcome (answered, busy, abandoned…; the status while there is none)')
    .option('--suffix <digits>', 'the number ends with these 1 to 4 digits')
    .option('--before <id>', 'only rows older than this id (the next page)')
    .option('--limit <n>', 'at most this many', '50')
    .action(
      action(
        contextFor,
        'log.read',
        async (
          ctx,
          opts: {
            campaign?: string;
            from?: string;
            to?: string;
            result?: string;
            suffix?: string;
            before?: string;
            limit: string;
          },
        ) => {
          const campaignId = opts.campaign ? parseId(opts.campaign, 'campaign id') : undefined;
          if (opts.suffix !== undefined && !/^\d{1,4}$/.test(opts.suffix))
            throw new UsageError('--suffix is the number’s last 1 to 4 digits');
          const { db } = await ctx.database();
          if (campaignId !== undefined) await getCampaign(db, campaignId);
          const rows = await listDialLog(db, {
            ...(campaignId !== undefined ? { campaignId } : {}),
            ...(opts.from ? { from: parseInstant(opts.from, '--from') } : {}),
            ...(opts.to ? { to: parseInstant(opts.to, '--to', { endOfDay: true }) } : {}),
            ...(opts.result ? { result: opts.result } : {}),
            ...(opts.suffix !== undefined ? { phoneSuffix: opts.suffix } : {}),
            ...(opts.before ? { beforeId: parseId(opts.before, '--before') } : {}),
            limit: parseLimit(opts.limit),
          });
          // An open row past the longest possible call with no engine lease is not a live call.
          const stale = new Set(
            (
              await staleOpenAttempts(db, {
                now: new Date(),
                maxCallSeconds: ctx.config.maxCallSeconds,
                attemptIds: rows.filter((r) => r.finalized_at === null).map((r) => r.id),
              })
            ).map((s) => s.attemptId),
          );
          const view = rows.map((r) => ({
            id: r.id,
            campaign_id: r.campaign_id,
            contact_id: r.contact_id,
            phone: maskPhone(r.phone_e164),
            agent_id: r.agent_id,
            status: stale.has(r.id) ? `STALE (${r.status})` : r.status,
            stale: stale.has(r.id),
            queued_at: r.queued_at,
            result: r.result,
            hangup_cause: r.hangup_cause,
            abandoned: r.abandoned,
            chain_seq: r.chain_seq,
          }));
          ctx.out.result(view, () => ctx.out.table(view));
        },
      ),
    );

  log
    .command('show')
    .description('one dial-log row with the gate’s reasons (--unmask: full number, audited)')
    .argument('<id>', 'the attempt id')
    .option('--unmask', 'show the full number (compliance officer; audited)')
    .action(
      action(contextFor, 'log.read', async (ctx, id: string, opts: { unmask?: boolean }) => {
        const user = opts.unmask
          ? await ctx.authorize('numbers.full', 'showing a full number')
          : ctx.principal;
        const { db } = await ctx.database();
        const row = await showAttempt(db, user, parseId(id, 'attempt id'), {
          full: Boolean(opts.unmask),
          via: 'cli',
        });
        const view = row;
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
          const run = await prepareDialLogExport(db, user, {
            campaignId,
            from,
            to,
            format: opts.format as ExportFormat,
            full: Boolean(opts.full),
            output: opts.output ?? process.stdout,
            outputName: opts.output ?? '(stdout)',
            via: 'cli',
          });
          const result = await run();
          const summary = `${result.rows} row(s) exported (${opts.full ? 'full numbers' : 'numbers masked'}), sha256 ${result.sha256}; abandon clock: ${result.abandonClock.description}`;
          if (opts.output) ctx.out.result({ ...result, output: opts.output }, () => ctx.out.line(summary));
          else process.stderr.write(`${summary}\n`);
        },
      ),
    );
}

function printVerifyReport(out: { line(text: string): void }, report: LogVerifyReport): void {
  const d = report.dialLog;
  const what = d.scope === 'global' ? 'dial log' : `dial log of campaign ${d.campaignId}`;
  if (d.ok) {
    out.line(`${what}: intact, ${d.rowsChecked} sealed row(s) checked, ${d.openRows} call(s) open`);
  } else {
    out.line(`${what}: BROKEN after ${d.rowsChecked} intact row(s)`);
    out.line(`  first break: ${d.firstBreak?.message}`);
  }
  if (d.purgedThrough) {
    out.line(
      `  positions 1-${d.purgedThrough.seq} purged past retention (recorded; the kept chain starts from that record's hash)`,
    );
  }
  const e = report.evidence;
  if (e?.purgedThrough) {
    out.line(
      `evidence positions 1-${e.purgedThrough.seq} purged past retention (recorded; the kept chain starts from that record's hash)`,
    );
  }
  if (e) {
    if (e.ok) {
      out.line(
        `evidence (outcomes, approvals, do-not-call, audit): intact, ${e.rowsChecked} record(s) checked`,
      );
    } else {
      out.line(
        `evidence (outcomes, approvals, do-not-call, audit): BROKEN, ${e.problems.length}${e.truncated ? '+' : ''} problem(s)`,
      );
      for (const p of e.problems) out.line(`  ${p.message}`);
    }
  }
  if (report.staleOpenRows.length > 0) {
    out.line(
      `ANOMALY: ${report.staleOpenRows.length} stale open row(s): in progress longer than the longest possible call, with no engine lease`,
    );
    for (const s of report.staleOpenRows.slice(0, 50)) {
      out.line(
        `  row ${s.attemptId} (campaign ${s.campaignId}, ${s.status}) open since ${s.queuedAt.toISOString()}: ${s.openSeconds} s, bound ${s.boundSeconds} s`,
      );
    }
  }
  for (const c of report.checkpoints) {
    if (!c.signatureValid)
      out.line(`checkpoint ${c.name} (${c.at}): SIGNATURE INVALID (not signed by this key, or altered)`);
    if (c.mismatches.length === 0) {
      if (c.signatureValid)
        out.line(`checkpoint ${c.name} (${c.at}): the log extends all ${c.chains} chain head(s)`);
    } else {
      out.line(`checkpoint ${c.name} (${c.at}): the log NO LONGER EXTENDS it`);
      for (const m of c.mismatches) out.line(`  ${m.message}`);
    }
  }
}
