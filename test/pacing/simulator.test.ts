import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../engine/pacing-simulator/attempts.ts';
import { simulateClairvoyant } from '../../engine/pacing-simulator/clairvoyant.ts';
import { summarize } from '../../engine/pacing-simulator/metrics.ts';
import { plotRuns } from '../../engine/pacing-simulator/plot.ts';
import { runScenario, strategyNames } from '../../engine/pacing-simulator/run-scenario.ts';
import { type ScenarioInput, scenarioSchema } from '../../engine/pacing-simulator/scenario.ts';
import { readScenarioFile, shippedScenarioFiles } from '../../engine/pacing-simulator/scenario-file.ts';
import { simulateDialer } from '../../engine/pacing-simulator/simulate-dialer.ts';
import { predictiveStrategy, progressiveStrategy } from '../../engine/pacing-simulator/strategies.ts';
import { ValidationError } from '../../engine/platform/errors.ts';
import { runCli } from '../cli/cli-run.ts';

/** Small enough to run every strategy in well under a second. */
const small: ScenarioInput = {
  name: 'test-small',
  days: 2,
  shifts: [
    { agents: 6, start: '09:00', end: '10:30' },
    { agents: 2, start: '09:30', end: '10:30' },
  ],
  answer: {
    probability: 0.35,
    changes: [{ at: '10:00', probability: 0.15 }],
    ringSeconds: { kind: 'lognormal', mean: 8, sd: 4, minSeconds: 2 },
  },
  talkSeconds: { kind: 'lognormal', mean: 90, sd: 50, minSeconds: 10 },
  wrapUpSeconds: { kind: 'gamma', mean: 15, sd: 6 },
  machine: { share: 0.2, amd: { enabled: true } },
  pacing: { minAnsweredForPredictive: 20 },
};
const scenario = scenarioSchema.parse(small);

describe('pacing simulator', () => {
  it('is deterministic for a seed, and another seed gives another run', () => {
    const only = ['vicidial-adapt', 'predictive', 'clairvoyant'];
    const a = runScenario(scenario, { seed: 7, only });
    const b = runScenario(scenario, { seed: 7, only });
    const c = runScenario(scenario, { seed: 8, only });
    expect(b.strategies).toEqual(a.strategies);
    expect(c.strategies.predictive).not.toEqual(a.strategies.predictive);
  });

  it('runs every strategy, ours among them, on the same people', () => {
    const report = runScenario(scenario, { seed: 1 });
    expect(Object.keys(report.strategies)).toEqual([...strategyNames]);
    expect(report.agents).toBe(8);
    expect(report.days).toBe(2);
  });

  it('accounts for every person who answered and every routed call, every day', () => {
    const report = runScenario(scenario, { seed: 3 });
    for (const run of report.runs) {
      for (const day of run.days) {
        // A person who answers is connected, abandoned, hung up on by AMD, or hangs up in the
        // silence before an agent: nothing else.
        expect(day.humanConnects + day.abandoned + day.amdHangups + day.silentHangups, run.name).toBe(
          day.humanAnswered,
        );
        expect(day.humanAnswered, run.name).toBeLessThanOrEqual(day.attempts);
        expect(day.routedAbandoned, run.name).toBeGreaterThanOrEqual(day.abandoned);
        expect(day.talkSeconds + day.wrapUpSeconds, run.name).toBeLessThanOrEqual(day.loggedInSeconds + 1e-6);
        // 6 agents for 90 minutes and 2 for 60, at least.
        expect(day.loggedInSeconds, run.name).toBeGreaterThanOrEqual(6 * 5400 + 2 * 3600 - 1e-6);
      }
      const s = report.strategies[run.name];
      expect(s?.occupancy).toBeGreaterThan(0);
      expect(s?.occupancy).toBeLessThanOrEqual(1);
    }
  });

  it('counts abandonment as the scenario’s definition does: Ofcom adds the persons AMD hung up on', () => {
    const us = runScenario(scenario, { seed: 4, only: ['predictive'] });
    const uk = runScenario(scenarioSchema.parse({ ...small, abandon: { definition: 'uk', window: '30d' } }), {
      seed: 4,
      only: ['predictive'],
    });
    const run = us.runs[0];
    const days = run?.days ?? [];
    const total = (key: 'abandoned' | 'amdHangups' | 'humanAnswered') =>
      days.reduce((sum, d) => sum + d[key], 0);
    expect(total('amdHangups')).toBeGreaterThan(0);
    expect(us.strategies.predictive?.abandonRate).toBeCloseTo(
      total('abandoned') / total('humanAnswered'),
      10,
    );
    // The same people, the same calls: the UK rate is higher by exactly the persons AMD hung up on.
    const ukRun = uk.runs[0];
    const ukDays = ukRun?.days ?? [];
    const ukTotal = (key: 'abandoned' | 'amdHangups' | 'humanAnswered') =>
      ukDays.reduce((sum, d) => sum + d[key], 0);
    expect(uk.strategies.predictive?.abandonRate).toBeCloseTo(
      (ukTotal('abandoned') + ukTotal('amdHangups')) / ukTotal('humanAnswered'),
      10,
    );
  });

  it('lets people hang up in the silence during AMD or while waiting, without counting them abandoned', () => {
    const impatient = scenarioSchema.parse({
      ...small,
      answer: { ...small.answer, patienceSeconds: { kind: 'uniform', min: 1, max: 5 } },
      machine: { share: 0.2, amd: { enabled: true, seconds: { kind: 'uniform', min: 2, max: 4 } } },
    });
    const report = runScenario(impatient, { seed: 2, only: ['predictive'] });
    const days = report.runs[0]?.days ?? [];
    const silent = days.reduce((sum, d) => sum + d.silentHangups, 0);
    expect(silent).toBeGreaterThan(0);
    expect(report.strategies.predictive?.silentHangupRate).toBeGreaterThan(0);
  });

  it('never abandons with the clairvoyant dialer, whose occupancy bounds every other strategy', () => {
    const report = runScenario(scenario, { seed: 5 });
    const bound = report.strategies.clairvoyant;
    expect(bound?.abandonRate).toBe(0);
    expect(bound?.maxDailyAbandonRate).toBe(0);
    expect(bound?.meanAgentWaitSeconds).toBeLessThan(15);
    for (const [name, s] of Object.entries(report.strategies)) {
      expect(s.occupancy, name).toBeLessThanOrEqual((bound?.occupancy ?? 0) + 1e-9);
    }
  });

  it('never abandons with progressive 1:1 when every answer goes to an agent', () => {
    const noAmd = scenarioSchema.parse({ ...small, machine: { share: 0.2 } });
    const run = simulateDialer(compileScenario(noAmd), progressiveStrategy('progressive', 1), { seed: 2 });
    expect(run.days.reduce((n, d) => n + d.routedAbandoned, 0)).toBe(0);
  });

  it('keeps agents busier with the predictive pacer than with progressive 1:1', () => {
    const compiled = compileScenario(scenarioSchema.parse({ ...small, days: 3 }));
    const ours = simulateDialer(compiled, predictiveStrategy(), { seed: 4 });
    const progressive = simulateDialer(compiled, progressiveStrategy('progressive', 1), { seed: 4 });
    expect(summarize(ours.days, ours.series).occupancy).toBeGreaterThan(
      summarize(progressive.days, progressive.series).occupancy,
    );
  });

  it('computes the rolling 30-day abandonment over the days that exist', () => {
    const run = simulateClairvoyant(compileScenario(scenario), { seed: 1 });
    const days = run.days.map((d, i) => ({ ...d, abandoned: i === 0 ? 10 : 0, humanAnswered: 100 }));
    const summary = summarize(days, run.series);
    expect(summary.maxDailyAbandonRate).toBeCloseTo(0.1, 10);
    expect(summary.maxRollingAbandonRate).toBeCloseTo(0.1, 10);
    expect(summary.abandonRate).toBeCloseTo(0.05, 10);
  });

  it('draws a well-formed SVG with one line per strategy and panel', () => {
    const report = runScenario(scenario, {
      seed: 1,
      bucketSeconds: 600,
      only: ['progressive', 'clairvoyant'],
    });
    const svg = plotRuns('test & <plot>', report.runs);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('test &amp; &lt;plot&gt;');
    expect(svg.match(/<path /g)?.length).toBe(3 * report.runs.length);
  });
});

