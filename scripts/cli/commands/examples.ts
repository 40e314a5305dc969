import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findCampaignByName, insertCampaign, listCampaigns } from '../../../db/queries/campaigns.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { readCampaignFile } from './campaign.ts';

const EXAMPLES_DIR = join(import.meta.dirname, '../../../campaigns/examples');

export function registerExampleCommands(program: Command, contextFor: ContextFactory): void {
  program
    .command('examples')
    .description('load the example clients and campaigns from campaigns/examples/ (idempotent)')
    .action(
      action(contextFor, 'campaign.create', async (ctx) => {
        const { db, location } = await ctx.database();
        const created: string[] = [];
        const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'));
        for (const file of files) {
          const definition = readCampaignFile(join(EXAMPLES_DIR, file));
          if (!(await findCampaignByName(db, definition.name))) {
            await insertCampaign(db, definition, ctx.actor);
            created.push(definition.name);
          }
        }
        const campaigns = (await listCampaigns(db)).map(({ config: _config, ...rest }) => rest);
        ctx.out.result({ database: location, created, campaigns }, () => {
          ctx.out.line(`database: ${location}`);
          ctx.out.line(
            created.length ? `created: ${created.join('; ')}` : 'example campaigns already loaded',
          );
          ctx.out.table(campaigns, ['id', 'name', 'type', 'mode', 'status', 'jurisdiction']);
        });
      }),
    );
}
