import type { Command } from 'commander';
import { correctOutcome, outcomeHistory } from '../../../db/queries/outcome-corrections.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { outcomeInput } from './agent.ts';

export function registerOutcomeCommands(program: Command, contextFor: ContextFactory): void {
  const outcome = program
    .command('outcome')
    .description('recorded call outcomes: append-only; a wrong one is corrected by a new record');

  outcome
    .command('correct')
    .description(
      'record a correction of an outcome (a new record pointing at it, with the reason; audited), e.g. `outcome correct 42 refused --reason "agent picked the wrong tag"`',
    )
    .argument('<outcome-id>', 'the outcome record to correct (the newest one, if it was corrected before)')
    .argument('<tag>', 'the outcome it should have been')
    .argument('[fields...]', 'its fields as key=value')
    .requiredOption('--reason <text>', 'why it is corrected (kept with the record)')
    .option('--data <json>', 'fields as JSON (or @file.json)')
    .action(
      action(
        contextFor,
        'outcome.correct',
        async (ctx, id: string, tag: string, fields: string[], opts: { reason: string; data?: string }) => {
          const { db } = await ctx.database();
          const result = await correctOutcome(db, {
            outcomeId: parseId(id, 'outcome id'),
            outcome: outcomeInput(tag, fields, opts.data),
            reason: opts.reason,
            actor: ctx.actor,
          });
          ctx.out.result(result, () =>
            ctx.out.line(
              `outcome ${result.corrects} corrected from ${result.from} to ${result.to} by record ${result.correctionId}${result.optOut ? ' (number added to the internal do-not-call list)' : ''}`,
            ),
          );
        },
      ),
    );

  outcome
    .command('history')
    .description('the outcome records of a call or a contact, corrections included')
    .option('--attempt <id>', 'the dial-log row (attempt id)')
    .option('--contact <id>', 'the contact')
    .action(
      action(contextFor, 'outcome.read', async (ctx, opts: { attempt?: string; contact?: string }) => {
        if (!opts.attempt && !opts.contact) throw new UsageError('give --attempt <id> or --contact <id>');
        const { db } = await ctx.database();
        const rows = await outcomeHistory(db, {
          ...(opts.attempt ? { attemptId: parseId(opts.attempt, 'attempt id') } : {}),
          ...(opts.contact ? { contactId: parseId(opts.contact, 'contact id') } : {}),
        });
        ctx.out.result(rows, () =>
          ctx.out.table(
            rows.map((r) => ({
              id: r.id,
              attempt_id: r.attempt_id,
              tag: r.tag,
              data: JSON.stringify(r.data),
              recorded_by: r.recorded_by,
              recorded_at: r.recorded_at,
              corrects: r.corrects_outcome_id ?? '',
              reason: r.correction_reason ?? '',
            })),
          ),
        );
      }),
    );
}