describe('scenario files', () => {
  it('ships at least the four scenarios of the issue, all valid', () => {
    const files = shippedScenarioFiles();
    const names = files.map((f) => readScenarioFile(f).name);
    expect(names).toEqual(
      expect.arrayContaining(['small-team', 'large-team-low-answer', 'reminder', 'noon-collapse']),
    );
    const byName = Object.fromEntries(files.map((f) => [readScenarioFile(f).name, readScenarioFile(f)]));
    expect(byName['small-team']?.shifts[0]?.agents).toBe(5);
    expect(byName['large-team-low-answer']?.shifts[0]?.agents).toBe(50);
    expect(byName['large-team-low-answer']?.answer.probability).toBe(0.1);
    expect(byName.reminder?.answer.probability).toBe(0.6);
    expect(byName['noon-collapse']?.answer.changes[0]?.at).toBe('12:00');
  });

  it('rejects a file with a mistake, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacing-scenario-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...small, shifts: [{ agents: 5, start: '17:00', end: '09:00' }] }));
    expect(() => readScenarioFile(file)).toThrow(ValidationError);
    expect(() => readScenarioFile(file)).toThrow(/shifts\.0\.end: start must be before end/);
  });

  it('rejects a misspelled key at any depth instead of simulating the default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacing-scenario-'));
    const file = join(dir, 'typo.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...small,
        answer: { ...small.answer, ringSeconds: { kind: 'fixed', seconds: 5, maxSecond: 9 } },
      }),
    );
    expect(() => readScenarioFile(file)).toThrow(/answer\.ringSeconds\.maxSecond: unknown key/);
    writeFileSync(file, JSON.stringify({ ...small, pacing: { targetAbandonrate: 0.01 } }));
    expect(() => readScenarioFile(file)).toThrow(/pacing\.targetAbandonrate: unknown key/);
  });
});

describe('dialer simulate', { timeout: 120_000 }, () => {
  it('prints every strategy as one JSON document with --json, and writes the plot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacing-cli-'));
    const file = join(dir, 'small.json');
    writeFileSync(file, JSON.stringify({ ...small, days: 1 }));
    const plot = join(dir, 'plot.svg');
    const result = await runCli(['--json', 'simulate', '--scenario', file, '--seed', '3', '--plot', plot]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.scenario).toBe('test-small');
    expect(Object.keys(json.strategies)).toEqual([...strategyNames]);
    for (const s of Object.values(json.strategies)) {
      expect(Object.keys(s as object)).toEqual(
        expect.arrayContaining([
          'occupancy',
          'abandonRate',
          'maxDailyAbandonRate',
          'maxRollingAbandonRate',
          'connectsPerAgentHour',
          'meanAgentWaitSeconds',
        ]),
      );
    }
    expect(readFileSync(plot, 'utf8')).toContain('</svg>');
  });

  it('refuses a missing scenario file with one line and exit code 1', async () => {
    const result = await runCli(['simulate', '--scenario', '/nonexistent/scenario.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read scenario file /nonexistent/scenario.json');
    expect(result.stdout).toBe('');
  });
});
