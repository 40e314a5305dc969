import { randomUUID } from 'node:crypto';
import type { Client } from 'ari-client';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { type Logger, silentLogger } from '../../platform/logger.ts';
import { agentBridgeId, carriesTag, engineTag, newChannelId } from '../channel-ids.ts';
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
  ReconcileOptions,
  ReconcileResult,
  RecordRequest,
  RecordTarget,
  SoundInfo,
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
  /**
   * This engine's identity (stable across restarts: configured). Every channel and bridge id
   * the adapter makes carries its tag (channel-ids.ts), and a reconcile hangs up only channels
   * that carry it. Default: a random id, so this adapter's channels are its own.
   */
  engineId?: string;
  /** How long a call whose originate timed out stays tracked after Asterisk said 404 (default 60 s). */
  detachedQuarantineMs?: number;
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
  /** `line-answered` was told (AMD calls): the first of ChannelStateChange Up and StasisStart. */
  lineAnsweredTold: boolean;
  ringing: boolean;
  answered: boolean;
  /** When the channel went Up (the SIP answer), engine clock. */
  sipAnsweredAt: Date | undefined;
  inStasis: boolean;
  dialStatus: DialStatus | undefined;
  hangupRequestCause: number | undefined;
  /** A hang-up was requested: a playback that "finishes" now was cut short. */
  hangingUp: boolean;
  hungUpByUs: boolean;
  agentId: string | undefined;
  ended: boolean;
  /**
   * The originate failed without an answer (timeout, link lost): the engine counts the attempt
   * as failed and hears nothing more of it, while the adapter hangs the channel up by its id.
   */
  detached: boolean;
  cancelling: boolean;
  /** The originate request is under way: no channel to be found yet. */
  originating: boolean;
  digitListeners: Set<(digit: string) => void>;
  endListeners: Set<() => void>;
}

