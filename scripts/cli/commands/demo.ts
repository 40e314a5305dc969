import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../../../db/connect.ts';
import { migrateToLatest } from '../../../db/migrate.ts';
import { hasUsers } from '../../../db/queries/users.ts';
import { archiveRoot } from '../../../engine/platform/config.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { createLogger } from '../../../engine/platform/logger.ts';
import type { RunnerSnapshot } from '../../../engine/runner/campaign-runner.ts';
import { createDemoIdentity } from '../../demo/demo-identity.ts';
import { type DemoSummary, runDemo } from '../../demo/run-demo.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

interface DemoFlags {
  seconds: string;
  speed: string;
  agents: string;
  contacts: string;
  seed: string;
  keep?: boolean;
}

function positive(value: string, what: string, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new UsageError(`${what} must be a number from 1 to ${max}, got "${value}"`);
  return n;
}

function progressLine(s: RunnerSnapshot, elapsed: number): string {
  const c = s.counters;
  const abandoned = c.humanAnswered > 0 ? (100 * c.abandoned) / c.humanAnswered : 0;
  return (
    `[${elapsed.toFixed(0).padStart(3)}s] dialed ${c.dialed}  in flight ${s.inFlight}  answered ${c.answered}` +
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
    .option('--speed <n>', 'simulated seconds per real second', '20')
    .option('--agents <n>', 'simulated agents', '10')
    .option('--contacts <n>', 'contacts to import from the sample list (max 1000)', '1000')
    .option('--seed <n>', 'seed of the simulated callees and agents', '1')
    .action(
      action(contextFor, 'anyone', async (ctx, flags: DemoFlags) => {
        const seconds = positive(flags.seconds, '--seconds', 3600);
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
          : await openDatabase({ databaseUrl: ctx.config.databaseUrl, dataDir });
        const logger = createLogger({ level: process.env.LOG_LEVEL || 'warn' });
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
          const tty = Boolean(process.stderr.isTTY);
          if (!ctx.out.json) {
            process.stderr.write(
              `demo: database ${handle.location}; simulated Asterisk at ${speed}x; ${agents} simulated agents; up to ${seconds}s\n`,
            );
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
            seed: Math.round(Number(flags.seed)) || 1,
            archiveRoot: archive ?? resolve(dataDir, 'archive'),
            onProgress: (snapshot, elapsed) => {
              if (ctx.out.json) return;
              const line = progressLine(snapshot, elapsed);
              if (tty) process.stderr.write(`\r\x1b[2K${line}`);
              else if (elapsed - lastLine >= 5) {
                lastLine = elapsed;
                process.stderr.write(`${line}\n`);
              }
            },
          });
          if (tty && !ctx.out.json) process.stderr.write('\n');
          ctx.out.result(summary, () => printSummary(ctx.out.line, summary));
        } finally {
          if (!explicit) await handle.close();
          logger.flush();
          // A throwaway database (~60 MB): gone with the demo. --data-dir keeps one to look into.
          if (!explicit) rmSync(dataDir, { recursive: true, force: true });
        }
      }),
    );
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function printSummary(line: (text?: string) => void, s: DemoSummary): void {
  const d = s.dialLog;
  line(`campaign ${s.campaignId} "${s.campaign}" on ${s.database}`);
  line(
    `ran ${s.wallSeconds.toFixed(0)} s of wall time = ${s.simulatedMinutes.toFixed(0)} simulated minutes (x${s.speed}, from ${s.simulatedStart}), ${s.agents} agents`,
  );
  line(
    `dial log: ${d.attempts} attempts (${d.finalized} final, ${d.open} open); answered ${d.answered} (${pct(s.answerRate)}), by a person ${d.humanAnswered}, machines ${d.machines}`,
  );
  line(
    `connected to agents ${d.connected}; abandoned ${d.abandoned} = ${pct(s.abandonmentRate)} of person-answered calls (cap ${pct(s.abandonmentCap)})`,
  );
  line(`agent occupancy ${pct(s.occupancy)}`);
  line(
    `results: ${Object.entries(d.byResult)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  line(
    `outcomes: ${Object.entries(s.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  line(
    `contacts (${s.contacts.total}): ${Object.entries(s.contacts.byStatus)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  line(`alarms: ${s.alarms.length === 0 ? 'none' : s.alarms.map((a) => a.message).join('; ')}`);
}
