import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RecordingState } from '../../../db/schema.ts';
import { recordingsRoot } from '../../../engine/platform/config.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import {
  campaignQaForm,
  defineQaForm,
  qaResults,
  scoreRecording,
} from '../../../engine/recordings/qa-service.ts';
import { RecordingFolder } from '../../../engine/recordings/recording-files-store.ts';
import {
  browseRecordings,
  downloadRecording,
  purgeRecordings,
  showRecording,
} from '../../../engine/recordings/recording-service.ts';
import type { CliContext } from '../context.ts';
import { parseId, parseLimit } from '../parse-id.ts';
import { limitedText } from '../parse-text.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant } from './compliance-args.ts';

const STATES: readonly RecordingState[] = ['recording', 'stored', 'failed', 'purged'];

function folderOf(ctx: CliContext): RecordingFolder {
  return new RecordingFolder(recordingsRoot(ctx.config));
}

function seconds(value: string, what: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new UsageError(`${what} must be a whole number of seconds, got "${value}"`);
  return Number(value);
}

/** `crit=3` pairs of `dialer qa score`. */
function parsePoints(pairs: string[]): Record<string, number> {
  const points: Record<string, number> = {};
  for (const pair of pairs) {
    const match = /^([a-z0-9_]+)=(\d+)$/.exec(pair);
    if (!match) throw new UsageError(`"${pair}" is not criterion=points (e.g. greeting=4)`);
    const [, id, value] = match as unknown as [string, string, string];
    if (id in points) throw new UsageError(`criterion ${id} is scored twice`);
    points[id] = Number(value);
  }
  return points;
}

