/**
 * npm run bench:pacing [-- --seed N --days N --scenario <name>]
 *
 * Runs every shipped scenario (campaigns/scenarios/*.json) through the pacing simulator: our
 * predictive pacer beside progressive 1:1, a fixed 2.0 ratio, VICIdial's adaptive dial level and the
 * clairvoyant bound, all on the same simulated people; prints the comparison table and checks the
 * issue's targets for the predictive pacer.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { reportColumns, reportRows } from '../../engine/pacing-simulator/report-rows.ts';
import { runScenario } from '../../engine/pacing-simulator/run-scenario.ts';
import { readScenarioFile, shippedScenarioFiles } from '../../engine/pacing-simulator/scenario-file.ts';
import { checkTargets } from '../../engine/pacing-simulator/targets.ts';
import { formatTable } from '../cli/output.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    days: { type: 'string' },
    scenario: { type: 'string' },
  },
});
const seed = Number(values.seed);
const days = values.days === undefined ? undefined : Number(values.days);
if (!Number.isInteger(seed) || seed < 0 || (days !== undefined && (!Number.isInteger(days) || days < 1))) {
  process.stderr.write('usage: npm run bench:pacing -- [--seed N] [--days N] [--scenario name]\n');
  process.exit(2);
}

const files = shippedScenarioFiles().filter(
  (f) => !values.scenario || basename(f, '.json') === values.scenario,
);
const write = (text: string) => process.stdout.write(text);
let allMet = true;
const summary: Record<string, unknown>[] = [];
for (const file of files) {
  const scenario = readScenarioFile(file);
  const started = performance.now();
  const report = runScenario(scenario, { seed, ...(days === undefined ? {} : { days }) });
  const seconds = (performance.now() - started) / 1000;
  write(
    `\n## ${scenario.name}: ${report.agents} agents, ${report.days} day(s), seed ${seed} (${seconds.toFixed(1)} s)\n`,
  );
  write(formatTable(reportRows(report), reportColumns));
  for (const check of checkTargets(report)) {
    allMet &&= check.met;
    summary.push({
      scenario: scenario.name,
      target: check.target,
      predictive: `${(100 * check.value).toFixed(2)} %`,
      limit: `${(100 * check.limit).toFixed(2)} %`,
      met: check.met ? 'yes' : 'NO',
    });
  }
}
write('\n## Targets (predictive pacer)\n');
write(formatTable(summary, ['scenario', 'target', 'predictive', 'limit', 'met']));
write(`\n${allMet ? 'all targets met' : 'some targets NOT met'}\n`);
