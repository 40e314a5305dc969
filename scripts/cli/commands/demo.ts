import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { openDatabase } from '../../../db/connect.ts';
import { migrateToLatest } from '../../../db/migrate.ts';
import { hasUsers } from '../../../db/queries/users.ts';
import { archiveRoot } from '../../../engine/platform/config.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { createLogger } from '../../../engine/platform/logger.ts';
import type { RunnerSnapshot } from '../../../engine/runner/campaign-runner.ts';
import { createDemoIdentity } from '../../demo/demo-identity.ts';
import { runDemo } from '../../demo/run-demo.ts';
import { serveDemo } from '../../demo/serve-demo.ts';
import { summaryLines } from '../../demo/summary-text.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

interface DemoFlags {
  seconds: string;
  minutes?: string;
  speed: string;
  agents: string;
  contacts: string;
  seed: string;
  keep?: boolean;
  serve?: boolean;
  host?: string;
  port?: string;
}

function positive(value: string, what: string, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new UsageError(`${what} must be a number from 1 to ${max}, got "${value}"`);
  return n;
}

function progressLine(s: RunnerSnapshot, elapsed: number, simulated: number): string {
  const c = s.counters;
  const abandoned = c.humanAnswered > 0 ? (100 * c.abandoned) / c.humanAnswered : 0;
  const clock = `${Math.floor(simulated / 60)}m${String(Math.floor(simulated % 60)).padStart(2, '0')}s`;
  return (
    `[${elapsed.toFixed(0).padStart(3)}s = sim ${clock}] dialed ${c.dialed}  in flight ${s.inFlight}  answered ${c.answered}` +
    `  connected ${c.connected}  abandoned ${abandoned.toFixed(1)}%  agents ${s.agents.onCall} on call/${s.agents.wrapUp} wrap-up/${s.agents.ready} ready` +
    `  occupancy ${(100 * s.occupancy).toFixed(0)}%  pacing ${s.lastPacing?.mode ?? '-'}`
  );
}