function newCustomerCall(
  attemptId: string,
  release: () => void,
  amdContext: string | undefined,
): CustomerCall {
  return {
    attemptId,
    release,
    amdContext,
    amdState: amdContext ? 'pending' : 'done',
    lineAnsweredTold: false,
    ringing: false,
    answered: false,
    sipAnsweredAt: undefined,
    inStasis: false,
    dialStatus: undefined,
    hangupRequestCause: undefined,
    hangingUp: false,
    hungUpByUs: false,
    agentId: undefined,
    ended: false,
    detached: false,
    cancelling: false,
    originating: false,
    digitListeners: new Set(),
    endListeners: new Set(),
  };
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
  private readonly unconfiguredTrunks = new Set<string>();
  /** Prefix of every channel and bridge id this adapter makes (channel-ids.ts). */
  readonly engineTag: string;
  /** For a driver of simulated time (activity()): REST calls awaiting an answer, frames read. */
  private restInFlight = 0;
  private framesReceived = 0;

  constructor(private readonly o: AriTelephonyOptions) {
    this.engineTag = engineTag(o.engineId ?? randomUUID());
    this.log = (o.logger ?? silentLogger()).child({ component: 'ari', engineTag: this.engineTag });
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
   * Every ARI request goes through here: swagger-client never calls back when the server is
   * unreachable (the request just hangs), so each is raced against `restTimeoutMs` and becomes
   * `unavailable` if ARI does not answer; and each leaves its outcome in the log (`op`, the ids
   * it was about, `ms`, `outcome`: ok or the error kind). A timeout is a warning: the request
   * may still have been carried out.
   */
  private async ari<T>(
    op: string,
    about: Record<string, string>,
    run: (ops: AriOperations) => Promise<T>,
  ): Promise<T> {
    const ms = this.o.restTimeoutMs ?? 5000;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    this.restInFlight += 1;
    try {
      const request = run(this.rest());
      request.catch(() => {});
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new TelephonyError('unavailable', `ARI did not answer ${op} within ${ms} ms`)),
          ms,
        );
      });
      const result = await Promise.race([request, timeout]);
      this.log.debug({ op, ...about, ms: Date.now() - started, outcome: 'ok' }, 'ARI request');
      return result;
    } catch (error) {
      const wrapped = wrapAriError(error, [op, ...Object.values(about)].join(' '), op === 'originate');
      const entry = { op, ...about, ms: Date.now() - started, outcome: wrapped.kind, err: wrapped };
      if (wrapped.kind === 'unavailable' && this.connected) this.log.warn(entry, 'ARI request failed');
      else this.log.debug(entry, 'ARI request failed');
      throw wrapped;
    } finally {
      clearTimeout(timer);
      this.restInFlight -= 1;
    }
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

  /** An event about one customer call; nothing is reported about a detached one. */
  private emitAbout(call: CustomerCall, event: TelephonyEvent): void {
    if (!call.detached) this.emit(event);
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
        if (event.channel.state === 'Up') {
          call.answered = true;
          call.sipAnsweredAt ??= this.clock.now();
          this.lineAnswered(call);
        }
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
        this.emitAbout(call, {
          type: 'dtmf',
          attemptId: call.attemptId,
          digit: event.digit,
          at: this.clock.now(),
        });
        return;
      }
      case 'ChannelEnteredBridge': {
        const call = this.calls.get(event.channel.id);
        const agent = call?.agentId ? this.agents.get(call.agentId) : undefined;
        if (call && agent && agent.bridgeId === event.bridge.id) void this.confirmBridge(call, agent);
        return;
      }
      case 'ChannelLeftBridge': {
        const call = this.calls.get(event.channel.id);
        const agent = call?.agentId ? this.agents.get(call.agentId) : undefined;
        if (!call || !agent || agent.bridgeId !== event.bridge.id) return;
        call.agentId = undefined;
        this.stopBridgeRecordings(agent);
        // A hang-up (ours or theirs) always shows ChannelHangupRequest first. Without one the
        // customer is still up, alone, out of the bridge: no audio path (no codec translation),
        // or something moved the channel. Asterisk says nothing more; the engine must act.
        const reason = call.hangingUp || call.ended ? 'hangup' : 'unexplained';
        if (reason === 'unexplained')
          this.log.warn(
            { attemptId: call.attemptId, agentId: agent.agentId, bridgeId: event.bridge.id },
            'the customer left the agent bridge without hanging up',
          );
        this.emitAbout(call, {
          type: 'customer-left-bridge',
          attemptId: call.attemptId,
          agentId: agent.agentId,
          reason,
          at: this.clock.now(),
        });
        return;
      }
      case 'PlaybackFinished': {
        const waiter = this.playbacks.get(event.playback.id);
        if (waiter) {
          this.playbacks.delete(event.playback.id);
          // `failed`: the media does not exist (or cannot be played): the caller heard nothing.
          const failed = (event.playback as { state?: string }).state === 'failed';
          if (failed) {
            this.log.error(
              { playbackId: event.playback.id, media: (event.playback as { media_uri?: string }).media_uri },
              'playback failed: the media does not exist on Asterisk, the caller heard silence',
            );
          }
          waiter(!failed);
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
          ...(event.type === 'RecordingFailed'
            ? { failed: true, ...(event.recording.cause ? { cause: event.recording.cause } : {}) }
            : {}),
          at: this.clock.now(),
        });
        return;
      }
      case 'ApplicationReplaced':
        // ARI gives an app's events to one WebSocket only: the newest. Another process
        // registered this app, so this engine no longer hears its own calls.
        this.log.error(
          { app: this.o.app },
          'another connection took over this ARI app: this engine hears no more events; give every engine its own ARI_APP',
        );
        return;
      default:
        return;
    }
  }

  private ringing(call: CustomerCall): void {
    if (call.detached) {
      void this.cancelDetached(call);
      return;
    }
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
    call.sipAnsweredAt ??= this.clock.now();
    call.inStasis = true;
    if (call.detached) {
      // Somebody answered a call the engine already counts as failed: end it now.
      this.log.warn(
        { attemptId: call.attemptId },
        'a call whose originate timed out was answered; hanging up',
      );
      void this.cancelDetached(call);
      return;
    }
    if (args[0] !== 'amd' && call.amdContext && call.amdState === 'pending') {
      this.lineAnswered(call);
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
        sipAnsweredAt: call.sipAnsweredAt ?? this.clock.now(),
        at: this.clock.now(),
      });
    } else {
      const at = this.clock.now();
      this.emit({ type: 'answered', attemptId: call.attemptId, sipAnsweredAt: call.sipAnsweredAt ?? at, at });
    }
  }

  /**
   * An AMD call was answered: the pacer must know now (it is no longer ringing), not seconds
   * later with the verdict. Once per call; never for a call without AMD (its `answered` is
   * immediate) nor after the verdict.
   */
  private lineAnswered(call: CustomerCall): void {
    if (!call.amdContext || call.lineAnsweredTold || call.amdState === 'done' || call.ended) return;
    call.lineAnsweredTold = true;
    this.emitAbout(call, { type: 'line-answered', attemptId: call.attemptId, at: this.clock.now() });
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
    if (call.detached) {
      this.log.info(
        { attemptId: call.attemptId, cause, dialStatus: call.dialStatus, answered: call.answered },
        'the channel of a timed-out originate is gone',
      );
      return;
    }
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
    this.rest();
    const session: AgentSession = {
      agentId: request.agentId,
      channelId: newChannelId(this.engineTag, `agent-${request.agentId}`),
      bridgeId: agentBridgeId(this.engineTag, request.agentId),
      state: 'dialing',
      loggingOut: false,
      recordings: new Set(),
    };
    const about = { agentId: request.agentId, channelId: session.channelId, bridgeId: session.bridgeId };
    this.agents.set(session.agentId, session);
    this.agentByChannel.set(session.channelId, session);
    let legGone = false;
    const answered = new Promise<void>((resolve, reject) => {
      session.onStasis = resolve;
      session.onGone = (cause) => {
        legGone = true;
        reject(
          new TelephonyError(
            'failed',
            `agent ${request.agentId}'s phone did not answer (cause ${cause} ${causeText(cause)})`,
          ),
        );
      };
    });
    answered.catch(() => {});
    let originateSent = false;
    try {
      await this.ari('createBridge', about, (c) =>
        c.createBridge(session.bridgeId, `agent-${request.agentId}`),
      );
      originateSent = true;
      await this.ari('originate', about, (c) =>
        c.originate({
          endpoint: request.endpoint,
          app: this.o.app,
          appArgs: `agent,${request.agentId}`,
          channelId: session.channelId,
          timeout: request.ringTimeoutSeconds ?? 30,
          ...(request.callerId ? { callerId: request.callerId } : {}),
        }),
      );
      await answered;
      // Logged out while the phone rang (logoutAgent found the ringing session): the leg that
      // answered is nobody's; the catch below hangs it up and removes its bridge.
      if (session.loggingOut)
        throw new TelephonyError('failed', `agent ${request.agentId} logged out while the phone rang`);
      await this.ari('addChannel', about, (c) => c.addChannel(session.bridgeId, session.channelId));
      session.state = 'ready';
      session.onStasis = undefined;
      session.onGone = undefined;
      this.log.info(about, 'agent leg up and parked in its bridge');
      return toLeg(session);
    } catch (error) {
      if (this.agents.get(session.agentId) === session) this.agents.delete(session.agentId);
      this.agentByChannel.delete(session.channelId);
      // The leg may ring (or be up) although a request failed: it is ours, so it goes by its id.
      if (originateSent && !legGone) void this.hangUpUntilGone(session.channelId, about);
      await this.ari('destroyBridge', about, (c) => c.destroyBridge(session.bridgeId)).catch(
        (cleanup: unknown) => {
          if (!isTelephonyError(cleanup, 'not-found'))
            this.log.warn({ ...about, err: cleanup }, 'could not destroy the bridge of a failed agent login');
        },
      );
      throw isTelephonyError(error) ? error : wrapAriError(error, `log agent ${request.agentId} in`);
    }
  }

  async logoutAgent(agentId: string): Promise<void> {
    const session = this.agents.get(agentId);
    if (!session) return;
    session.loggingOut = true;
    this.agents.delete(agentId);
    const about = { agentId, channelId: session.channelId, bridgeId: session.bridgeId };
    await ignoreMissing(this.ari('hangup', about, (c) => c.hangup(session.channelId)));
    await ignoreMissing(this.ari('destroyBridge', about, (c) => c.destroyBridge(session.bridgeId)));
  }

  // ---- customer legs --------------------------------------------------------------------------

  /** A channel id for a new customer leg, carrying this engine's tag (see channel-ids.ts). */
  newCallId(name: string): string {
    return newChannelId(this.engineTag, name);
  }

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
    const trunk = request.trunk ?? 'carrier';
    if (this.o.trunks && Object.keys(this.o.trunks).length > 0 && !(trunk in this.o.trunks)) {
      if (!this.unconfiguredTrunks.has(trunk)) {
        this.unconfiguredTrunks.add(trunk);
        this.log.warn(
          { trunk, configured: Object.keys(this.o.trunks), limit: this.limits.limitOf(trunk) },
          'trunk has no configured limits; the default applies',
        );
      }
    }
    const release = await this.limits.acquire(trunk);
    const call = newCustomerCall(request.attemptId, release, request.amd?.context);
    // Registered before the request: events may arrive before the REST answer.
    this.calls.set(call.attemptId, call);
    // Every dial is logged before it goes out; the logger masks the number in the dial string.
    this.log.debug(
      { attemptId: request.attemptId, endpoint: request.endpoint, trunk: request.trunk },
      'originating',
    );
    call.originating = true;
    let sent = false;
    try {
      await this.ari('originate', { attemptId: request.attemptId }, (c) => {
        sent = true;
        return c.originate({
          endpoint: request.endpoint,
          callerId: request.callerId,
          timeout: request.ringTimeoutSeconds,
          channelId: request.attemptId,
          // DIALER_APP: the app the AMD dialplan returns the call to (extensions.conf), so that
          // engines with their own ARI apps on one Asterisk each get their own verdicts.
          variables: { DIALER_APP: this.o.app, ...request.variables },
          app: this.o.app,
          appArgs: 'customer',
        });
      });
    } catch (error) {
      const wrapped = wrapAriError(error, `originate ${request.attemptId}`, true);
      if (wrapped.kind !== 'unavailable' || !sent || call.ended) {
        // Refused, or never sent (not connected): no channel exists.
        this.calls.delete(call.attemptId);
        call.ended = true;
        release();
        throw wrapped;
      }
      // No answer in time, or the link broke: the request may have reached Asterisk and the
      // phone may ring. The engine counts the attempt as failed; the adapter keeps the channel
      // tracked (its trunk slot held, its events no longer reported) and hangs it up by its id
      // until Asterisk says it is gone.
      call.detached = true;
      call.hungUpByUs = true;
      this.log.warn(
        { err: wrapped, attemptId: call.attemptId },
        'originate got no answer; hanging its channel up until Asterisk confirms it is gone',
      );
      void this.cancelDetached(call);
      throw wrapped;
    } finally {
      call.originating = false;
    }
  }

  /**
   * Hangs a detached call (its originate failed without an answer) up by its id: retried with
   * backoff while Asterisk does not answer, until it accepts the hang-up (the channel is then
   * ending: its ChannelDestroyed, or a reconcile, closes it) or says 404. A 404 can also mean the
   * originate has not been carried out yet, so the call stays tracked for its ring time: any
   * later sign of life (ringing, answer) hangs it up again. The outcome is logged.
   */
  private async cancelDetached(call: CustomerCall): Promise<void> {
    if (call.cancelling) return;
    call.cancelling = true;
    try {
      const outcome = await this.hangUpUntilGone(
        call.attemptId,
        { attemptId: call.attemptId },
        () => call.ended,
      );
      if (outcome === 'not-found' && !call.ended) {
        // Nothing rings on the trunk; the id stays watched in case the originate runs late.
        call.release();
        const quarantine = setTimeout(() => {
          if (!call.ended) this.finish(call, 0, 'never created');
        }, this.o.detachedQuarantineMs ?? 60_000);
        quarantine.unref();
        call.endListeners.add(() => clearTimeout(quarantine));
      }
    } finally {
      call.cancelling = false;
    }
  }

  /**
   * DELETE /channels/{id} until Asterisk accepts it (`hung-up`) or says there is no such channel
   * (`not-found`); retried with backoff while it cannot be reached. Gives up only when the
   * adapter stops or `done()` says the channel is known to be gone.
   */
  private async hangUpUntilGone(
    channelId: string,
    about: Record<string, string>,
    done: () => boolean = () => false,
  ): Promise<'hung-up' | 'not-found' | 'gone' | 'stopped'> {
    let delay = this.o.reconnectInitialMs ?? 200;
    for (let tries = 1; ; tries++) {
      if (!this.running) {
        this.log.warn({ ...about, tries }, 'stopped before Asterisk confirmed the channel gone');
        return 'stopped';
      }
      if (done()) {
        this.log.info({ ...about, tries }, 'channel gone');
        return 'gone';
      }
      try {
        await this.ari('hangup', about, (c) => c.hangup(channelId));
        this.log.info({ ...about, tries }, 'channel hung up by its id');
        return 'hung-up';
      } catch (error) {
        if (isTelephonyError(error, 'not-found')) {
          this.log.info({ ...about, tries }, 'Asterisk has no such channel');
          return 'not-found';
        }
        this.log.warn({ ...about, tries, err: error, retryInMs: delay }, 'hang-up by id failed; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, this.o.reconnectMaxMs ?? 5000);
      }
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
      await this.ari('continueInDialplan', { attemptId: call.attemptId, context }, (c) =>
        c.continueInDialplan(call.attemptId, { context, extension: 's', priority: 1 }),
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
      this.emitAbout(call, { type: 'answered', attemptId: call.attemptId, at: this.clock.now() });
    }
  }

  async connect(attemptId: string, agentId: string): Promise<void> {
    const call = this.requireCall(attemptId);
    const agent = this.agents.get(agentId);
    if (agent?.state !== 'ready') throw new TelephonyError('not-found', `agent ${agentId} has no live leg`);
    call.agentId = agentId;
    try {
      await this.ari('addChannel', { attemptId, agentId, bridgeId: agent.bridgeId }, (c) =>
        c.addChannel(agent.bridgeId, attemptId),
      );
    } catch (error) {
      call.agentId = undefined;
      throw wrapAriError(error, `connect ${attemptId} to agent ${agentId}`);
    }
  }

  /**
   * The customer entered the agent's bridge. Asterisk reports the entry even when it throws the
   * customer out 2 ms later (no translation path, trace bridge_translation_failure), so the
   * bridge itself is asked whether both legs are there before `connected` is reported. A
   * customer who left meanwhile was already reported by ChannelLeftBridge.
   */
  private async confirmBridge(call: CustomerCall, agent: AgentSession): Promise<void> {
    let channels: string[] | undefined;
    try {
      channels = (
        await this.ari('getBridge', { bridgeId: agent.bridgeId }, (c) => c.getBridge(agent.bridgeId))
      ).channels;
    } catch (error) {
      this.log.warn(
        { err: error, attemptId: call.attemptId },
        'could not read the agent bridge after a connect',
      );
    }
    if (call.ended || call.agentId !== agent.agentId) return;
    if (channels && !(channels.includes(call.attemptId) && channels.includes(agent.channelId))) {
      call.agentId = undefined;
      this.log.warn(
        { attemptId: call.attemptId, agentId: agent.agentId, bridgeId: agent.bridgeId },
        'the customer is not in the agent bridge after entering it',
      );
      this.emitAbout(call, {
        type: 'customer-left-bridge',
        attemptId: call.attemptId,
        agentId: agent.agentId,
        reason: 'unexplained',
        at: this.clock.now(),
      });
      return;
    }
    this.emitAbout(call, {
      type: 'connected',
      attemptId: call.attemptId,
      agentId: agent.agentId,
      at: this.clock.now(),
    });
  }

  async soundInfo(name: string): Promise<SoundInfo> {
    try {
      const sound = await this.ari('getSound', { sound: name }, (c) => c.getSound(name));
      return { exists: true, languages: [...new Set((sound.formats ?? []).map((f) => f.language))] };
    } catch (error) {
      if (isTelephonyError(error, 'not-found')) return { exists: false, languages: [] };
      throw error;
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
      await this.ari('play', { attemptId, playbackId }, (c) => c.play(attemptId, media, playbackId));
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
    this.rest();
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
        await this.ari('recordBridge', { recording: request.name, bridgeId: agent.bridgeId }, (c) =>
          c.recordBridge(agent.bridgeId, params),
        );
      } else {
        this.requireCall(target.attemptId);
        await this.ari('recordChannel', { recording: request.name, attemptId: target.attemptId }, (c) =>
          c.recordChannel(target.attemptId, params),
        );
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
    for (const name of agent.recordings) {
      void ignoreMissing(this.ari('stopRecording', { recording: name }, (c) => c.stopRecording(name))).catch(
        (error: unknown) => this.log.warn({ err: error, recording: name }, 'could not stop a recording'),
      );
    }
  }

  async hangup(attemptId: string, reason: HangupReason = 'normal'): Promise<void> {
    const call = this.calls.get(attemptId);
    if (!call) return;
    if (!call.answered) call.hungUpByUs = true;
    try {
      await this.ari('hangup', { attemptId, reason }, (c) => c.hangup(attemptId, reason));
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

  /**
   * Compares what is known with Asterisk's channels and bridges. Known attempts still up are
   * adopted (with the agent whose bridge they are in); known agent legs still parked in their
   * bridge are adopted as ready (a restarted engine keeps its agents and their conversations);
   * tracked calls and legs that vanished end as `lost` / `agent-leg-lost`. Then the sweep: only
   * channels that carry this engine's tag, are not known and not tracked (and, with `scope`,
   * whose name starts with it) are hung up, and this engine's empty bridges that no agent uses
   * are destroyed. Another engine's channels on the same app are never touched.
   */
  async reconcile(
    knownAttemptIds: readonly string[],
    options: ReconcileOptions = {},
  ): Promise<ReconcileResult> {
    const [channels, bridges] = await Promise.all([
      this.ari('listChannels', {}, (c) => c.listChannels()),
      this.ari('listBridges', {}, (c) => c.listBridges()),
    ]);
    const present = new Map(channels.map((ch) => [ch.id, ch]));
    const bridgeOf = new Map<string, string>();
    for (const bridge of bridges) for (const id of bridge.channels) bridgeOf.set(id, bridge.id);
    const known = new Set(knownAttemptIds);
    const live: string[] = [];
    const gone: string[] = [];
    for (const id of known) (present.has(id) ? live : gone).push(id);

    // Calls we were tracking whose channel vanished while we were not listening (a call whose
    // originate is still under way has no channel yet).
    for (const call of [...this.calls.values()]) {
      if (!call.originating && !present.has(call.attemptId)) this.finish(call, 0, 'Channel vanished', true);
    }
    for (const agent of [...this.agents.values()]) {
      if (agent.state === 'ready' && !present.has(agent.channelId)) this.agentGone(agent, 0);
    }
    // Agent legs the engine's database knows (engine restarted): those still in their bridge
    // are adopted as they are; one out of its bridge is no use to anybody and is hung up.
    const agentsAdopted: string[] = [];
    const orphansHungUp: string[] = [];
    for (const leg of options.agentLegs ?? []) {
      if (this.agents.has(leg.agentId) || !present.has(leg.channelId)) continue;
      if (bridgeOf.get(leg.channelId) !== leg.bridgeId) {
        orphansHungUp.push(leg.channelId);
        await ignoreMissing(
          this.ari('hangup', { agentId: leg.agentId, channelId: leg.channelId }, (c) =>
            c.hangup(leg.channelId),
          ),
        );
        continue;
      }
      const session: AgentSession = { ...leg, state: 'ready', loggingOut: false, recordings: new Set() };
      this.agents.set(leg.agentId, session);
      this.agentByChannel.set(leg.channelId, session);
      agentsAdopted.push(leg.agentId);
    }
    // Known attempts still up that this process does not track (engine restarted): adopt them.
    for (const id of live) {
      if (this.calls.has(id)) continue;
      const ch = present.get(id);
      const call = newCustomerCall(id, () => {}, undefined);
      call.ringing = ch?.state === 'Ringing';
      call.answered = ch?.state === 'Up';
      call.inStasis = ch?.dialplan?.app_name === 'Stasis';
      const bridgeId = bridgeOf.get(id);
      call.agentId = [...this.agents.values()].find((a) => a.bridgeId === bridgeId)?.agentId;
      this.calls.set(id, call);
    }
    const scope = options.scope === undefined ? undefined : `${this.engineTag}-${options.scope}`;
    for (const ch of channels) {
      if (!carriesTag(ch.id, this.engineTag)) continue;
      if (known.has(ch.id) || this.calls.has(ch.id) || this.agentByChannel.has(ch.id)) continue;
      if (scope !== undefined && !ch.id.startsWith(scope)) continue;
      orphansHungUp.push(ch.id);
      await ignoreMissing(this.ari('hangup', { channelId: ch.id }, (c) => c.hangup(ch.id)));
    }
    const inUse = new Set([...this.agents.values()].map((a) => a.bridgeId));
    for (const bridge of bridges) {
      if (!carriesTag(bridge.id, this.engineTag) || inUse.has(bridge.id) || bridge.channels.length > 0)
        continue;
      await ignoreMissing(
        this.ari('destroyBridge', { bridgeId: bridge.id }, (c) => c.destroyBridge(bridge.id)),
      );
    }
    if (orphansHungUp.length > 0 || gone.length > 0 || live.length > 0 || agentsAdopted.length > 0) {
      this.log.info(
        { live: live.length, gone: gone.length, orphansHungUp: orphansHungUp.length, agentsAdopted },
        'reconciled',
      );
    }
    return { live, gone, orphansHungUp, agentsAdopted };
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
