/**
 * `npm run bench:telephony [-- --sizes 100,500 --speed 10]`
 *
 * The telephony port against the ARI simulator running in its own process (`dialer sim-asterisk`),
 * so every figure is the engine's side. For each size N:
 * - originate rate: N originates fired at once; N / time until ARI accepted them all (each call is
 *   cancelled as soon as it is accepted);
 * - answer → agent-bridge latency at N concurrent calls: N agents logged in (nailed-up legs in
 *   their bridges), N customer legs originated at the trunk rate N/5 per second, each person
 *   answering after 2-6 s and staying 60-120 s (simulated), so all N are up together; every
 *   answered customer is connected to its agent. Latency runs from receiving the customer's
 *   StasisStart (`answered`) to receiving its ChannelEnteredBridge (`connected`): p50/p99/max.
 *   Target p99 < 50 ms.
 * A warm-up of 20 calls runs first (ari-client loads modules lazily on first use).
 * Reference, same run: the bare REST round-trip to the same simulator (GET /ari/asterisk/ping)
 * over keep-alive node:http, and through ari-client (swagger-client).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ari from 'ari-client';
import { createAriTelephony, type TelephonyEvent } from '../../engine/telephony/index.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,500' },
    speed: { type: 'string', default: '10' },
    'ref-requests': { type: 'string', default: '500' },
  },
});
const sizes = (values.sizes ?? '100,500').split(',').map(Number);
const speed = Number(values.speed);
const refRequests = Number(values['ref-requests']);

interface Sim {
  url: string;
  stop(): Promise<void>;
}

async function startSimProcess(): Promise<Sim> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-telephony-'));
  const scenario = join(dir, 'scenario.json');
  // Everybody answers after 2-6 s and talks 60-120 s (simulated): all N calls are up together.
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
          talkMs: { min: 60_000, max: 120_000 },
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function referenceRoundTrips(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  const auth = `Basic ${Buffer.from('dialer:dialer').toString('base64')}`;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        { host: hostname, port, path: '/ari/asterisk/ping', agent, headers: { authorization: auth } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(performance.now() - started));
        },
      );
      req.on('error', reject);
      req.end();
    });
  const raw: number[] = [];
  for (let i = 0; i < refRequests; i++) raw.push(await once());
  agent.destroy();

  const client = await ari.connect(url, 'dialer', 'dialer');
  const viaClient: number[] = [];
  for (let i = 0; i < refRequests; i++) {
    const started = performance.now();
    await client.asterisk.ping();
    viaClient.push(performance.now() - started);
  }
  return { raw: stats(raw.slice(20)), viaClient: stats(viaClient.slice(20)) };
}

async function runSize(url: string, n: number, offset: number) {
  const tel = createAriTelephony({
    url,
    username: 'dialer',
    password: 'dialer',
    app: 'dialer',
    trunks: {
      burst: { callsPerSecond: 100_000, maxChannels: 100_000 },
      carrier: { callsPerSecond: Math.max(20, Math.round(n / 5)), maxChannels: 100_000 },
    },
    restTimeoutMs: 30_000,
  });
  await tel.start();
  const ids = Array.from({ length: n }, (_, i) => String(offset + i));
  const endpoint = (id: string) => `PJSIP/+86138${id.padStart(6, '0')}5@carrier`;

  // Originate rate: a burst, each call cancelled once accepted.
  const burstStarted = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      await tel.originate({
        attemptId: `burst-${id}`,
        endpoint: endpoint(id),
        callerId: '4000',
        ringTimeoutSeconds: 30,
        trunk: 'burst',
      });
      await tel.hangup(`burst-${id}`);
    }),
  );
  const burstMs = performance.now() - burstStarted;

  const loginStarted = performance.now();
  await Promise.all(ids.map((id) => tel.loginAgent({ agentId: id, endpoint: `PJSIP/agent-${id}` })));
  const loginMs = performance.now() - loginStarted;

  const answeredAt = new Map<string, number>();
  const bridgeLatency: number[] = [];
  const connectErrors: string[] = [];
  let live = 0;
  let peakLive = 0;
  let resolveAll: () => void = () => {};
  const allConnected = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  tel.onEvent((event: TelephonyEvent) => {
    if (event.type === 'answered' && event.attemptId.startsWith('att-')) {
      answeredAt.set(event.attemptId, performance.now());
      peakLive = Math.max(peakLive, ++live);
      tel
        .connect(event.attemptId, event.attemptId.slice(4))
        .catch((error: Error) => connectErrors.push(error.message));
    } else if (event.type === 'connected') {
      const at = answeredAt.get(event.attemptId);
      if (at !== undefined) bridgeLatency.push(performance.now() - at);
      if (bridgeLatency.length === n) resolveAll();
    } else if (event.type === 'hangup' && event.attemptId.startsWith('att-') && event.answered) {
      live--;
    }
  });
  await Promise.all(
    ids.map((id) =>
      tel.originate({
        attemptId: `att-${id}`,
        endpoint: endpoint(id),
        callerId: '4000',
        ringTimeoutSeconds: 30,
      }),
    ),
  );
  await Promise.race([allConnected, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  await Promise.all(ids.map((id) => tel.hangup(`att-${id}`).catch(() => {})));
  await Promise.all(ids.map((id) => tel.logoutAgent(id).catch(() => {})));
  await tel.stop();
  return { n, loginMs, burstMs, peakLive, bridge: stats(bridgeLatency), connectErrors: connectErrors.length };
}

const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : '-');

const sim = await startSimProcess();
try {
  const reference = await referenceRoundTrips(sim.url);
  const rows: Array<Record<string, string>> = [];
  let offset = 100_000;
  await runSize(sim.url, 20, offset); // warm-up, not reported
  offset += 20;
  for (const n of sizes) {
    const r = await runSize(sim.url, n, offset);
    offset += n;
    rows.push({
      measure: `${n} concurrent calls`,
      'originate rate (calls/s)': (n / (r.burstMs / 1000)).toFixed(0),
      'agent logins (legs/s)': (n / (r.loginMs / 1000)).toFixed(0),
      'peak calls up': String(r.peakLive),
      'answer→bridge p50 ms': fmt(r.bridge.p50),
      'answer→bridge p99 ms': fmt(r.bridge.p99),
      'answer→bridge max ms': fmt(r.bridge.max),
      bridged: `${r.bridge.n}/${n}${r.connectErrors ? ` (${r.connectErrors} errors)` : ''}`,
    });
  }
  for (const [name, s] of [
    ['reference: REST round-trip, node:http', reference.raw],
    ['reference: REST round-trip, ari-client', reference.viaClient],
  ] as const) {
    rows.push({
      measure: name,
      'originate rate (calls/s)': '',
      'agent logins (legs/s)': '',
      'peak calls up': '',
      'answer→bridge p50 ms': fmt(s.p50),
      'answer→bridge p99 ms': fmt(s.p99),
      'answer→bridge max ms': fmt(s.max),
      bridged: `${s.n} sequential`,
    });
  }
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ');
  process.stdout.write(
    `telephony bench: ARI simulator in its own process (speed ${speed}x), adapter on ari-client; target p99 < 50 ms\n`,
  );
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => row[c] ?? ''))}\n`);
} finally {
  await sim.stop();
}
