import type { Client } from 'ari-client';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { type Logger, silentLogger } from '../../platform/logger.ts';
import { isTelephonyError, TelephonyError } from '../errors.ts';
import { causeText, classifyHangup, finalDialStatus } from '../hangup-cause.ts';
import type {
  AgentLeg,
  AmdStatus,
  CollectDtmfRequest,
  CollectDtmfResult,
  DialStatus,
  HangupReason,
  LoginAgentRequest,
  OriginateRequest,
  PlayResult,
  ReconcileResult,
  RecordRequest,
  RecordTarget,
  TelephonyEvent,
  TelephonyListener,
  TelephonyPort,
} from '../port.ts';
import { type TrunkLimit, TrunkLimits } from '../trunk-limits.ts';
import { type AriConnectionSettings, closeQuietly, emitterOf, openAriClient } from './ari-connection.ts';
import { wrapAriError } from './ari-error.ts';
import type { AriChannelJson, AriEvent } from './ari-event.ts';
import { type AriOperations, clientOperations } from './ari-operations.ts';

export interface AriTelephonyOptions extends AriConnectionSettings {
  logger?: Logger;
  clock?: Clock;
  /** Limits per trunk name (OriginateRequest.trunk); others get `defaultTrunkLimit`. */
  trunks?: Record<string, TrunkLimit>;
  defaultTrunkLimit?: TrunkLimit;
  /** WebSocket ping period; two missed pongs rebuild the client. */
  pingIntervalMs?: number;
  /** Reconnect backoff: first delay, doubling up to the max. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** A REST call without an answer after this long fails as `unavailable` (default 5000). */
  restTimeoutMs?: number;
  /** start() gives up after this long without a connection. */
  startTimeoutMs?: number;
  /** Dialplan context AMD calls continue into (its channels are ours too when reconciling). */
  amdContext?: string;
}

interface CustomerCall {
  attemptId: string;
  release: () => void;
  /**
   * AMD calls are originated into the app like any other (so every pre-answer event reaches us)
   * and sent to this dialplan context on answer. `pending`: not answered yet; `detecting`: in
   * AMD() (answered, but not reported: the engine's connect clock starts at `answered`);
   * `done`: the verdict came back (or the call has no AMD).
   */
  amdContext: string | undefined;
  amdState: 'pending' | 'detecting' | 'done';
  ringing: boolean;
  answered: boolean;
  inStasis: boolean;
  dialStatus: DialStatus | undefined;
  hangupRequestCause: number | undefined;
  /** A hang-up was requested: a playback that "finishes" now was cut short. */
  hangingUp: boolean;
  hungUpByUs: boolean;
  agentId: string | undefined;
  ended: boolean;
  digitListeners: Set<(digit: string) => void>;
  endListeners: Set<() => void>;
}

interface AgentSession extends AgentLeg {
  state: 'dialing' | 'ready' | 'lost';
  loggingOut: boolean;
  onStasis?: () => void;
  onGone?: (cause: number) => void;
  recordings: Set<string>;
}

type PlaybackWaiter = (finished: boolean) => void;

/**
 * TelephonyPort on Asterisk ARI through ari-client. One client-level dispatcher routes every
 * event by channel id (ari-client's per-instance listeners are never released); channel ids are
 * ours, chosen before originate, so no event can arrive for an unknown call. A supervisor pings
 * the WebSocket, rebuilds the client with backoff when ari-client gives up or the link dies, then
 * reconciles with channels.list().
 */
