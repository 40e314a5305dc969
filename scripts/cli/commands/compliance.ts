import type { Command } from 'commander';
import { checkNumber, numberHistory } from '../../../engine/services/compliance-service.ts';
import { parseId, parseLimit } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant, parsePhone } from './compliance-args.ts';
import { registerPresetCommands } from './compliance-preset.ts';

const mark = { pass: 'ok  ', deny: 'DENY', restrict: 'LIMIT', not_applicable: 'n/a ' } as const;

export function registerComplianceCommands(program: Command, contextFor: ContextFactory): void {
  const compliance = program.command('compliance').description('the dial-time compliance gate');
  registerPresetCommands(compliance, contextFor);

  compliance
    .command('check')
    .description('may this number be dialed in this campaign now (or --at)? every rule’s result')
    .requiredOption('--campaign <id>', 'the campaign')
    .requiredOption('--phone <number>', 'the number')
    .option('--at <ISO time>', 'the moment to decide for (default now)')
    .option('--region <CC>', 'region of a number without a country code (default: the campaign’s)')
    .option('--next', 'also the first moment from then on at which the gate would allow the call')
    .action(
      action(
        contextFor,
        'compliance.read',
        async (
          ctx,
          opts: { campaign: string; phone: string; at?: string; region?: string; next?: boolean },
        ) => {
          const at = opts.at ? parseInstant(opts.at, '--at') : new Date();
          const { db } = await ctx.database();
          const document = await checkNumber(db, {
            campaignId: parseId(opts.campaign, 'campaign id'),
            phone: (campaignRegion) => parsePhone(opts.phone, opts.region ?? campaignRegion),
            at,
            next: Boolean(opts.next),
          });
          const { campaignId, next, phone } = document;
          const decision = document;
          ctx.out.result(document, () => {
            ctx.out.line(
              `${phone} in campaign ${campaignId} at ${at.toISOString()}: ${decision.allowed ? 'ALLOWED' : 'DENIED'} (${decision.disposition}, preset ${decision.preset})${decision.retryAt ? `, not before ${decision.retryAt.toISOString()}` : ''}`,
            );
            if (document.contactId === null)
              ctx.out.line('  (not a contact of this campaign: checked as a new number)');
            if (!decision.predictiveAllowed) ctx.out.line('  predictive pacing refused: dial progressively');
            if (next) {
              ctx.out.line(
                next.kind === 'refused'
                  ? `  next allowed moment: none (${next.codes.join(', ')})`
                  : `  next allowed moment: ${next.at}${next.kind === 'held' ? ` once ${next.codes.join(', ')} is lifted` : ''}`,
              );
            }
            for (const r of decision.results)
              ctx.out.line(`  ${mark[r.status]}  ${r.code.padEnd(36)} ${r.message}`);
          });
        },
      ),
    );

  compliance
    .command('history')
    .description('why a number was or was not dialed: its dial-log rows and the gate’s refusals')
    .requiredOption('--phone <number>', 'the number')
    .option('--campaign <id>', 'only this campaign')
    .option('--region <CC>', 'region of a number without a country code', 'US')
    .option('--limit <n>', 'at most this many of each', '50')
    .action(
      action(
        contextFor,
        'compliance.read',
        async (ctx, opts: { phone: string; campaign?: string; region: string; limit: string }) => {
          const e164 = parsePhone(opts.phone, opts.region);
          const campaignId = opts.campaign ? parseId(opts.campaign, 'campaign id') : undefined;
          const limit = parseLimit(opts.limit);
          const { db } = await ctx.database();
          const history = await numberHistory(db, {
            phoneE164: e164,
            ...(campaignId !== undefined ? { campaignId } : {}),
            limit,
          });
          ctx.out.result(history, () => {
            ctx.out.line(
              `${history.phone}: ${history.attempts.length} dial(s), ${history.denials.length} refusal(s)`,
            );
            ctx.out.line('dials:');
            ctx.out.table(history.attempts);
            ctx.out.line('refusals by the gate:');
            ctx.out.table(history.denials);
          });
        },
      ),
    );
}
