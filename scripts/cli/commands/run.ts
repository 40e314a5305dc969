import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { getCampaign, getCampaignDefinition } from '../../../db/queries/campaigns.ts';
import type { Database } from '../../../db/schema.ts';
import { defaultEngineId, main } from '../../../engine/main.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { scaledEngineClock, systemEngineClock } from '../../../engine/runner/engine-clock.ts';
import { createCampaignService } from '../../../engine/services/campaign-service.ts';
import { CAMPAIGN_TRANSITIONS, CAMPAIGN_VERBS } from '../../../engine/services/campaign-status.ts';
import { ariTelephonyFromConfig } from '../../../engine/telephony/ari/from-config.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { recordingStorageFromConfig } from '../recording-storage.ts';
import { action } from '../run-action.ts';

/** Whether any of the campaigns records its calls (the engine then needs a recordings folder). */
async function campaignsRecord(db: Kysely<Database>, ids: readonly number[]): Promise<boolean> {
  for (const id of ids) {
    if ((await getCampaignDefinition(db, id)).definition.recording.enabled) return true;
  }
  return false;
}

interface RunFlags {
  campaign: string[];
  untilDone?: boolean;
  ariUrl?: string;
  ariUsername?: string;
  ariApp?: string;
}

/**
 * Engine time. Production runs in real time; DIALER_CLOCK_SPEED (and DIALER_CLOCK_EPOCH) make
 * an engine run against the ARI simulator at the simulator's speed (tests, demos).
 */
function engineClock() {
  const speed = Number(process.env.DIALER_CLOCK_SPEED ?? '1');
  if (!(speed > 0)) throw new UsageError('DIALER_CLOCK_SPEED must be a positive number');
  if (speed === 1) return systemEngineClock();
  const epoch = process.env.DIALER_CLOCK_EPOCH
    ? new Date(process.env.DIALER_CLOCK_EPOCH).getTime()
    : Date.now();
  return scaledEngineClock(speed, epoch);
}

export function registerRunCommands(program: Command, contextFor: ContextFactory): void {
  program
    .command('run')
    .description('run campaigns on Asterisk (ARI settings from config, environment or flags) until stopped')
    .requiredOption('--campaign <id...>', 'campaign id(s) to run')
    .option('--until-done', 'exit when no contact is due any more (instead of waiting for retries)')
    .option('--ari-url <url>', 'Asterisk REST Interface, e.g. http://127.0.0.1:8088 (ARI_URL)')
    .option('--ari-username <user>', 'ARI user (ARI_USERNAME)')
    .option('--ari-app <app>', 'Stasis application name (ARI_APP)')
    .action(
      action(contextFor, 'campaign.control', async (ctx, flags: RunFlags) => {
        const ids = flags.campaign.map((c) => parseId(c, 'campaign id'));
        if (flags.ariUrl !== undefined) {
          if (!URL.canParse(flags.ariUrl)) throw new UsageError(`--ari-url is not a URL: "${flags.ariUrl}"`);
          const url = new URL(flags.ariUrl);
          if (url.password || url.username) {
            throw new UsageError(
              '--ari-url must not carry credentials (a command line is visible to every user in `ps`): set ARI_USERNAME and ARI_PASSWORD, or "ari" in the config file',
            );
          }
        }
        const handle = await ctx.database();
        for (const id of ids) await getCampaign(handle.db, id);
        const ariOverrides = {
          ...(flags.ariUrl ? { url: flags.ariUrl } : {}),
          ...(flags.ariUsername ? { username: flags.ariUsername } : {}),
        };
        // Refused before any dial when a recording campaign has nowhere to store its recordings.
        const recordings = (await campaignsRecord(handle.db, ids))
          ? recordingStorageFromConfig(ctx.config, ariOverrides)
          : undefined;
        const clock = engineClock();
        const logger = ctx.logger;
        // One identity for the runner (leases, dial log) and the adapter (channel ids).
        const engineId = ctx.config.engineId ?? defaultEngineId();
        const telephony = ariTelephonyFromConfig(
          ctx.config,
          { engineId, logger: logger.child({ part: 'telephony' }), clock },
          {
            ...(flags.ariUrl ? { url: flags.ariUrl } : {}),
            ...(flags.ariUsername ? { username: flags.ariUsername } : {}),
            ...(flags.ariApp ? { app: flags.ariApp } : {}),
          },
        );
        const engine = await main(
          { database: handle, telephony, clock, logger, engineId, ...(recordings ? { recordings } : {}) },
          ids,
          {
            stopWhenDone: Boolean(flags.untilDone),
          },
        );
        logger.info(
          { campaigns: ids, ari: flags.ariUrl ?? ctx.config.ari.url, trunks: ctx.config.trunks },
          'engine running',
        );
        // SIGTERM/SIGINT: stop originating, let live calls end, then exit.
        const stop = () => void engine.stop();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        await engine.finished;
        await engine.stop();
        const counters = engine.runners.map((r) => ({ campaignId: r.campaignId, ...r.counters }));
        ctx.out.result({ engineId: engine.engineId, campaigns: counters }, () => {
          for (const c of counters) {
            ctx.out.line(
              `campaign ${c.campaignId}: dialed ${c.dialed}, answered ${c.answered}, connected ${c.connected}, abandoned ${c.abandoned}`,
            );
          }
        });
      }),
    );

  const campaign = program.commands.find((c) => c.name() === 'campaign');
  if (!campaign) return;
  for (const verb of CAMPAIGN_VERBS) {
    const t = CAMPAIGN_TRANSITIONS[verb];
    campaign
      .command(verb)
      .description(t.what)
      .argument('<id>', 'campaign id')
      .action(
        action(contextFor, 'campaign.control', async (ctx, id: string) => {
          const { db } = await ctx.database();
          const updated = await createCampaignService({ db }).change(
            parseId(id, 'campaign id'),
            verb,
            ctx.auditActor,
          );
          ctx.out.result(updated, () => ctx.out.line(`campaign ${updated.id} ${updated.status}`));
        }),
      );
  }
}
