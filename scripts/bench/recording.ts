/**
 * `npm run bench:recording [-- --calls 500 --speed 10]`
 *
 * Call recording at scale, against the ARI simulator in its own process (`dialer sim-asterisk`),
 * with the real adapter (ari-client) and the product's own recording storage: for every
 * recorded call the agent's bridge is recorded from the connect; when Asterisk has finished the
 * recording, its wav file is fetched over ARI (`GET /recordings/stored/{name}/file`), its header
 * checked, stored in a private recordings folder (written, synced, renamed, read back and
 * hashed), then deleted from Asterisk. The dial-log and recordings-table writes are not part of
 * this figure (bench:dial-pass measures the database).
 *
 * Two runs of N concurrent calls (N agents in their bridges, N customers answering after 2-6 s and
 * talking 8-12 s, simulated): the reference without recording, then the same with recording.
 * Figures: recordings fetched and stored per second (stored / time from the first recording
 * finished to the last stored), fetch+store latency p50/p99, and answer→bridge p50/p99 in both
 * runs (the effect of recording on connecting people to agents).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RecordingFolder } from '../../engine/recordings/recording-files-store.ts';
import { readWavHeader } from '../../engine/recordings/wav-header.ts';
import { createAriRecordingFiles } from '../../engine/telephony/ari/ari-recording-files.ts';
import { createAriTelephony, type TelephonyEvent } from '../../engine/telephony/index.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '500' },
    speed: { type: 'string', default: '10' },
  },
});
const calls = Number(values.calls);
const speed = Number(values.speed);
const dir = mkdtempSync(join(tmpdir(), 'bench-recording-'));

async function startSimProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const scenario = join(dir, 'scenario.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      clock: { speed },
      callees: {
        mode: 'distribution',
        distribution: {
          answer: 1,
          machine: 0,
          busy: 0,
          noAnswer: 0,
          congestion: 0,
          invalid: 0,
          rejected: 0,
          ringMs: { min: 2000, max: 6000 },
          talkMs: { min: 8000, max: 12_000 },
          calleeHangsUp: 1,
        },
      },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      'bin/dialer.js',
      '--json',
      '--data-dir',
      join(dir, 'data'),
      'sim-asterisk',
      '--port',
      '0',
      '--scenario',
      scenario,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve((JSON.parse(text) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`sim-asterisk exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { n: sorted.length, p50: at(50), p99: at(99), max: sorted.at(-1) ?? Number.NaN };
}

async function runCalls(url: string, n: number, offset: number, record: boolean) {
  const tel = createAriTelephony({
    url,
    username: 'dialer',
    password: 'dialer',
    app: 'dialer',
    trunks: { carrier: { callsPerSecond: Math.max(20, Math.round(n / 5)), maxChannels: 100_000 } },
    restTimeoutMs: 30_000,
  });
  const files = createAriRecordingFiles({ url, username: 'dialer', password: 'dialer' });
  const folder = new RecordingFolder(join(dir, `recordings-${offset}`));
  await tel.start();
  const ids = Array.from({ length: n }, (_, i) => String(offset + i));
  await Promise.all(ids.map((id) => tel.loginAgent({ agentId: id, endpoint: `PJSIP/agent-${id}` })));

  const answeredAt = new Map<string, number>();
  const bridge: number[] = [];
  const storeLatency: number[] = [];
  const failures: string[] = [];
  let firstFinished = Number.NaN;
  let lastStored = Number.NaN;
  let ended = 0;
  let stored = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const check = () => {
    if (ended === n && (!record || stored + failures.length === n)) done();
  };
  const storeRecording = async (name: string) => {
    const started = performance.now();
    if (Number.isNaN(firstFinished)) firstFinished = started;
    try {
      const file = await files.fetch(name);
      readWavHeader(file.bytes);
      await folder.store({ campaignId: 1, name, format: 'wav', day: new Date(), bytes: file.bytes });
      await files.delete(name);
      stored++;
      lastStored = performance.now();
      storeLatency.push(lastStored - started);
    } catch (error) {
      failures.push((error as Error).message);
    }
    check();
  };
  tel.onEvent((event: TelephonyEvent) => {
    if (event.type === 'answered') {
      answeredAt.set(event.attemptId, performance.now());
      tel
        .connect(event.attemptId, event.attemptId.slice(4))
        .catch((error: Error) => failures.push(error.message));
    } else if (event.type === 'connected') {
      const at = answeredAt.get(event.attemptId);
      if (at !== undefined) bridge.push(performance.now() - at);
      if (record) {
        tel
          .record({ agentId: event.agentId }, { name: `rec-${event.attemptId}`, format: 'wav' })
          .catch((error: Error) => failures.push(error.message));
      }
    } else if (event.type === 'recording-finished') {
      void storeRecording(event.recordingName);
    } else if (event.type === 'hangup') {
      ended++;
      check();
    }
  });
  await Promise.all(
    ids.map((id) =>
      tel
        .originate({
          attemptId: `att-${id}`,
          endpoint: `PJSIP/+86138${id.padStart(6, '0')}5@carrier`,
          callerId: '4000',
          ringTimeoutSeconds: 30,
        })
        .catch((error: Error) => {
          // Counted as a failure and as ended: the run goes on.
          failures.push(error.message);
          ended++;
          check();
        }),
    ),
  );
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 120_000))]);
  await Promise.all(ids.map((id) => tel.logoutAgent(id).catch(() => {})));
  await tel.stop();
  return {
    bridge: stats(bridge),
    store: stats(storeLatency),
    stored,
    failures: failures.length,
    reasons: [...new Set(failures)],
    perSecond: stored > 1 ? stored / ((lastStored - firstFinished) / 1000) : Number.NaN,
  };
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const sim = await startSimProcess();
try {
  await runCalls(sim.url, 20, 100_000, true); // warm-up (ari-client loads lazily), not reported
  process.stderr.write(`reference run: ${calls} calls, not recorded…\n`);
  const reference = await runCalls(sim.url, calls, 200_000, false);
  process.stderr.write(`recorded run: ${calls} calls…\n`);
  const recorded = await runCalls(sim.url, calls, 300_000, true);
  const rows = [
    {
      run: `reference: ${calls} calls, not recorded${reference.failures ? ` (${reference.failures} failures)` : ''}`,
      'answer→bridge p50 ms': fmt(reference.bridge.p50),
      'answer→bridge p99 ms': fmt(reference.bridge.p99),
      'recordings stored': '',
      'stored/s': '',
      'fetch+store p50 ms': '',
      'fetch+store p99 ms': '',
    },
    {
      run: `${calls} calls, recorded`,
      'answer→bridge p50 ms': fmt(recorded.bridge.p50),
      'answer→bridge p99 ms': fmt(recorded.bridge.p99),
      'recordings stored': `${recorded.stored}/${calls}${recorded.failures ? ` (${recorded.failures} failures)` : ''}`,
      'stored/s': fmt(recorded.perSecond, 0),
      'fetch+store p50 ms': fmt(recorded.store.p50),
      'fetch+store p99 ms': fmt(recorded.store.p99),
    },
  ];
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) =>
    Math.max(c.length, ...rows.map((r) => String((r as Record<string, string>)[c] ?? '').length)),
  );
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ');
  process.stdout.write(
    `recording bench: ARI simulator in its own process (speed ${speed}x); recordings fetched over ARI, checked, stored 0600, deleted from Asterisk\n`,
  );
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows)
    process.stdout.write(`${line(columns.map((c) => (row as Record<string, string>)[c] ?? ''))}\n`);
  const reasons = [...new Set([...reference.reasons, ...recorded.reasons])].slice(0, 5);
  if (reasons.length > 0) process.stdout.write(`failures, first distinct reasons: ${reasons.join(' | ')}\n`);
  process.stdout.write(
    `effect of recording on answer→bridge p99: ${fmt(recorded.bridge.p99 - reference.bridge.p99)} ms (recorded − reference, same run)\n`,
  );
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
