import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { campaignDefinitionSchema } from '../../../campaigns/campaign-definition.ts';
import { insertCampaign } from '../../../db/queries/campaigns.ts';
import { campaignAbandonmentDefinition } from '../../../engine/compliance/abandonment.ts';
import { DEFAULT_LIMITS } from '../../../engine/platform/config.ts';
import { UserError, ValidationError } from '../../../engine/platform/errors.ts';
import { parseOrThrow } from '../../../engine/platform/zod-error.ts';
import { createCampaignService } from '../../../engine/services/campaign-service.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

/**
 * Reads and validates a campaign file before anything touches the database. A file over
 * `maxBytes` (config `limits.campaignFileBytes`) is refused before it is read.
 */
export function readCampaignFile(path: string, maxBytes = DEFAULT_LIMITS.campaignFileBytes) {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) {
      throw new ValidationError(
        `campaign file ${path} is ${size} bytes, over the limit of ${maxBytes} ` +
          '(limits.campaignFileBytes in the config, or DIALER_MAX_CAMPAIGN_FILE_BYTES)',
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new UserError(
      `cannot read campaign file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`campaign file ${path} is not valid JSON: ${(error as Error).message}`, 'invalid');
  }
  return parseOrThrow(campaignDefinitionSchema, json, `campaign file ${path}`);
}

export function registerCampaignCommands(program: Command, contextFor: ContextFactory): void {
  const campaign = program.command('campaign').description('campaigns');

  campaign
    .command('create')
    .description('create a campaign from a JSON file (see campaigns/examples/)')
    .requiredOption('--file <campaign.json>', 'the campaign definition')
    .action(
      action(contextFor, 'campaign.create', async (ctx, opts: { file: string }) => {
        const definition = readCampaignFile(opts.file, ctx.config.limits.campaignFileBytes);
        const { db } = await ctx.database();
        const row = await insertCampaign(db, definition, ctx.actor);
        ctx.out.result(row, () =>
          ctx.out.line(`campaign ${row.id} "${row.name}" created (${row.type}, ${row.mode}, ${row.status})`),
        );
      }),
    );

  campaign
    .command('list')
    .description('list campaigns')
    .action(
      action(contextFor, 'campaign.read', async (ctx) => {
        const { db } = await ctx.database();
        const rows = await createCampaignService({ db }).list();
        ctx.out.result(rows, () =>
          ctx.out.table(rows, ['id', 'name', 'type', 'mode', 'status', 'jurisdiction', 'created_at']),
        );
      }),
    );

  campaign
    .command('show')
    .description('show a campaign, its settings and its contacts by status')
    .argument('<id>', 'campaign id')
    .action(
      action(contextFor, 'campaign.read', async (ctx, id: string) => {
        const { db } = await ctx.database();
        const shown = await createCampaignService({ db }).show(parseId(id, 'campaign id'));
        const { config: definition, contacts, ...row } = shown;
        ctx.out.result(shown, () => {
          ctx.out.line(`campaign ${row.id}: ${row.name}`);
          ctx.out.line(
            `  type ${row.type}, mode ${row.mode}, status ${row.status}, jurisdiction ${row.jurisdiction}`,
          );
          ctx.out.line(
            `  calling window ${definition.callingWindow.days.join(',')} ${definition.callingWindow.start}-${definition.callingWindow.end} (${definition.defaultTimeZone} by default)`,
          );
          const abandonment = campaignAbandonmentDefinition(definition);
          ctx.out.line(
            `  ring ${definition.dialing.ringTimeoutSeconds}s, AMD ${definition.dialing.amd.enabled ? 'on' : 'off'}, abandon cap ${(abandonment.maxRate * 100).toFixed(1)}% over ${abandonment.window} (${abandonment.name.toUpperCase()} definition)`,
          );
          const counts = Object.entries(contacts);
          ctx.out.line(
            `  contacts: ${counts.length === 0 ? 'none yet' : counts.map(([s, n]) => `${s} ${n}`).join(', ')}`,
          );
        });
      }),
    );
}