export class AriTelephony implements TelephonyPort {
  private client: Client | undefined;
  private readonly listeners = new Set<TelephonyListener>();
  private readonly calls = new Map<string, CustomerCall>();
  private readonly agents = new Map<string, AgentSession>();
  private readonly agentByChannel = new Map<string, AgentSession>();
  private readonly playbacks = new Map<string, PlaybackWaiter>();
  private readonly recordings = new Map<string, RecordTarget>();
  private readonly limits: TrunkLimits;
  private readonly log: Logger;
  private readonly clock: Clock;
  private running = false;
  private connected = false;
  private rebuilding: Promise<void> | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private lastPong = 0;
  private seq = 0;
  /** For a driver of simulated time (activity()): REST calls awaiting an answer, frames read. */
  private restInFlight = 0;
  private framesReceived = 0;

  constructor(private readonly o: AriTelephonyOptions) {
    this.log = (o.logger ?? silentLogger()).child({ component: 'ari' });
    this.clock = o.clock ?? systemClock;
    this.limits = new TrunkLimits(o.trunks ?? {}, o.defaultTrunkLimit);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const deadline = Date.now() + (this.o.startTimeoutMs ?? 30_000);
    let delay = this.o.reconnectInitialMs ?? 200;
    for (;;) {
      try {
        await this.openClient();
        break;
      } catch (error) {
        if (!this.running) throw new TelephonyError('unavailable', 'telephony stopped while connecting');
        // Refused credentials stay refused: say so now rather than after every retry.
        if (Date.now() + delay > deadline || isTelephonyError(error, 'rejected')) {
          this.running = false;
          throw wrapAriError(error, 'cannot reach Asterisk ARI');
        }
        this.log.warn({ err: error, retryInMs: delay }, 'ARI connect failed; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, this.o.reconnectMaxMs ?? 5000);
      }
    }
    const period = this.o.pingIntervalMs ?? 5000;
    this.pingTimer = setInterval(() => this.ping(period), period);
    this.pingTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pingTimer);
    this.limits.close();
    if (this.client) closeQuietly(this.client);
    this.client = undefined;
    this.connected = false;
    for (const waiter of this.playbacks.values()) waiter(false);
    this.playbacks.clear();
  }

  private async openClient(): Promise<void> {
    const client = await openAriClient(this.o, this.log, (c) => this.attach(c));
    this.client = client;
    this.connected = true;
    this.lastPong = Date.now();
    this.log.info({ url: this.o.url, app: this.o.app }, 'ARI connected');
  }

  private attach(client: Client): void {
    const events = emitterOf(client);
    events.on('*', (event: AriEvent) => {
      this.framesReceived += 1;
      if (client !== this.client) return;
      try {
        this.dispatch(event);
      } catch (error) {
        this.log.error({ err: error, type: event.type }, 'ARI event handling failed');
      }
    });
    events.on('pong', () => {
      this.lastPong = Date.now();
    });
    events.on('WebSocketReconnecting', (err?: Error) => {
      if (client !== this.client) return;
      if (this.connected) {
        this.connected = false;
        this.log.warn({ err }, 'ARI WebSocket lost; ari-client is reconnecting');
        this.emit({ type: 'connection', state: 'lost', at: this.clock.now() });
      }
    });
    events.on('WebSocketConnected', () => {
      if (client !== this.client || this.connected) return;
      this.connected = true;
      this.lastPong = Date.now();
      void this.afterReconnect();
    });
    events.on('WebSocketMaxRetries', () => {
      if (client !== this.client) return;
      this.log.warn('ari-client gave up reconnecting; rebuilding the client');
      void this.rebuild();
    });
  }

  private ping(period: number): void {
    const client = this.client;
    if (!client || !this.running || this.rebuilding) return;
    if (this.connected && Date.now() - this.lastPong > 2 * period + 1000) {
      this.log.warn('ARI WebSocket silent (no pong); rebuilding the client');
      void this.rebuild();
      return;
    }
    try {
      client.ping();
    } catch {
      // a closed socket: ari-client's own reconnect or the rebuild takes over
    }
  }

