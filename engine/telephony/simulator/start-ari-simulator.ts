import { z } from 'zod';
import { AriHttpServer } from './ari-http-server.ts';
import { calleeConfigSchema } from './callee-model.ts';
import { seededRandom } from './seeded-random.ts';
import { SimAsterisk, type SimStats } from './sim-asterisk.ts';
import { createSimClock, type SharedTime } from './sim-clock.ts';
import { SimRecordingSpool } from './sim-recording-spool.ts';

/** Options of the simulator; also the shape of a `--scenario` file (JSON). */
export const simulatorOptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  username: z.string().min(1).default('dialer'),
  password: z.string().default('dialer'),
  /** The Stasis app the AMD dialplan context returns to (`Stasis(dialer,amd,...)`). */
  app: z.string().min(1).default('dialer'),
  /**
   * `realtime`, or `{ speed: N }`: every simulated delay divided by N, or `{ shared: clock }`:
   * the simulator's timers are timers of that clock (the engine's manual clock), so simulated
   * time is engine time and moves only when the clock's driver moves it. Not for scenario files.
   */
  clock: z
    .union([
      z.literal('realtime'),
      z.object({ speed: z.number().positive() }),
      z.object({
        shared: z.custom<SharedTime>(
          (v) => typeof v === 'object' && v !== null && 'now' in v && 'after' in v,
          'a clock with now() and after()',
        ),
      }),
    ])
    .default('realtime'),
  seed: z.number().int().default(1),
  /** What `dialer doctor` asks: modules not loaded, endpoints missing or offline, dialplan globals. */
  modules: z.object({ missing: z.array(z.string()).default([]) }).prefault({}),
  endpoints: z
    .object({ missing: z.array(z.string()).default([]), offline: z.array(z.string()).default([]) })
    .prefault({}),
  globals: z
    .record(z.string(), z.string())
    .default({ DIALER_STASIS_APP: 'DIALER_APP', DIALER_AMD_CONTEXTS: 'dialer-amd' }),
  callees: calleeConfigSchema.prefault({}),
  agents: z.object({ answerDelayMs: z.number().min(0).default(0) }).prefault({}),
  sounds: z
    .object({
      defaultMs: z.number().min(0).default(2000),
      durations: z.record(z.string(), z.number().min(0)).default({ 'sound:beep': 440 }),
      /** Sounds not installed (names without `sound:`): 404 on GET /sounds/{id}, playback `failed`. */
      missing: z.array(z.string()).default([]),
      /** Languages every installed sound is reported in. */
      languages: z.array(z.string()).default(['en', 'zh']),
    })
    .prefault({}),
});

export type AriSimulatorOptions = z.input<typeof simulatorOptionsSchema>;

export interface AriSimulatorStats extends SimStats {
  restRequests: number;
  /** Event frames written to WebSockets since start (an adapter has read them all when idle). */
  framesSent: number;
  webSockets: number;
  restarts: number;
}

export interface AriSimulator {
  /** Base URL to give the adapter, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly app: string;
  stop(): Promise<void>;
  /**
   * `core restart now`: hangs every channel up (events sent), closes the WebSockets and the port,
   * stays down `downMs` (real milliseconds), then answers 404 on /ari for `loadingMs`, then
   * serves a fresh Asterisk with no channels (nothing replayed). `stopAsterisk()` then
   * `startAsterisk()` with the wait in between.
   */
  restart(options?: { downMs?: number; loadingMs?: number }): Promise<void>;
  /**
   * `core stop now` (trace asterisk_down_60s): every channel hung up by the shutdown (cause 0),
   * the WebSockets closed, the port closed: a connection is refused and an ari-client REST call
   * never settles, until `startAsterisk()`.
   */
  stopAsterisk(): Promise<void>;
  /**
   * Starts the stopped Asterisk on the same port: for `loadingMs` (real milliseconds) every
   * /ari request answers 404 with Asterisk's HTML page (res_ari not loaded yet), then a fresh
   * Asterisk with no channels and no app registered until a WebSocket comes. `finishLoading()`
   * of the answer ends the loading at once (a test that looks at it first).
   */
  startAsterisk(options?: { loadingMs?: number }): Promise<{ finishLoading(): void }>;
  /** Cuts the event WebSockets abruptly; clients reconnect by themselves. */
  dropWebSockets(): void;
  /** Keeps the event WebSockets open but silent (no events, no pongs): a half-open link. */
  freezeWebSockets(): void;
  /**
   * Fault: the next `count` REST requests of `method` whose path (after `/ari`) matches `path`
   * get no reply at all, as when Asterisk is overloaded or goes away mid-request; with
   * `carryOut` the request is still carried out (e.g. an originate that rings although its
   * answer never came).
   */
  withholdReplies(fault: { method: string; path: RegExp; count?: number; carryOut?: boolean }): void;
  /**
   * Test/demo control: the agent's phone at `endpoint` (e.g. `PJSIP/agent-9`) rings and is
   * never answered (`false`: answered again as usual); an originate to it ends at its timeout
   * with cause 19.
   */
  answerAgentPhone(endpoint: string, answers: boolean): void;
  /** Test/demo control: the far end of a channel hangs up. */
  hangupFromFarEnd(channelId: string, cause?: number): boolean;
  /** Fault: the next `count` recordings fail (RecordingFailed, no file stored). */
  failRecordings(count?: number): void;
  /** Names of the recordings in the simulated spool (fetched ones are deleted by the engine). */
  storedRecordings(): string[];
  stats(): AriSimulatorStats;
}

