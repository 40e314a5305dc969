import type { Command } from 'commander';
import { listApprovals, recordApproval, revokeApproval } from '../../../db/queries/approvals.ts';
import { getCampaignDefinition } from '../../../db/queries/campaigns.ts';
import { findClientByCode, findClientByCodeOrId } from '../../../db/queries/clients.ts';
import { NotFoundError, UsageError, UserError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { parseId } from '../parse-id.ts';
import { limitedText } from '../parse-text.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant, readNumbersFile } from './compliance-args.ts';

interface RecordOptions {
  client: string;
  campaign: string;
  batch?: string;
  numbers?: string;
  reference: string;
  approvedBy: string;
  validFrom?: string;
  validUntil?: string;
  note?: string;
  region?: string;
}

export function registerApprovalCommands(program: Command, contextFor: ContextFactory): void {
  const approval = program
    .command('approval')
    .description('re-marketing approvals: the list owner’s consent to a second use of its numbers');

  approval
    .command('record')
    .description('record an approval (releases the covered contacts held awaiting approval)')
    .requiredOption('--client <code>', 'the list owner (client code or id)')
    .requiredOption('--campaign <id>', 'the campaign the numbers may be used in')
    .option('--batch <id>', 'the approved batch (of that campaign, or of the client’s earlier campaign)')
    .option('--numbers <file>', 'the approved numbers, one a line')
    .requiredOption('--reference <document>', 'the approval document’s id')
    .requiredOption('--approved-by <who>', 'who approved, "name, organisation"')
    .option('--valid-from <date>', 'start of validity (ISO; default now)')
    .option('--valid-until <date>', 'end of validity (ISO date: through that day, UTC)')
    .option('--note <text>', 'a note')
    .option('--region <CC>', 'region of numbers without a country code (default: the campaign’s)')
    .action(
      action(contextFor, 'approval.record', async (ctx, opts: RecordOptions) => {
        if (Boolean(opts.batch) === Boolean(opts.numbers)) {
          throw new UsageError('give either --batch <id> or --numbers <file>');
        }
        if (opts.reference.trim() === '' || opts.approvedBy.trim() === '') {
          throw new UsageError('--reference and --approved-by must not be empty');
        }
        limitedText(opts.reference, '--reference', FIELD_LIMITS.reference);
        limitedText(opts.approvedBy, '--approved-by', FIELD_LIMITS.name);
        limitedText(opts.note, '--note', FIELD_LIMITS.text);
        const campaignId = parseId(opts.campaign, 'campaign id');
        const validFrom = opts.validFrom ? parseInstant(opts.validFrom, '--valid-from') : undefined;
        const validUntil = opts.validUntil
          ? parseInstant(opts.validUntil, '--valid-until', { endOfDay: true })
          : null;
        const { db } = await ctx.database();
        const { definition } = await getCampaignDefinition(db, campaignId);
        const client = await findClientByCodeOrId(db, opts.client, (digits) => parseId(digits, 'client id'));
        if (!client) throw new NotFoundError('client', opts.client);
        let numbers: string[] | undefined;
        let rejectedLines: number[] = [];
        if (opts.numbers) {
          const read = readNumbersFile(opts.numbers, opts.region ?? definition.region);
          numbers = read.numbers;
          rejectedLines = read.rejected;
          if (rejectedLines.length > 0) {
            throw new UserError(
              `${opts.numbers}: ${rejectedLines.length} line(s) are not phone numbers (first: line ${rejectedLines[0]}); nothing recorded`,
              'invalid',
            );
          }
        }
        const result = await recordApproval(db, {
          clientId: client.id,
          campaignId,
          batchId: opts.batch ? parseId(opts.batch, 'batch id') : null,
          ...(numbers ? { numbers } : {}),
          reference: opts.reference,
          approvedBy: opts.approvedBy,
          ...(validFrom ? { validFrom } : {}),
          validUntil,
          note: opts.note ?? null,
          actor: ctx.actor,
        });
        ctx.out.result(result, () =>
          ctx.out.line(
            `approval ${result.approval.id} recorded (${result.approval.reference}); ${result.numbers ? `${result.numbers} number(s), ` : ''}${result.contactsReleased} held contact(s) released`,
          ),
        );
      }),
    );

  approval
    .command('list')
    .description('approvals and their state')
    .option('--campaign <id>', 'only this target campaign')
    .option('--client <code>', 'only this list owner')
    .action(
      action(contextFor, 'approval.read', async (ctx, opts: { campaign?: string; client?: string }) => {
        const { db } = await ctx.database();
        let clientId: number | undefined;
        if (opts.client) {
          const client = await findClientByCode(db, opts.client);
          if (!client) throw new NotFoundError('client', opts.client);
          clientId = client.id;
        }
        const rows = await listApprovals(db, {
          ...(opts.campaign ? { campaignId: parseId(opts.campaign, 'campaign id') } : {}),
          ...(clientId !== undefined ? { clientId } : {}),
        });
        const now = new Date();
        const view = rows.map((r) => ({
          ...r,
          state: r.revoked_by_record
            ? 'revoked'
            : r.valid_until && r.valid_until <= now
              ? 'expired'
              : r.valid_from > now
                ? 'not yet valid'
                : 'valid',
        }));
        ctx.out.result(view, () =>
          ctx.out.table(view, [
            'id',
            'campaign_id',
            'client_id',
            'batch_id',
            'numbers',
            'reference',
            'approved_by',
            'valid_from',
            'valid_until',
            'state',
            'revoke_reason',
          ]),
        );
      }),
    );

  approval
    .command('revoke')
    .description('revoke an approval (a new record; holds the covered contacts not dialed yet)')
    .argument('<id>', 'the approval id')
    .requiredOption('--reason <text>', 'why')
    .action(
      action(contextFor, 'approval.revoke', async (ctx, id: string, opts: { reason: string }) => {
        if (opts.reason.trim() === '') throw new UsageError('--reason must not be empty');
        limitedText(opts.reason, '--reason', FIELD_LIMITS.text);
        const { db } = await ctx.database();
        const result = await revokeApproval(db, parseId(id, 'approval id'), {
          reason: opts.reason,
          actor: ctx.actor,
        });
        ctx.out.result(result, () =>
          ctx.out.line(
            `approval ${id} revoked (record ${result.revocation.id}); ${result.contactsHeld} contact(s) held again; dialed ones are stopped by the gate`,
          ),
        );
      }),
    );
}
