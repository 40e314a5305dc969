import type { Command } from 'commander';
import { listAgents } from '../../../db/queries/agents.ts';
import { getCampaignDefinition } from '../../../db/queries/campaigns.ts';
import { UsageError, UserError } from '../../../engine/platform/errors.ts';
import { createAriProbe } from '../../../engine/telephony/ari/ari-probe.ts';
import { runDoctor } from '../../../engine/telephony/doctor/asterisk-doctor.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

interface DoctorFlags {
  campaign: string[];
  ariUrl?: string;
  ariUsername?: string;
  ariApp?: string;
}

export function registerDoctorCommands(program: Command, contextFor: ContextFactory): void {
  program
    .command('doctor')
    .description(
      "check an Asterisk before campaigns run on it: ARI and credentials, modules, app, dialplan, every sound the campaigns play, agents' endpoints, trunk and limits",
    )
    .requiredOption('--campaign <id...>', 'campaign id(s) to check')
    .option('--ari-url <url>', 'Asterisk REST Interface, e.g. http://127.0.0.1:8088 (ARI_URL)')
    .option('--ari-username <user>', 'ARI user (ARI_USERNAME)')
    .option('--ari-app <app>', 'Stasis application name (ARI_APP)')
    .action(
      action(contextFor, 'campaign.control', async (ctx, flags: DoctorFlags) => {
        const ids = flags.campaign.map((c) => parseId(c, 'campaign id'));
        if (flags.ariUrl !== undefined && !URL.canParse(flags.ariUrl))
          throw new UsageError(`--ari-url is not a URL: "${flags.ariUrl}"`);
        const { db } = await ctx.database();
        const campaigns = [];
        for (const id of ids)
          campaigns.push({ id, definition: (await getCampaignDefinition(db, id)).definition });
        const agents = (await listAgents(db))
          .filter((a) => a.active)
          .map((a) => ({ code: a.code, endpoint: a.endpoint }));
        const ari = ctx.config.ari;
        const checks = await runDoctor({
          probe: createAriProbe({
            url: flags.ariUrl ?? ari.url,
            username: flags.ariUsername ?? ari.username,
            password: ari.password,
          }),
          app: flags.ariApp ?? ari.app,
          campaigns,
          agents,
          trunks: ctx.config.trunks,
        });
        const failed = checks.filter((c) => c.status === 'fail').length;
        const warned = checks.filter((c) => c.status === 'warn').length;
        ctx.out.result({ checks, failed, warned }, () => {
          for (const c of checks)
            ctx.out.line(`${c.status === 'fail' ? 'FAIL' : c.status.padEnd(4)}  ${c.check}: ${c.detail}`);
          ctx.out.line(`${checks.length} checks: ${failed} failed, ${warned} warnings`);
        });
        if (failed > 0)
          throw new UserError(
            `doctor: ${failed} check(s) failed; campaigns should not run on this Asterisk yet`,
            'doctor.failed',
          );
      }),
    );
}
