import type { Command } from 'commander';
import { getCampaignDefinition } from '../../../db/queries/campaigns.ts';
import { listGateDenials } from '../../../db/queries/gate-denials.ts';
import { gateInputFor, loadGateFactsForPhone } from '../../../db/queries/gate-facts.ts';
import { listDialLog } from '../../../db/queries/reports.ts';
import { evaluateGate } from '../../../engine/compliance/gate.ts';
import { nextAllowedMoment } from '../../../engine/compliance/next-allowed.ts';
import { maskPhone } from '../../../engine/platform/mask-phone.ts';
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
          const campaignId = parseId(opts.campaign, 'campaign id');
          const at = opts.at ? parseInstant(opts.at, '--at') : new Date();
          const { db } = await ctx.database();
          const { definition } = await getCampaignDefinition(db, campaignId);
          const e164 = parsePhone(opts.phone, opts.region ?? definition.region);
          const loaded = await loadGateFactsForPhone(db, campaignId, e164, at);
          const key = loaded.contactId ?? 0;
          const input = gateInputFor(loaded, key, at)!;
          const decision = evaluateGate(input);
          // A call planned ahead (a manual dial, a callback): when would the gate allow it?
          const verdict = opts.next ? nextAllowedMoment(input) : undefined;
          const next = verdict
            ? verdict.kind === 'refused'
              ? { kind: verdict.kind, codes: verdict.denials.map((d) => d.code) }
              : {
                  kind: verdict.kind,
                  at: verdict.at.toISOString(),
                  codes: verdict.kind === 'held' ? verdict.denials.map((d) => d.code) : [],
                }
            : undefined;
          const contact = loaded.contacts.get(key)!.contact;
          const document = {
            campaignId,
            phone: maskPhone(e164),
            contactId: loaded.contactId,
            at: at.toISOString(),
            timeZone: contact.timeZone,
            timeZoneAssumed: contact.timeZoneAssumed,
            ...decision,
            ...(next ? { next } : {}),
          };
          ctx.out.result(document, () => {
            ctx.out.line(
              `${maskPhone(e164)} in campaign ${campaignId} at ${at.toISOString()}: ${decision.allowed ? 'ALLOWED' : 'DENIED'} (${decision.disposition}, preset ${decision.preset})${decision.retryAt ? `, not before ${decision.retryAt.toISOString()}` : ''}`,
            );
            if (loaded.contactId === null)
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
          const filter = { phoneE164: e164, ...(campaignId !== undefined ? { campaignId } : {}), limit };
          const [attempts, denials] = await Promise.all([
            listDialLog(db, filter),
            listGateDenials(db, filter),
          ]);
          const attemptView = attempts.map((a) => ({
            id: a.id,
            campaign_id: a.campaign_id,
            queued_at: a.queued_at,
            status: a.status,
            result: a.result,
            abandoned: a.abandoned,
            gate: Array.isArray(a.gate_reasons)
              ? (a.gate_reasons as Array<{ status?: string; code?: string }>)
                  .filter((g) => g.status !== 'pass' && g.status !== 'not_applicable')
                  .map((g) => g.code)
                  .join(',') || 'all rules passed'
              : '',
          }));
          const denialView = denials.map((d) => ({
            at: d.at,
            campaign_id: d.campaign_id,
            disposition: d.disposition,
            codes: d.codes.join(','),
          }));
          ctx.out.result({ phone: maskPhone(e164), attempts: attemptView, denials: denialView }, () => {
            ctx.out.line(`${maskPhone(e164)}: ${attempts.length} dial(s), ${denials.length} refusal(s)`);
            ctx.out.line('dials:');
            ctx.out.table(attemptView);
            ctx.out.line('refusals by the gate:');
            ctx.out.table(denialView);
          });
        },
      ),
    );
}