export async function startAriSimulator(input: AriSimulatorOptions = {}): Promise<AriSimulator> {
  const options = simulatorOptionsSchema.parse(input);
  const random = seededRandom(options.seed);
  const clock = createSimClock(options.clock);
  let restRequests = 0;
  let framesSent = 0;
  let restarts = 0;
  let down = false;
  let server: AriHttpServer;
  const spool = new SimRecordingSpool();
  const recordingFaults = { remaining: 0 };
  const unansweredPhones = new Set<string>();

  const makeSim = () =>
    new SimAsterisk({
      clock,
      random,
      callees: options.callees,
      agentAnswerDelayMs: options.agents.answerDelayMs,
      amdApp: options.app,
      soundMs: (media) => options.sounds.durations[media] ?? options.sounds.defaultMs,
      soundExists: (name) => !options.sounds.missing.includes(name),
      soundLanguages: options.sounds.languages,
      missingModules: options.modules.missing,
      missingEndpoints: options.endpoints.missing,
      offlineEndpoints: options.endpoints.offline,
      globals: options.globals,
      asteriskId: '02:fc:00:00:00:01',
      deliver: (app, event) => server.deliver(app, event),
      isAppRegistered: (app) => server.isAppRegistered(app),
      spool,
      recordingFaults,
      unansweredPhones,
    });
  let sim = makeSim();
  const makeServer = () =>
    new AriHttpServer({
      username: options.username,
      password: options.password,
      sim: () => sim,
      onRequest: () => {
        restRequests++;
      },
      onFrame: () => {
        framesSent++;
      },
    });
  server = makeServer();
  const port = await server.listen(options.port, options.host);

  async function stopAsterisk(): Promise<void> {
    if (down) return;
    down = true;
    restarts++;
    sim.shutdown();
    // Let the hang-up events reach the clients before the sockets go.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.close();
  }
  async function startAsterisk({ loadingMs = 200 } = {}): Promise<{ finishLoading(): void }> {
    const current = down ? makeServer() : server;
    const finishLoading = () => {
      current.loading = false;
    };
    if (!down) return { finishLoading };
    sim = makeSim();
    server = current;
    server.loading = loadingMs > 0;
    await server.listen(port, options.host);
    down = false;
    if (loadingMs > 0) setTimeout(finishLoading, loadingMs).unref();
    return { finishLoading };
  }

  return {
    url: `http://${options.host}:${port}`,
    port,
    username: options.username,
    password: options.password,
    app: options.app,
    async stop() {
      sim.halt();
      if (!down) await server.close();
      spool.removeAll();
    },
    async restart({ downMs = 300, loadingMs = 200 } = {}) {
      await stopAsterisk();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await startAsterisk({ loadingMs });
    },
    stopAsterisk,
    startAsterisk,
    dropWebSockets() {
      server.dropWebSockets();
    },
    freezeWebSockets() {
      server.freezeWebSockets();
    },
    withholdReplies({ method, path, count = 1, carryOut = false }) {
      server.withheld.push({ method, path, remaining: count, carryOut });
    },
    answerAgentPhone(endpoint, answers) {
      if (answers) unansweredPhones.delete(endpoint);
      else unansweredPhones.add(endpoint);
    },
    hangupFromFarEnd(channelId, cause = 16) {
      return sim.remoteHangup(channelId, cause);
    },
    failRecordings(count = 1) {
      recordingFaults.remaining += count;
    },
    storedRecordings() {
      return spool.list().map((r) => r.name);
    },
    stats() {
      return { ...sim.stats(), restRequests, framesSent, webSockets: server.webSocketCount(), restarts };
    },
  };
}