  /** Replaces the client: own backoff, forever while running; then reconciles. */
  private rebuild(): Promise<void> {
    if (this.rebuilding) return this.rebuilding;
    this.rebuilding = (async () => {
      if (this.connected) this.emit({ type: 'connection', state: 'lost', at: this.clock.now() });
      this.connected = false;
      if (this.client) closeQuietly(this.client);
      this.client = undefined;
      let delay = this.o.reconnectInitialMs ?? 200;
      while (this.running) {
        try {
          await this.openClient();
          break;
        } catch (error) {
          this.log.warn({ err: error, retryInMs: delay }, 'ARI reconnect failed');
          await sleep(delay);
          delay = Math.min(delay * 2, this.o.reconnectMaxMs ?? 5000);
        }
      }
    })().finally(() => {
      this.rebuilding = undefined;
    });
    return this.rebuilding.then(() => (this.running ? this.afterReconnect() : undefined));
  }

  private async afterReconnect(): Promise<void> {
    try {
      await this.reconcile([...this.calls.keys()]);
      this.log.info('ARI reconnected and reconciled');
      this.emit({ type: 'connection', state: 'restored', at: this.clock.now() });
    } catch (error) {
      this.log.warn({ err: error }, 'reconcile after reconnect failed; rebuilding');
      this.connected = false;
      void this.rebuild();
    }
  }

  /** REST operations; fail fast while the link is down instead of queueing behind a dead socket. */
  private rest(): AriOperations {
    if (!this.client || !this.connected)
      throw new TelephonyError('unavailable', 'not connected to Asterisk ARI');
    return clientOperations(this.client);
  }