export function registerRecordingCommands(program: Command, contextFor: ContextFactory): void {
  const recording = program
    .command('recording')
    .description('call recordings: browse, show, download (quality inspection), purge after retention');

  recording
    .command('list')
    .description('recordings, newest first (no phone numbers: contact ids)')
    .option('--campaign <id>', 'only this campaign')
    .option('--agent <id>', 'only this agent (id)')
    .option('--day <YYYY-MM-DD>', 'only recordings started that day (UTC)')
    .option(
      '--outcome <tag>',
      'only calls with this result or outcome tag (connected, refused, promise_to_pay…)',
    )
    .option('--min-duration <s>', 'at least this many seconds')
    .option('--max-duration <s>', 'at most this many seconds')
    .option('--state <state>', `only ${STATES.join(', ')}`)
    .option('--limit <n>', 'at most this many', '100')
    .action(
      action(
        contextFor,
        'recording.read',
        async (
          ctx,
          opts: {
            campaign?: string;
            agent?: string;
            day?: string;
            outcome?: string;
            minDuration?: string;
            maxDuration?: string;
            state?: string;
            limit: string;
          },
        ) => {
          if (opts.state !== undefined && !STATES.includes(opts.state as RecordingState)) {
            throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
          }
          if (opts.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.day)) {
            throw new UsageError(`--day must be YYYY-MM-DD, got "${opts.day}"`);
          }
          const outcome = limitedText(opts.outcome, '--outcome', FIELD_LIMITS.code);
          const from = opts.day ? parseInstant(opts.day, '--day') : undefined;
          const { db } = await ctx.database();
          const rows = await browseRecordings(db, ctx.principal, {
            ...(opts.campaign ? { campaignId: parseId(opts.campaign, 'campaign id') } : {}),
            ...(opts.agent ? { agentId: parseId(opts.agent, 'agent id') } : {}),
            ...(from ? { from, to: new Date(from.getTime() + 86_400_000) } : {}),
            ...(outcome ? { outcome } : {}),
            ...(opts.minDuration ? { minDurationSeconds: seconds(opts.minDuration, '--min-duration') } : {}),
            ...(opts.maxDuration ? { maxDurationSeconds: seconds(opts.maxDuration, '--max-duration') } : {}),
            ...(opts.state ? { state: opts.state as RecordingState } : {}),
            limit: parseLimit(opts.limit),
          });
          ctx.out.result(rows, () =>
            ctx.out.table(
              rows.map((r) => ({
                id: r.id,
                campaign: r.campaignId,
                agent: r.agentId,
                contact: r.contactId,
                attempt: r.attemptId,
                started: r.startedAt.toISOString(),
                seconds: r.durationSeconds,
                state: r.state,
                result: r.result,
                outcome: r.outcome,
              })),
            ),
          );
        },
      ),
    );

  recording
    .command('show')
    .description('one recording: its call, file digest, notice, satisfaction score, evaluations')
    .argument('<id>', 'recording id')
    .action(
      action(contextFor, 'recording.read', async (ctx, id: string) => {
        const { db } = await ctx.database();
        const detail = await showRecording(db, ctx.principal, parseId(id, 'recording id'));
        ctx.out.result(detail, () => {
          const { facts, evaluations, ...row } = detail;
          ctx.out.table([row]);
          if (facts.length > 0)
            ctx.out.table(facts.map((f) => ({ kind: f.kind, at: f.at, data: JSON.stringify(f.data) })));
          if (evaluations.length > 0) ctx.out.table(evaluations);
        });
      }),
    );

  recording
    .command('download')
    .description('copy a stored recording to a file (0600), after checking its SHA-256; audited')
    .argument('<id>', 'recording id')
    .requiredOption('--output <file>', 'where to write it (must not exist)')
    .action(
      action(contextFor, 'recording.download', async (ctx, id: string, opts: { output: string }) => {
        const { db } = await ctx.database();
        const result = await downloadRecording(
          { db, folder: folderOf(ctx) },
          ctx.principal,
          parseId(id, 'recording id'),
          opts.output,
        );
        ctx.out.result(
          {
            id: result.recording.id,
            output: result.output,
            sha256: result.sha256,
            sizeBytes: result.sizeBytes,
          },
          () =>
            ctx.out.line(
              `recording ${result.recording.id} written to ${result.output} (${result.sizeBytes} bytes, sha256 ${result.sha256})`,
            ),
        );
      }),
    );

  recording
    .command('purge')
    .description('delete the files of recordings whose retention is over (each audited, its digest kept)')
    .option('--at <ISO time>', 'as of this moment (default now)')
    .action(
      action(contextFor, 'recording.purge', async (ctx, opts: { at?: string }) => {
        const { db } = await ctx.database();
        const now = opts.at ? parseInstant(opts.at, '--at') : new Date();
        const result = await purgeRecordings({ db, folder: folderOf(ctx) }, ctx.principal, now);
        ctx.out.result(result, () =>
          ctx.out.line(
            `${result.purged.length} recording(s) purged, ${result.kept} kept by a longer retention`,
          ),
        );
      }),
    );

  const qa = program.command('qa').description('quality inspection: evaluation forms, scores, reports');
  const form = qa.command('form').description("a campaign's evaluation form (versioned)");
  form
    .command('set')
    .description(
      'define a new version of the campaign’s form from a JSON file {name, passMark, criteria:[{id,label,weight,maxPoints}]}',
    )
    .argument('<campaign-id>', 'the campaign')
    .requiredOption('--file <form.json>', 'the form')
    .action(
      action(contextFor, 'qa.form', async (ctx, campaign: string, opts: { file: string }) => {
        let input: unknown;
        try {
          input = JSON.parse(readFileSync(opts.file, 'utf8'));
        } catch (error) {
          throw new UsageError(`--file ${opts.file}: ${(error as Error).message}`);
        }
        const { db } = await ctx.database();
        const saved = await defineQaForm(db, ctx.principal, parseId(campaign, 'campaign id'), input);
        ctx.out.result(saved, () =>
          ctx.out.line(
            `form "${saved.form.name}" version ${saved.version} saved for campaign ${saved.campaignId}`,
          ),
        );
      }),
    );
  form
    .command('show')
    .description('the campaign’s current form')
    .argument('<campaign-id>', 'the campaign')
    .action(
      action(contextFor, 'qa.read', async (ctx, campaign: string) => {
        const { db } = await ctx.database();
        const current = await campaignQaForm(db, ctx.principal, parseId(campaign, 'campaign id'));
        ctx.out.result(current ?? null, () => {
          if (!current) ctx.out.line('no evaluation form');
          else ctx.out.table(current.form.criteria);
        });
      }),
    );

  qa.command('score')
    .description('evaluate a recording: points per criterion (append-only; --corrects records a correction)')
    .argument('<recording-id>', 'the recording')
    .argument('<points...>', 'criterion=points for every criterion of the form')
    .option('--note <text>', 'the evaluator’s note')
    .option('--corrects <evaluation-id>', 'this evaluation replaces that one (the newest of its chain)')
    .option('--reason <text>', 'why it is corrected (required with --corrects)')
    .action(
      action(
        contextFor,
        'qa.score',
        async (
          ctx,
          recordingId: string,
          pairs: string[],
          opts: { note?: string; corrects?: string; reason?: string },
        ) => {
          if ((opts.corrects === undefined) !== (opts.reason === undefined)) {
            throw new UsageError('--corrects and --reason go together');
          }
          const note = limitedText(opts.note, '--note', FIELD_LIMITS.text);
          const reason = limitedText(opts.reason, '--reason', FIELD_LIMITS.text);
          const { db } = await ctx.database();
          const evaluation = await scoreRecording(db, ctx.principal, {
            recordingId: parseId(recordingId, 'recording id'),
            points: parsePoints(pairs),
            ...(note !== undefined ? { note } : {}),
            ...(opts.corrects && reason !== undefined
              ? { corrects: { evaluationId: parseId(opts.corrects, 'evaluation id'), reason } }
              : {}),
          });
          ctx.out.result(evaluation, () =>
            ctx.out.line(
              `evaluation ${evaluation.id} of recording ${evaluation.recordingId}: ${evaluation.score} (${evaluation.passed ? 'passed' : 'failed'})${evaluation.correctsEvaluationId ? `, corrects ${evaluation.correctsEvaluationId}` : ''}`,
            ),
          );
        },
      ),
    );

  qa.command('report')
    .description(
      'QA results per campaign and agent (standing evaluations: corrections replace what they correct)',
    )
    .option('--campaign <id>', 'only this campaign')
    .option('--from <date>', 'from (default 30 days ago)')
    .option('--to <date>', 'to, exclusive (default now)')
    .action(
      action(contextFor, 'qa.read', async (ctx, opts: { campaign?: string; from?: string; to?: string }) => {
        const to = opts.to ? parseInstant(opts.to, '--to') : new Date();
        const from = opts.from ? parseInstant(opts.from, '--from') : new Date(to.getTime() - 30 * 86_400_000);
        const { db } = await ctx.database();
        const rows = await qaResults(db, ctx.principal, {
          from,
          to,
          ...(opts.campaign ? { campaignId: parseId(opts.campaign, 'campaign id') } : {}),
        });
        ctx.out.result(rows, () => ctx.out.table(rows.map((r) => ({ ...r }))));
      }),
    );
}
