import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, UserError } from '../../../engine/platform/errors.ts';
import { parseOrThrow } from '../../../engine/platform/zod-error.ts';
import { simulatorOptionsSchema, startAriSimulator } from '../../../engine/telephony/index.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

/** Reads a scenario file: the simulator's options as JSON (callees, agents, clock, seed...). */
function readScenario(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`scenario file ${path} is not valid JSON: ${(error as Error).message}`, 'invalid');
  }
}

export function registerSimAsteriskCommands(program: Command, contextFor: ContextFactory): void {
  program
    .command('sim-asterisk')
    .description('run the ARI simulator: an Asterisk stand-in with simulated callees and agent phones')
    .requiredOption('--port <port>', 'TCP port to listen on (0 picks a free one)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--scenario <file>',
      'JSON scenario: callees, agents, clock, seed, credentials (see engine/telephony/README.md)',
    )
    .option('--speed <n>', 'accelerated clock: every simulated delay divided by n')
    .action(
      action(
        contextFor,
        'anyone',
        async (ctx, opts: { port: string; host: string; scenario?: string; speed?: string }) => {
          const port = Number(opts.port);
          if (!Number.isInteger(port) || port < 0 || port > 65535) {
            throw new UsageError(
              `--port must be a TCP port number (0-65535), got ${JSON.stringify(opts.port)}`,
            );
          }
          const speed = opts.speed === undefined ? undefined : Number(opts.speed);
          if (speed !== undefined && !(speed > 0))
            throw new UsageError('--speed must be a number greater than 0');
          const scenario = opts.scenario ? readScenario(opts.scenario) : {};
          const options = parseOrThrow(
            simulatorOptionsSchema,
            {
              ...(scenario as object),
              port,
              host: opts.host,
              ...(speed !== undefined ? { clock: { speed } } : {}),
            },
            opts.scenario ? `scenario file ${opts.scenario}` : 'simulator options',
          );
          const sim = await startAriSimulator(options);
          ctx.out.result(
            {
              url: sim.url,
              port: sim.port,
              username: sim.username,
              password: sim.password,
              app: sim.app,
              clock: options.clock,
            },
            () => {
              ctx.out.line(`ARI simulator listening on ${sim.url} (user ${sim.username}, app ${sim.app})`);
              ctx.out.line(
                `  clock: ${options.clock === 'realtime' ? 'real time' : 'speed' in options.clock ? `${options.clock.speed}x` : 'shared'}; Ctrl-C to stop`,
              );
              ctx.out.line(
                // A simulator's password guards nothing: printed so the line can be pasted as is.
                `  engine settings: ARI_URL=${sim.url} ARI_USERNAME=${sim.username} ARI_PASSWORD=${sim.password} ARI_APP=${sim.app}`,
              );
            },
          );
          ctx.logger.info({ url: sim.url }, 'ARI simulator started');
          await new Promise<void>((resolve) => {
            const done = () => resolve();
            process.once('SIGINT', done);
            process.once('SIGTERM', done);
          });
          await sim.stop();
          ctx.logger.info(sim.stats(), 'ARI simulator stopped');
        },
      ),
    );
}