export function registerDemoCommands(program: Command, contextFor: ContextFactory): void {
  program
    .command('demo')
    .description(
      'run a predictive campaign end to end: embedded database, simulated Asterisk (accelerated time), simulated agents',
    )
    .option('--seconds <n>', 'wall-clock seconds to run at most', '60')
    .option('--minutes <n>', 'simulated minutes to run at most (the same moment on a fast or a slow machine)')
    .option(
      '--speed <n>',
      'simulated seconds per real second at most (slower when the machine is busy: simulated time waits for the engine)',
      '20',
    )
    .option('--agents <n>', 'simulated agents', '10')
    .option('--contacts <n>', 'contacts to import from the sample list (max 1000)', '1000')
    .option('--seed <n>', 'seed of the simulated callees and agents', '1')
    .option(
      '--serve',
      'keep the campaign running in real time with the HTTP API open and one extra seat for a person (until Ctrl-C)',
    )
    .option('--host <address>', 'with --serve: address of the API (default 127.0.0.1)')
    .option('--port <port>', 'with --serve: TCP port of the API (default 8080; 0 for any free one)')
    .action(
      action(contextFor, 'anyone', async (ctx, flags: DemoFlags) => {
        const seconds = positive(flags.seconds, '--seconds', 3600);
        const minutes = flags.minutes === undefined ? undefined : positive(flags.minutes, '--minutes', 1440);
        const speed = positive(flags.speed, '--speed', 200);
        const agents = Math.round(positive(flags.agents, '--agents', 100));
        const contacts = Math.round(positive(flags.contacts, '--contacts', 1000));
        // A fresh embedded database unless --data-dir / DATABASE_URL says otherwise.
        const explicit =
          process.argv.includes('--data-dir') || process.env.DIALER_DATA_DIR || ctx.config.databaseUrl;
        // On a kept PostgreSQL database the archive must be configured (see archiveRoot).
        const archive = explicit || ctx.config.archiveDir ? archiveRoot(ctx.config) : undefined;
        const dataDir = explicit ? ctx.config.dataDir : mkdtempSync(join(tmpdir(), 'dialer-demo-'));
        // A kept database is the configured one, opened (and closed) by the context.
        const handle = explicit
          ? await ctx.database()
          : await openDatabase({
              databaseUrl: ctx.config.databaseUrl,
              dataDir,
              maxConnections: ctx.config.databasePoolSize,
            });
        const tty = Boolean(process.stderr.isTTY);
        // On a terminal a warning gets its own human line: the progress line is cleared first
        // (and redrawn at the next tick). Elsewhere logs stay JSON on stderr.
        const logger = createLogger({
          level: process.env.LOG_LEVEL || 'warn',
          ...(tty ? { pretty: true, destination: clearingProgress() } : {}),
        });
        try {
          await migrateToLatest(handle.db);
          // The demo's own throwaway users on a database without users; on one that has users
          // it acts as the caller, who must be allowed to create and start campaigns.
          const identity = (await hasUsers(handle.db)) ? undefined : await createDemoIdentity(handle.db);
          const actor = identity
            ? identity.manager
            : (await ctx.authorize('campaign.control', 'running the demo on a database with users')).name;
          if (identity && explicit && !ctx.out.json) {
            process.stderr.write(
              `demo: users ${identity.admin} and ${identity.manager} created; to look into this database as ${identity.admin} (token shown once, expires in a day):\nDIALER_TOKEN=${identity.adminToken}\n`,
            );
          }
          if (!ctx.out.json && !flags.serve) {
            process.stderr.write(
              `demo: database ${handle.location}; simulated Asterisk at up to ${speed}x; ${agents} simulated agents; up to ${seconds}s\n`,
            );
          }
          if (flags.serve) {
            const port = flags.port === undefined ? ctx.config.serve.port : Number(flags.port);
            if (!Number.isInteger(port) || port < 0 || port > 65535) {
              throw new UsageError(
                `--port must be a TCP port number (0-65535), got ${JSON.stringify(flags.port)}`,
              );
            }
            const demo = await serveDemo({
              handle,
              config: ctx.config,
              logger,
              actor,
              ...(identity ? { admin: identity.admin } : {}),
              agents,
              contacts,
              seed: Math.round(Number(flags.seed)) || 1,
              archiveRoot: archive ?? resolve(dataDir, 'archive'),
              listen: { host: flags.host ?? ctx.config.serve.host, port },
            });
            ctx.out.result(
              {
                url: demo.url,
                console: `${demo.url}/`,
                campaignId: demo.campaignId,
                seat: demo.seat,
                signIns: demo.signIns,
              },
              () => {
                ctx.out.line(
                  `demo serving on ${demo.url} (OpenAPI: ${demo.url}/api/openapi.json); Ctrl-C to stop`,
                );
                ctx.out.line(`web console: open ${demo.url}/ and sign in with one of these`);
                ctx.out.line(
                  `campaign ${demo.campaignId} running in real time with ${agents} simulated agents`,
                );
                ctx.out.line(
                  `your seat: agent ${demo.seat}, operated by demo-agent (the agent desktop at ${demo.url}/agent, or POST /api/agents/me/login)`,
                );
                for (const s of demo.signIns) {
                  ctx.out.line(
                    `  sign in as ${s.role.padEnd(18)} name ${s.name.padEnd(24)} password ${s.password}`,
                  );
                }
                ctx.out.line(
                  `  e.g. curl -c jar -H 'content-type: application/json' -d '{"name":"demo-agent","password":"…"}' ${demo.url}/api/session`,
                );
              },
            );
            await new Promise<void>((done) => {
              process.once('SIGINT', done);
              process.once('SIGTERM', done);
            });
            await demo.stop();
            return;
          }
          let lastLine = 0;
          const summary = await runDemo({
            handle,
            actor,
            logger,
            speed,
            agents,
            contacts,
            maxWallSeconds: seconds,
            ...(minutes !== undefined ? { maxSimulatedMinutes: minutes } : {}),
            seed: Math.round(Number(flags.seed)) || 1,
            archiveRoot: archive ?? resolve(dataDir, 'archive'),
            onProgress: (snapshot, elapsed, simulated) => {
              if (ctx.out.json) return;
              const line = progressLine(snapshot, elapsed, simulated);
              if (tty) process.stderr.write(`\r\x1b[2K${line}`);
              else if (elapsed - lastLine >= 5) {
                lastLine = elapsed;
                process.stderr.write(`${line}\n`);
              }
            },
          });
          if (tty && !ctx.out.json) process.stderr.write('\n');
          ctx.out.result(summary, () => {
            for (const text of summaryLines(summary)) ctx.out.line(text);
          });
        } finally {
          if (!explicit) await handle.close();
          logger.flush();
          // A throwaway database (~60 MB): gone with the demo. --data-dir keeps one to look into.
          if (!explicit) rmSync(dataDir, { recursive: true, force: true });
        }
      }),
    );
}

/** stderr for log lines on a terminal: each starts on a cleared line (not inside the progress line). */
function clearingProgress(): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      process.stderr.write(`\r\x1b[2K${String(chunk)}`, () => done());
    },
  });
}
