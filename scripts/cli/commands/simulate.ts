import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { plotRuns } from '../../../engine/pacing-simulator/plot.ts';
import { reportColumns, reportRows } from '../../../engine/pacing-simulator/report-rows.ts';
import { runScenario } from '../../../engine/pacing-simulator/run-scenario.ts';
import { readScenarioFile } from '../../../engine/pacing-simulator/scenario-file.ts';
import { UsageError, UserError } from '../../../engine/platform/errors.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

interface SimulateOptions {
  scenario: string;
  seed: string;
  days?: string;
  plot?: string;
}

function nonNegativeInteger(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${what} must be a whole number, got "${value}"`);
  return Number(value);
}

export function registerSimulateCommands(program: Command, contextFor: ContextFactory): void {
  program
    .command('simulate')
    .description('simulate a pacing scenario: every strategy side by side on the same calls (no database)')
    .requiredOption('--scenario <file>', 'scenario file, e.g. campaigns/scenarios/small-team.json')
    .option('--seed <n>', 'random seed: the same seed gives the same run', '1')
    .option('--days <n>', "number of days (default: the scenario's)")
    .option('--plot <file.svg>', 'also draw occupancy, abandonment and lines in flight over time as SVG')
    .action(
      action(contextFor, 'anyone', async (ctx, opts: SimulateOptions) => {
        const seed = nonNegativeInteger(opts.seed, '--seed');
        const days = opts.days === undefined ? undefined : nonNegativeInteger(opts.days, '--days');
        if (days === 0) throw new UsageError('--days must be at least 1');
        const scenario = readScenarioFile(opts.scenario);
        const dayCount = days ?? scenario.days;
        const report = runScenario(scenario, {
          seed,
          ...(days === undefined ? {} : { days }),
          bucketSeconds: dayCount > 3 ? 3600 : 900,
        });
        if (opts.plot) {
          const title = `${scenario.name}: ${report.agents} agents, ${report.days} day(s), seed ${seed}`;
          try {
            writeFileSync(opts.plot, plotRuns(title, report.runs));
          } catch (error) {
            throw new UserError(`cannot write ${opts.plot}: ${(error as Error).message}`, 'refused', {
              cause: error,
            });
          }
        }
        ctx.out.result(
          { scenario: report.scenario, seed, days: report.days, strategies: report.strategies },
          () => {
            ctx.out.line(`${scenario.name}: ${report.agents} agents, ${report.days} day(s), seed ${seed}`);
            if (scenario.description) ctx.out.line(scenario.description);
            ctx.out.line();
            ctx.out.table(reportRows(report), reportColumns);
            if (opts.plot) ctx.out.line(`\nplot written to ${opts.plot}`);
          },
        );
      }),
    );
}
