import type { Command } from 'commander';
import { defaultEngineId } from '../../../engine/main.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { systemEngineClock } from '../../../engine/runner/engine-clock.ts';
import { ariTelephonyFromConfig } from '../../../engine/telephony/ari/from-config.ts';
import { startAriSimulator } from '../../../engine/telephony/simulator/start-ari-simulator.ts';
import { startServe } from '../../serve/start-serve.ts';
import type { ContextFactory } from '../program.ts';
import { recordingStorageFromConfig } from '../recording-storage.ts';
import { action } from '../run-action.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  simulator?: boolean;
}

export function registerServeCommands(program: Command, contextFor: ContextFactory): void {
  program
    .command('serve')
    .description(
      'run the engine for every running campaign and the HTTP API (default 127.0.0.1:8080) until stopped',
    )
    .option('--host <address>', 'address of the API (DIALER_SERVE_HOST)')
    .option('--port <port>', 'TCP port of the API, 0 for any free one (DIALER_SERVE_PORT)')
    .option('--simulator', 'also start the in-process ARI simulator (simulated callees and agent phones)')
    .action(
      action(contextFor, 'campaign.control', async (ctx, flags: ServeFlags) => {
        const port = flags.port === undefined ? ctx.config.serve.port : Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new UsageError(
            `--port must be a TCP port number (0-65535), got ${JSON.stringify(flags.port)}`,
          );
        }
        const host = flags.host ?? ctx.config.serve.host;
        const handle = await ctx.database();
        const logger = ctx.logger;
        const clock = systemEngineClock();
        const engineId = ctx.config.engineId ?? defaultEngineId();
        const sim = flags.simulator
          ? await startAriSimulator({ port: 0, agents: { answerDelayMs: 500 } })
          : undefined;
        const ari = sim ? { url: sim.url, username: sim.username, password: sim.password, app: sim.app } : {};
        const telephony = ariTelephonyFromConfig(
          ctx.config,
          { engineId, logger: logger.child({ part: 'telephony' }), clock },
          ari,
        );
        // Campaigns start while serving, so the storage is there for any that records; on
        // PostgreSQL without a recordings folder serving is refused like `dialer run` of a
        // recording campaign, rather than failing every recording later.
        const recordings = recordingStorageFromConfig(ctx.config, ari);
        const serving = await startServe(
          { handle, config: ctx.config, logger, clock, telephony, engineId, recordings },
          { host, port },
        );
        logger.info(
          { url: serving.url, engineId, ari: sim ? sim.url : ctx.config.ari.url, simulator: Boolean(sim) },
          'serving: engine and HTTP API running',
        );
        ctx.out.result(
          {
            url: serving.url,
            engineId,
            openapi: `${serving.url}/api/openapi.json`,
            console: `${serving.url}/`,
          },
          () =>
            ctx.out.line(
              `dialer serving on ${serving.url} (web console: ${serving.url}/, OpenAPI: ${serving.url}/api/openapi.json); SIGTERM or Ctrl-C drains and stops`,
            ),
        );
        // SIGTERM/SIGINT: stop taking requests, stop originating, let live calls end, then exit.
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve);
          process.once('SIGINT', resolve);
        });
        await serving.stop();
        await sim?.stop();
      }),
    );
}