  /**
   * swagger-client never calls back when the server is unreachable (the request just hangs), so
   * every REST call is raced against a timeout and becomes `unavailable` if ARI does not answer.
   */
  private timed<T>(promise: Promise<T>): Promise<T> {
    const ms = this.o.restTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TelephonyError('unavailable', `ARI did not answer within ${ms} ms`)),
        ms,
      );
    });
    promise.catch(() => {});
    this.restInFlight += 1;
    return Promise.race([promise, timeout]).finally(() => {
      clearTimeout(timer);
      this.restInFlight -= 1;
    });
  }

  // ---- events ---------------------------------------------------------------------------------

  onEvent(listener: TelephonyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: TelephonyEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, type: event.type }, 'telephony listener threw');
      }
    }
  }

  private dispatch(event: AriEvent): void {
    switch (event.type) {
      case 'Dial': {
        const call = this.calls.get(event.peer.id);
        if (!call) return;
        if (event.dialstatus === 'RINGING') this.ringing(call);
        const final = finalDialStatus(event.dialstatus);
        if (final) call.dialStatus = final;
        return;
      }
      case 'ChannelStateChange': {
        const call = this.calls.get(event.channel.id);
        if (!call) return;
        if (event.channel.state === 'Ringing') this.ringing(call);
        if (event.channel.state === 'Up') call.answered = true;
        return;
      }
      case 'StasisStart':
        this.onStasisStart(event.channel, event.args);
        return;
      case 'StasisEnd': {
        // Also when an AMD call leaves for the dialplan: the originate subscription stays, so its
        // hang-up during AMD still arrives as ChannelDestroyed.
        const call = this.calls.get(event.channel.id);
        if (call) call.inStasis = false;
        return;
      }
      case 'ChannelHangupRequest': {
        const call = this.calls.get(event.channel.id);
        if (!call) return;
        call.hangingUp = true;
        if (!event.soft && event.cause !== undefined) call.hangupRequestCause = event.cause;
        return;
      }
      case 'ChannelDestroyed': {
        const call = this.calls.get(event.channel.id);
        if (call) {
          this.finish(call, event.cause, event.cause_txt);
          return;
        }
        const agent = this.agentByChannel.get(event.channel.id);
        if (agent) this.agentGone(agent, event.cause);
        return;
      }
      case 'ChannelDtmfReceived': {
        const call = this.calls.get(event.channel.id);
        if (!call) return;
        for (const listener of call.digitListeners) listener(event.digit);
        this.emit({ type: 'dtmf', attemptId: call.attemptId, digit: event.digit, at: this.clock.now() });
        return;
      }
      case 'ChannelEnteredBridge': {
        const call = this.calls.get(event.channel.id);
        const agent = call?.agentId ? this.agents.get(call.agentId) : undefined;
        if (call && agent && agent.bridgeId === event.bridge.id) {
          this.emit({
            type: 'connected',
            attemptId: call.attemptId,
            agentId: agent.agentId,
            at: this.clock.now(),
          });
        }
        return;
      }
      case 'ChannelLeftBridge': {
        const call = this.calls.get(event.channel.id);
        const agent = call?.agentId ? this.agents.get(call.agentId) : undefined;
        if (!call || !agent || agent.bridgeId !== event.bridge.id) return;
        call.agentId = undefined;
        this.stopBridgeRecordings(agent);
        this.emit({
          type: 'customer-left-bridge',
          attemptId: call.attemptId,
          agentId: agent.agentId,
          at: this.clock.now(),
        });
        return;
      }
      case 'PlaybackFinished': {
        const waiter = this.playbacks.get(event.playback.id);
        if (waiter) {
          this.playbacks.delete(event.playback.id);
          waiter(true);
        }
        return;
      }
      case 'RecordingFinished':
      case 'RecordingFailed': {
        const target = this.recordings.get(event.recording.name);
        if (!target) return;
        this.recordings.delete(event.recording.name);
        if ('agentId' in target) this.agents.get(target.agentId)?.recordings.delete(event.recording.name);
        this.emit({
          type: 'recording-finished',
          recordingName: event.recording.name,
          target,
          ...(event.recording.duration !== undefined ? { durationSeconds: event.recording.duration } : {}),
          at: this.clock.now(),
        });
        return;
      }
      default:
        return;
    }
  }

  private ringing(call: CustomerCall): void {
    if (call.ringing) return;
    call.ringing = true;
    this.emit({ type: 'ringing', attemptId: call.attemptId, at: this.clock.now() });
  }

  private onStasisStart(channel: AriChannelJson, args: string[]): void {
    const agent = this.agentByChannel.get(channel.id);
    if (agent) {
      agent.onStasis?.();
      return;
    }
    const call = this.calls.get(channel.id);
    if (!call) return;
    call.answered = true;
    call.inStasis = true;
    if (args[0] !== 'amd' && call.amdContext && call.amdState === 'pending') {
      call.amdState = 'detecting';
      void this.startAmd(call, call.amdContext);
      return;
    }
    if (call.amdState === 'done' && call.amdContext && args[0] === 'amd') {
      // A verdict after we already reported the answer (the continue request timed out but ran).
      return;
    }
    call.amdState = 'done';
    if (args[0] === 'amd') {
      const status = (['HUMAN', 'MACHINE', 'NOTSURE'] as const).find((s) => s === args[1]) ?? 'NOTSURE';
      this.emit({
        type: 'answered',
        attemptId: call.attemptId,
        amd: { status: status satisfies AmdStatus, cause: args[2] ?? '' },
        at: this.clock.now(),
      });
    } else {
      this.emit({ type: 'answered', attemptId: call.attemptId, at: this.clock.now() });
    }
  }

  /** The call is over: classify, free the trunk slot, wake every waiter, tell the engine. */
  private finish(call: CustomerCall, cause: number, text?: string, lost = false): void {
    if (call.ended) return;
    call.ended = true;
    this.calls.delete(call.attemptId);
    call.release();
    for (const listener of call.endListeners) listener();
    const outcome = lost
      ? 'lost'
      : classifyHangup({
          cause,
          dialStatus: call.dialStatus,
          answered: call.answered,
          hungUpByUs: call.hungUpByUs,
        });
    this.log.debug({ attemptId: call.attemptId, cause, dialStatus: call.dialStatus, outcome }, 'call ended');
    this.emit({
      type: 'hangup',
      attemptId: call.attemptId,
      cause,
      causeText: text ?? causeText(cause),
      ...(call.dialStatus ? { dialStatus: call.dialStatus } : {}),
      outcome,
      answered: call.answered,
      at: this.clock.now(),
    });
  }

  private agentGone(agent: AgentSession, cause: number): void {
    this.agentByChannel.delete(agent.channelId);
    if (agent.state === 'dialing') {
      agent.onGone?.(cause);
      return;
    }
    if (agent.loggingOut || agent.state === 'lost') return;
    agent.state = 'lost';
    this.log.warn({ agentId: agent.agentId, cause }, 'agent leg lost');
    this.emit({ type: 'agent-leg-lost', agentId: agent.agentId, cause, at: this.clock.now() });
  }

  // ---- agents ---------------------------------------------------------------------------------

  async loginAgent(request: LoginAgentRequest): Promise<AgentLeg> {
    const existing = this.agents.get(request.agentId);
    if (existing?.state === 'ready') return toLeg(existing);
    if (existing) await this.logoutAgent(request.agentId);
    const client = this.rest();
    this.seq++;
    const session: AgentSession = {
      agentId: request.agentId,
      channelId: `agent-${request.agentId}-${this.seq}`,
      bridgeId: `bridge-agent-${request.agentId}`,
      state: 'dialing',
      loggingOut: false,
      recordings: new Set(),
    };
    this.agents.set(session.agentId, session);
    this.agentByChannel.set(session.channelId, session);
    const answered = new Promise<void>((resolve, reject) => {
      session.onStasis = resolve;
      session.onGone = (cause) =>
        reject(
          new TelephonyError(
            'failed',
            `agent ${request.agentId}'s phone did not answer (cause ${cause} ${causeText(cause)})`,
          ),
        );
    });
    answered.catch(() => {});
    try {
      await this.timed(client.createBridge(session.bridgeId, `agent-${request.agentId}`));
      await this.timed(
        client.originate({
          endpoint: request.endpoint,
          app: this.o.app,
          appArgs: `agent,${request.agentId}`,
          channelId: session.channelId,
          timeout: request.ringTimeoutSeconds ?? 30,
          ...(request.callerId ? { callerId: request.callerId } : {}),
        }),
      );
      await answered;
      await this.timed(client.addChannel(session.bridgeId, session.channelId));
      session.state = 'ready';
      session.onStasis = undefined;
      session.onGone = undefined;
      this.log.info({ agentId: request.agentId }, 'agent leg up and parked in its bridge');
      return toLeg(session);
    } catch (error) {
      this.agents.delete(session.agentId);
      this.agentByChannel.delete(session.channelId);
      await ignoreMissing(this.timed(client.destroyBridge(session.bridgeId)));
      throw isTelephonyError(error) ? error : wrapAriError(error, `log agent ${request.agentId} in`);
    }
  }

  async logoutAgent(agentId: string): Promise<void> {
    const session = this.agents.get(agentId);
    if (!session) return;
    session.loggingOut = true;
    this.agents.delete(agentId);
    const client = this.rest();
    await ignoreMissing(this.timed(client.hangup(session.channelId)));
    await ignoreMissing(this.timed(client.destroyBridge(session.bridgeId)));
  }

  // ---- customer legs --------------------------------------------------------------------------

  async originate(request: OriginateRequest): Promise<void> {
    if (request.ringTimeoutSeconds < 15) {
      throw new TelephonyError(
        'rejected',
        `ring timeout ${request.ringTimeoutSeconds}s is below the 15 s minimum`,
      );
    }
    if (!/^[A-Za-z0-9._-]+$/.test(request.attemptId)) {
      throw new TelephonyError(
        'rejected',
        `attempt id ${JSON.stringify(request.attemptId)} is not a valid channel id`,
      );
    }
    if (this.calls.has(request.attemptId)) {
      throw new TelephonyError('rejected', `attempt ${request.attemptId} already has a call`);
    }
    const release = await this.limits.acquire(request.trunk ?? 'carrier');
    const call: CustomerCall = {
      attemptId: request.attemptId,
      release,
      amdContext: request.amd?.context,
      amdState: request.amd ? 'pending' : 'done',
      ringing: false,
      answered: false,
      inStasis: false,
      dialStatus: undefined,
      hangupRequestCause: undefined,
      hangingUp: false,
      hungUpByUs: false,
      agentId: undefined,
      ended: false,
      digitListeners: new Set(),
      endListeners: new Set(),
    };
    // Registered before the request: events may arrive before the REST answer.
    this.calls.set(call.attemptId, call);
    try {
      await this.timed(
        this.rest().originate({
          endpoint: request.endpoint,
          callerId: request.callerId,
          timeout: request.ringTimeoutSeconds,
          channelId: request.attemptId,
          ...(request.variables ? { variables: request.variables } : {}),
          app: this.o.app,
          appArgs: 'customer',
        }),
      );
    } catch (error) {
      this.calls.delete(call.attemptId);
      call.ended = true;
      release();
      const wrapped = wrapAriError(error, `originate ${request.attemptId}`, true);
      if (wrapped.kind === 'unavailable' && this.connected) {
        // The request may have reached Asterisk: make sure no unknown leg rings on.
        void this.timed(this.rest().hangup(request.attemptId)).catch(() => {});
      }
      throw wrapped;
    }
  }

  /**
   * The answered AMD call leaves the app for the AMD context (asterisk-conf/extensions.conf:
   * `s,1`), which runs AMD() and returns with `Stasis(app,amd,STATUS,CAUSE)`. If the request
   * fails while the call is still up, the answer is reported without a verdict (a person, for
   * the engine) rather than leaving a customer who picked up in silence.
   */
  private async startAmd(call: CustomerCall, context: string): Promise<void> {
    try {
      await this.timed(
        this.rest().continueInDialplan(call.attemptId, { context, extension: 's', priority: 1 }),
      );
    } catch (error) {
      if (call.ended || call.hangingUp || call.amdState !== 'detecting') return;
      const wrapped = isTelephonyError(error) ? error : wrapAriError(error, `continue ${call.attemptId}`);
      if (wrapped.kind === 'not-found') return;
      this.log.warn(
        { err: wrapped, attemptId: call.attemptId, context },
        'could not send the call through AMD; reporting the answer without a verdict',
      );
      call.amdState = 'done';
      this.emit({ type: 'answered', attemptId: call.attemptId, at: this.clock.now() });
    }
  }

  async connect(attemptId: string, agentId: string): Promise<void> {
    const call = this.requireCall(attemptId);
    const agent = this.agents.get(agentId);
    if (agent?.state !== 'ready') throw new TelephonyError('not-found', `agent ${agentId} has no live leg`);
    call.agentId = agentId;
    try {
      await this.timed(this.rest().addChannel(agent.bridgeId, attemptId));
    } catch (error) {
      call.agentId = undefined;
      throw wrapAriError(error, `connect ${attemptId} to agent ${agentId}`);
    }
  }

  async play(attemptId: string, media: string[]): Promise<PlayResult> {
    const call = this.requireCall(attemptId);
    this.seq++;
    const playbackId = `pb-${attemptId}-${this.seq}`;
    const finished = new Promise<boolean>((resolve) => {
      const onEnd = () => {
        this.playbacks.delete(playbackId);
        resolve(false);
      };
      call.endListeners.add(onEnd);
      this.playbacks.set(playbackId, (done) => {
        call.endListeners.delete(onEnd);
        resolve(done && !call.hangingUp);
      });
    });
    try {
      await this.timed(this.rest().play(attemptId, media, playbackId));
    } catch (error) {
      this.playbacks.get(playbackId)?.(false);
      if (call.ended) return { finished: false };
      throw wrapAriError(error, `play on ${attemptId}`);
    }
    return { finished: await finished };
  }

  async collectDtmf(attemptId: string, request: CollectDtmfRequest): Promise<CollectDtmfResult> {
    const call = this.requireCall(attemptId);
    const terminator = request.terminator ?? '#';
    let digits = '';
    let promptPlaybackDone = false;
    return new Promise<CollectDtmfResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (reason: CollectDtmfResult['reason']) => {
        clearTimeout(timer);
        call.digitListeners.delete(onDigit);
        call.endListeners.delete(onEnd);
        resolve({ digits, reason });
      };
      const startTimer = () => {
        clearTimeout(timer);
        timer = setTimeout(() => done('timeout'), request.timeoutMs);
      };
      const onDigit = (digit: string) => {
        if (digit === terminator) return done('terminator');
        digits += digit;
        if (digits.length >= request.maxDigits) return done('max-digits');
        if (promptPlaybackDone) startTimer();
      };
      const onEnd = () => done('hangup');
      call.digitListeners.add(onDigit);
      call.endListeners.add(onEnd);
      const prompt = request.prompt ?? [];
      if (prompt.length === 0) {
        promptPlaybackDone = true;
        startTimer();
        return;
      }
      this.play(attemptId, prompt).then(
        () => {
          promptPlaybackDone = true;
          if (!call.ended) startTimer();
        },
        (error: unknown) => {
          clearTimeout(timer);
          call.digitListeners.delete(onDigit);
          call.endListeners.delete(onEnd);
          reject(error);
        },
      );
    });
  }

  async record(target: RecordTarget, request: RecordRequest): Promise<void> {
    const client = this.rest();
    const params = {
      name: request.name,
      format: request.format ?? 'wav',
      maxDurationSeconds: request.maxDurationSeconds ?? 0,
      ifExists: 'fail',
    };
    this.recordings.set(request.name, target);
    try {
      if ('agentId' in target) {
        const agent = this.agents.get(target.agentId);
        if (agent?.state !== 'ready')
          throw new TelephonyError('not-found', `agent ${target.agentId} has no live leg`);
        agent.recordings.add(request.name);
        await this.timed(client.recordBridge(agent.bridgeId, params));
      } else {
        this.requireCall(target.attemptId);
        await this.timed(client.recordChannel(target.attemptId, params));
      }
    } catch (error) {
      this.recordings.delete(request.name);
      if ('agentId' in target) this.agents.get(target.agentId)?.recordings.delete(request.name);
      throw wrapAriError(error, `record ${request.name}`);
    }
  }

  /** A bridge recording belongs to one customer call: stop it when the customer leaves. */
  private stopBridgeRecordings(agent: AgentSession): void {
    if (!this.connected) return;
    const client = this.rest();
    for (const name of agent.recordings) {
      void ignoreMissing(this.timed(client.stopRecording(name))).catch((error: unknown) =>
        this.log.warn({ err: error, recording: name }, 'could not stop a recording'),
      );
    }
  }

  async hangup(attemptId: string, reason: HangupReason = 'normal'): Promise<void> {
    const call = this.calls.get(attemptId);
    if (!call) return;
    if (!call.answered) call.hungUpByUs = true;
    try {
      await this.timed(this.rest().hangup(attemptId, reason));
    } catch (error) {
      const wrapped = wrapAriError(error, `hang up ${attemptId}`);
      if (wrapped.kind !== 'not-found') throw wrapped;
    }
  }

  private requireCall(attemptId: string): CustomerCall {
    const call = this.calls.get(attemptId);
    if (!call) throw new TelephonyError('not-found', `no live call for attempt ${attemptId}`);
    return call;
  }

  // ---- reconcile ------------------------------------------------------------------------------

  async reconcile(knownAttemptIds: readonly string[]): Promise<ReconcileResult> {
    let channels: AriChannelJson[];
    try {
      channels = await this.timed(this.rest().listChannels());
    } catch (error) {
      throw wrapAriError(error, 'list channels');
    }
    const present = new Map(channels.map((ch) => [ch.id, ch]));
    const known = new Set(knownAttemptIds);
    const live: string[] = [];
    const gone: string[] = [];
    for (const id of known) (present.has(id) ? live : gone).push(id);

    // Calls we were tracking whose channel vanished while we were not listening.
    for (const call of [...this.calls.values()]) {
      if (!present.has(call.attemptId)) this.finish(call, 0, 'Channel vanished', true);
    }
    for (const agent of [...this.agents.values()]) {
      if (agent.state === 'ready' && !present.has(agent.channelId)) this.agentGone(agent, 0);
    }
    // Known attempts still up that this process does not track (engine restarted): adopt them.
    for (const id of live) {
      if (this.calls.has(id)) continue;
      const ch = present.get(id);
      this.calls.set(id, {
        attemptId: id,
        release: () => {},
        amdContext: undefined,
        amdState: 'done',
        ringing: ch?.state === 'Ringing',
        answered: ch?.state === 'Up',
        inStasis: ch?.dialplan?.app_name === 'Stasis',
        dialStatus: undefined,
        hangupRequestCause: undefined,
        hangingUp: false,
        hungUpByUs: false,
        agentId: undefined,
        ended: false,
        digitListeners: new Set(),
        endListeners: new Set(),
      });
    }
    const orphansHungUp: string[] = [];
    const client = this.rest();
    for (const ch of channels) {
      if (known.has(ch.id) || this.calls.has(ch.id) || this.agentByChannel.has(ch.id)) continue;
      if (!this.isOurs(ch)) continue;
      orphansHungUp.push(ch.id);
      await ignoreMissing(this.timed(client.hangup(ch.id)));
    }
    if (orphansHungUp.length > 0 || gone.length > 0) {
      this.log.info(
        { live: live.length, gone: gone.length, orphansHungUp: orphansHungUp.length },
        'reconciled',
      );
    }
    return { live, gone, orphansHungUp };
  }

  /** In our Stasis app, or in our AMD context, or one of our agent legs from a past process. */
  private isOurs(ch: AriChannelJson): boolean {
    const dp = ch.dialplan;
    if (!dp) return false;
    if (dp.app_name === 'Stasis' && (dp.app_data === this.o.app || dp.app_data.startsWith(`${this.o.app},`)))
      return true;
    return dp.context === (this.o.amdContext ?? 'dialer-amd');
  }

  /**
   * What is under way between this adapter and Asterisk: REST calls not answered yet, and event
   * frames read so far (all events handed to listeners synchronously as they are read). A driver
   * of simulated time compares the frames with what the simulator sent before moving time on.
   */
  activity(): { restInFlight: number; framesReceived: number } {
    return { restInFlight: this.restInFlight, framesReceived: this.framesReceived };
  }

  /** Live counts, for status screens and tests. */
  snapshot() {
    return {
      connected: this.connected,
      calls: this.calls.size,
      agents: [...this.agents.values()].map((a) => ({ agentId: a.agentId, state: a.state })),
      trunks: this.limits.usage(),
    };
  }
}

export function createAriTelephony(options: AriTelephonyOptions): AriTelephony {
  return new AriTelephony(options);
}

function toLeg(session: AgentSession): AgentLeg {
  return { agentId: session.agentId, channelId: session.channelId, bridgeId: session.bridgeId };
}

async function ignoreMissing(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const wrapped = wrapAriError(error, 'cleanup');
    if (wrapped.kind !== 'not-found' && wrapped.kind !== 'rejected') throw wrapped;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
