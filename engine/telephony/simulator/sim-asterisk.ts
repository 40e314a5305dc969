import { causeText } from '../hangup-cause.ts';
import type { SimEventType } from './api-docs.ts';
import { EVENT_MODELS } from './api-docs.ts';
import { type CalleeBehaviour, type CalleeConfig, resolveCallee } from './callee-model.ts';
import type { Random } from './seeded-random.ts';
import type { SimClock, SimTimer } from './sim-clock.ts';
import { SimRecordingSpool } from './sim-recording-spool.ts';

/**
 * The simulated Asterisk: channels, bridges, playbacks and recordings, and the ARI events they
 * produce, in the order, states, causes and dial statuses recorded from Asterisk 22 in
 * ../shared/ari-traces (about OUR channel: the `;1` half of a Local channel, or a trunk channel).
 * It knows nothing of HTTP: ari-http-server.ts maps requests to these methods.
 */

export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(body.message ?? body.error ?? `HTTP ${status}`);
  }
}

/** A reply that is not JSON: a stored recording's file, served as Asterisk serves it. */
export class SimBinaryReply {
  constructor(
    readonly contentType: string,
    readonly body: Buffer,
  ) {}
}

type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up';

interface Dialplan {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

interface SimChannel {
  id: string;
  /** `DIALER_APP` of the originate's variables: the app the AMD dialplan returns the call to. */
  amdReturnApp?: string;
  /**
   * Sent from the app into the AMD context (continueInDialplan): the originate's own Stasis()
   * returns only when the channel ends (its STASISSTATUS comes last, trace
   * amd_via_continue_in_dialplan); `amdRunning` while AMD() listens.
   */
  continuedFromApp?: boolean;
  /** Was in a bridge with a SIP channel (BRIDGEPVTCALLID set). */
  bridgedWithSip?: boolean;
  amdRunning?: boolean;
  name: string;
  state: ChannelState;
  caller: { name: string; number: string };
  dialplan: Dialplan;
  creationtime: string;
  kind: 'customer' | 'agent' | 'nowhere';
  tech: string;
  dialstring: string;
  /** App named in the originate: its events reach that app even before Stasis. */
  originateApp: string | undefined;
  /**
   * Whether the originate subscribed `originateApp` to the channel: only when the app had a
   * WebSocket at that moment. Originated while the app was away (trace
   * originate_while_asterisk_down, att-down-2), no event about the channel ever reaches it.
   */
  originateSubscribed: boolean;
  appArgs: string[];
  /** Originated into this dialplan context (AMD) instead of straight into the app. */
  amdContext: string | undefined;
  timeoutMs: number;
  stasisApp: string | undefined;
  createdInStasis: boolean;
  behaviour: CalleeBehaviour | undefined;
  bridge: SimBridge | undefined;
  timers: Set<SimTimer>;
  ending: boolean;
  gone: boolean;
  playing: SimPlayback | undefined;
  playQueue: SimPlayback[];
}

interface SimBridge {
  id: string;
  name: string;
  technology: string;
  creationtime: string;
  members: SimChannel[];
  recorders: Array<{ name: string; recording: string }>;
  apps: Set<string>;
}

interface SimPlayback {
  id: string;
  media: string[];
  channel: SimChannel;
  state: 'queued' | 'playing' | 'done' | 'failed';
  timer?: SimTimer;
}

interface SimRecording {
  name: string;
  format: string;
  targetUri: string;
  state: 'queued' | 'recording' | 'done' | 'failed';
  startedAtMs: number;
  apps: Set<string>;
  bridge?: SimBridge;
  channel?: SimChannel;
  timer?: SimTimer;
}

export interface SimAsteriskOptions {
  clock: SimClock;
  random: Random;
  callees: CalleeConfig;
  agentAnswerDelayMs: number;
  /** Stasis app named by the AMD dialplan context (`Stasis(dialer,amd,...)`). */
  amdApp: string;
  soundMs: (media: string) => number;
  /**
   * Whether a sound is installed (`hello-world` for `sound:hello-world`). A missing one answers
   * 404 to `GET /sounds/{id}` and plays as Asterisk 22 plays it: the play request succeeds,
   * then `PlaybackStarted` and `PlaybackFinished` state `failed` at once (trace
   * playback_missing_sound). Default: every sound exists.
   */
  soundExists?: (name: string) => boolean;
  /** Languages an installed sound is reported in (default en). */
  soundLanguages?: readonly string[];
  /** Modules reported as not loaded (`GET /asterisk/modules/{name}` → 404); others Running. */
  missingModules?: readonly string[];
  /** Endpoints (`PJSIP/agent-9`) that do not exist (`GET /endpoints/{tech}/{resource}` → 404). */
  missingEndpoints?: readonly string[];
  /** Endpoints that exist but are not registered (state `offline`). */
  offlineEndpoints?: readonly string[];
  /** Dialplan globals (`GET /asterisk/variable`): what the shipped extensions.conf declares. */
  globals?: Readonly<Record<string, string>>;
  asteriskId: string;
  /** Delivers an event to every WebSocket of `app`. */
  deliver: (app: string, event: Record<string, unknown>) => void;
  isAppRegistered: (app: string) => boolean;
  /** Agents' phones (endpoints, e.g. `PJSIP/agent-9`) that ring and are never answered. */
  unansweredPhones: ReadonlySet<string>;
  /** Where finished recordings are stored (shared across restarts, as a disk is). */
  spool: SimRecordingSpool;
  /** Fault: how many of the next recordings fail (RecordingFailed, nothing stored). */
  recordingFaults: { remaining: number };
}

export interface SimStats {
  channels: number;
  peakChannels: number;
  bridges: number;
  originates: number;
  eventsSent: number;
}

const RTP_QOS_VARIABLES = [
  'RTPAUDIOQOS',
  'RTPAUDIOQOSJITTER',
  'RTPAUDIOQOSLOSS',
  'RTPAUDIOQOSRTT',
  'RTPAUDIOQOSMES',
] as const;
const KNOWN_TECH = new Set(['Local', 'PJSIP', 'SIP', 'IAX2', 'DAHDI']);
const HANGUP_REASON_CAUSE: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 19,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

export class SimAsterisk {
  private readonly channels = new Map<string, SimChannel>();
  private readonly bridges = new Map<string, SimBridge>();
  private readonly playbacks = new Map<string, SimPlayback>();
  private readonly liveRecordings = new Map<string, SimRecording>();
  private readonly subscriptions = new Map<string, Set<string>>();
  private seq = 0;
  private readonly counters = { originates: 0, eventsSent: 0, peakChannels: 0 };
  private stopped = false;

  constructor(private readonly o: SimAsteriskOptions) {}

  stats(): SimStats {
    return {
      channels: this.channels.size,
      peakChannels: this.counters.peakChannels,
      bridges: this.bridges.size,
      originates: this.counters.originates,
      eventsSent: this.counters.eventsSent,
    };
  }

  // ---- events -------------------------------------------------------------------------------

  private send(type: SimEventType, body: Record<string, unknown>, apps: Iterable<string>): void {
    if (this.stopped) return;
    if (!(type in EVENT_MODELS))
      throw new Error(`simulator bug: event ${type} is not declared in events.json`);
    const timestamp = this.o.clock.timestamp();
    for (const app of new Set(apps)) {
      this.counters.eventsSent++;
      this.o.deliver(app, { type, timestamp, ...body, asterisk_id: this.o.asteriskId, application: app });
    }
  }

  private appsOf(ch: SimChannel): string[] {
    const apps: string[] = [];
    if (ch.stasisApp) apps.push(ch.stasisApp);
    if (ch.originateApp && ch.originateSubscribed) apps.push(ch.originateApp);
    for (const [app, ids] of this.subscriptions) if (ids.has(ch.id)) apps.push(app);
    return apps;
  }

  private emitChannel(ch: SimChannel, type: SimEventType, extra: Record<string, unknown> = {}): void {
    const apps = this.appsOf(ch);
    if (apps.length > 0) this.send(type, { ...extra, channel: this.channelJson(ch) }, apps);
  }

  private emitDial(ch: SimChannel, dialstatus: string): void {
    const apps = this.appsOf(ch);
    if (apps.length === 0) return;
    this.send(
      'Dial',
      { dialstatus, forward: '', dialstring: ch.dialstring, peer: this.channelJson(ch) },
      apps,
    );
  }

  private setState(ch: SimChannel, state: ChannelState): void {
    ch.state = state;
    this.emitChannel(ch, 'ChannelStateChange');
  }

  private varset(ch: SimChannel, variable: string, value: string): void {
    this.emitChannel(ch, 'ChannelVarset', { variable, value });
  }

  channelJson(ch: SimChannel) {
    return {
      id: ch.id,
      name: ch.name,
      state: ch.state,
      protocol_id: '',
      caller: { ...ch.caller },
      connected: { ...ch.caller },
      accountcode: '',
      dialplan: { ...ch.dialplan },
      creationtime: ch.creationtime,
      language: 'en',
    };
  }

  private bridgeJson(b: SimBridge) {
    return {
      id: b.id,
      technology: b.technology,
      bridge_type: 'mixing',
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: b.name,
      channels: b.members.map((m) => m.id),
      creationtime: b.creationtime,
      video_mode: 'talker',
    };
  }

  // ---- timers ---------------------------------------------------------------------------------

  /** A simulated delay owned by the channel: cancelled when the channel goes. */
  private after(ch: SimChannel, simMs: number, fn: () => void): SimTimer {
    const timer = this.o.clock.after(simMs, () => {
      ch.timers.delete(timer);
      if (!ch.gone && !this.stopped) fn();
    });
    ch.timers.add(timer);
    return timer;
  }

  private soon(ch: SimChannel, fn: () => void): void {
    // Asterisk's own latency (REST → event), not a simulated delay.
    const timer = this.o.clock.latency(() => {
      ch.timers.delete(timer);
      if (!ch.gone && !this.stopped) fn();
    });
    ch.timers.add(timer);
  }

  private nextSeq(): string {
    this.seq++;
    return this.seq.toString(16).padStart(8, '0');
  }

  // ---- channels: REST -------------------------------------------------------------------------

  listChannels() {
    return [...this.channels.values()].map((ch) => this.channelJson(ch));
  }

  getChannel(id: string) {
    return this.channelJson(this.requireChannel(id));
  }

  private requireChannel(id: string): SimChannel {
    const ch = this.channels.get(id);
    if (!ch || ch.ending) throw new SimHttpError(404, { message: 'Channel not found' });
    return ch;
  }

  private requireStasis(id: string): SimChannel {
    const ch = this.requireChannel(id);
    if (!ch.stasisApp) throw new SimHttpError(409, { message: 'Channel not in Stasis application' });
    return ch;
  }

  private newChannel(params: {
    endpoint: string;
    channelId: string | undefined;
    callerId: string | undefined;
    app: string | undefined;
    appArgs: string | undefined;
    context: string | undefined;
    timeoutSeconds: number;
  }): SimChannel {
    const match = /^([A-Za-z0-9]+)\/(.+)$/.exec(params.endpoint);
    if (!match?.[1] || !match[2] || !KNOWN_TECH.has(match[1])) {
      throw new SimHttpError(500, { error: 'Allocation failed' });
    }
    const [, tech, resource] = match as unknown as [string, string, string];
    const id = params.channelId || `${Math.floor(Date.now() / 1000)}.${this.seq + 1}`;
    if (this.uniqueIdInUse(id))
      throw new SimHttpError(409, { message: 'Channel with given unique ID already exists' });
    const at = resource.indexOf('@');
    const dest = at >= 0 ? resource.slice(0, at) : resource;
    const where = at >= 0 ? resource.slice(at + 1) : '';
    let kind: SimChannel['kind'];
    if (tech === 'Local')
      kind = where === 'sim-agent' ? 'agent' : where === 'sim-customer' ? 'customer' : 'nowhere';
    else kind = where === '' ? 'agent' : 'customer';
    const seq = this.nextSeq();
    const name = tech === 'Local' ? `Local/${resource}-${seq};1` : `${tech}/${where || dest}-${seq}`;
    const callerMatch = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(params.callerId ?? '');
    const caller = callerMatch
      ? { name: callerMatch[1] ?? '', number: callerMatch[2] ?? '' }
      : { name: '', number: params.callerId ?? '' };
    const ch: SimChannel = {
      id,
      name,
      state: 'Down',
      caller,
      dialplan: {
        context: tech === 'Local' ? where : 'default',
        exten: tech === 'Local' ? dest : 's',
        priority: 1,
        app_name: 'AppDial2',
        app_data: '(Outgoing Line)',
      },
      creationtime: this.o.clock.timestamp(),
      kind,
      tech,
      dialstring: resource,
      originateApp: params.app,
      originateSubscribed: params.app !== undefined && this.o.isAppRegistered(params.app),
      appArgs: params.appArgs ? params.appArgs.split(',') : [],
      amdContext: params.app ? undefined : params.context,
      timeoutMs: params.timeoutSeconds > 0 ? params.timeoutSeconds * 1000 : Number.POSITIVE_INFINITY,
      stasisApp: undefined,
      createdInStasis: false,
      behaviour: kind === 'customer' ? resolveCallee(dest, this.o.callees, this.o.random) : undefined,
      bridge: undefined,
      timers: new Set(),
      ending: false,
      gone: false,
      playing: undefined,
      playQueue: [],
    };
    this.channels.set(id, ch);
    this.counters.peakChannels = Math.max(this.counters.peakChannels, this.channels.size);
    return ch;
  }

  /**
   * Asterisk 22's uniqueid check (channel_id_prefix_conflict trace): the new id is compared
   * case-insensitively over ITS length (strncasecmp), so the same id in another case, or a
   * prefix of a live channel's id, is refused.
   */
  private uniqueIdInUse(id: string): boolean {
    const wanted = id.toLowerCase();
    for (const existing of this.channels.keys()) {
      if (existing.toLowerCase().startsWith(wanted)) return true;
    }
    return false;
  }

  originate(
    q: Record<string, string | undefined>,
    pathChannelId?: string,
    body: Record<string, unknown> = {},
  ) {
    if (!q.endpoint) throw new SimHttpError(400, { message: 'Endpoint must be specified' });
    if (!q.app && !q.extension && !q.context) {
      throw new SimHttpError(400, { message: 'Application or extension must be specified' });
    }
    const ch = this.newChannel({
      endpoint: q.endpoint,
      channelId: pathChannelId ?? q.channelId,
      callerId: q.callerId,
      app: q.app,
      appArgs: q.appArgs,
      context: q.context,
      timeoutSeconds: q.timeout === undefined ? 30 : Number(q.timeout),
    });
    this.counters.originates++;
    // Channel variables of the originate; the AMD dialplan returns to Stasis(${DIALER_APP}).
    const variables = body.variables;
    if (variables && typeof variables === 'object') {
      const app = (variables as Record<string, unknown>).DIALER_APP;
      if (typeof app === 'string' && app !== '') ch.amdReturnApp = app;
    }
    const snapshot = this.channelJson(ch);
    this.soon(ch, () => this.startDialing(ch));
    return snapshot;
  }

  create(q: Record<string, string | undefined>) {
    if (!q.endpoint) throw new SimHttpError(400, { message: 'Endpoint must be specified' });
    if (!q.app) throw new SimHttpError(400, { message: 'Application must be specified' });
    const ch = this.newChannel({
      endpoint: q.endpoint,
      channelId: q.channelId,
      callerId: undefined,
      app: q.app,
      appArgs: q.appArgs,
      context: undefined,
      timeoutSeconds: 30,
    });
    ch.createdInStasis = true;
    const app = q.app;
    const appData = [app, ...ch.appArgs].join(',');
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: appData };
    const snapshot = this.channelJson(ch);
    this.emitChannel(ch, 'ChannelDialplan', { dialplan_app: 'Stasis', dialplan_app_data: appData });
    this.enterStasis(ch, app, ch.appArgs);
    return snapshot;
  }

  dial(id: string, q: Record<string, string | undefined>): void {
    const ch = this.requireStasis(id);
    if (ch.state !== 'Down') throw new SimHttpError(409, { message: 'Channel is not in the Down state' });
    if (q.timeout !== undefined) ch.timeoutMs = Number(q.timeout) > 0 ? Number(q.timeout) * 1000 : Infinity;
    this.counters.originates++;
    this.soon(ch, () => this.startDialing(ch));
  }

  private startDialing(ch: SimChannel): void {
    if (ch.kind === 'nowhere') {
      this.destroy(ch, 0);
      return;
    }
    this.emitDial(ch, '');
    if (ch.kind === 'agent') {
      if (
        this.o.unansweredPhones.has(
          ch.tech === 'Local' ? `Local/${ch.dialstring}` : `${ch.tech}/${ch.dialstring}`,
        )
      ) {
        // Nobody picks the phone up: it rings until the originate's timeout (cause 19).
        this.setState(ch, 'Ringing');
        this.emitDial(ch, 'RINGING');
        if (Number.isFinite(ch.timeoutMs)) this.after(ch, ch.timeoutMs, () => this.destroy(ch, 19));
        return;
      }
      if (this.o.agentAnswerDelayMs > 0) {
        this.setState(ch, 'Ringing');
        this.emitDial(ch, 'RINGING');
        this.after(ch, this.o.agentAnswerDelayMs, () => this.answer(ch));
      } else {
        this.answer(ch);
      }
      return;
    }
    const b = ch.behaviour ?? { kind: 'no-answer' as const };
    const trunk = ch.tech !== 'Local';
    switch (b.kind) {
      // Over a SIP trunk the far end's 486/503 is a hang-up request with its cause first
      // (traces pjsip_busy, pjsip_congestion); a Local callee just ends.
      case 'busy':
        if (trunk) this.emitChannel(ch, 'ChannelHangupRequest', { cause: 17 });
        this.emitDial(ch, 'BUSY');
        this.destroy(ch, trunk ? 17 : 0);
        return;
      case 'congestion':
        if (trunk) this.emitChannel(ch, 'ChannelHangupRequest', { cause: 34 });
        this.emitDial(ch, 'CONGESTION');
        this.destroy(ch, trunk ? 34 : 0);
        return;
      case 'invalid':
      case 'rejected': {
        const cause = b.kind === 'invalid' ? 1 : 21;
        this.emitChannel(ch, 'ChannelHangupRequest', { cause });
        this.emitDial(ch, 'NOANSWER');
        this.destroy(ch, cause);
        return;
      }
      default:
        break;
    }
    // A callee answering at once never rings: a SIP one answers 200 OK without a 180 (trace
    // customer_hangs_up_in_bridge_agent_stays), a Local one answers before any Ringing()
    // (trace ws_drop_app_reconnects, customer A).
    if (b.kind === 'answer' && b.ringMs === 0) {
      this.answer(ch);
      return;
    }
    // Asterisk emits these two in either order over a SIP trunk (pjsip_answered_customer_hangs_up
    // has the state first, pjsip_app_hangs_up_ringing_call the Dial first): the state first here.
    this.setState(ch, 'Ringing');
    this.emitDial(ch, 'RINGING');
    const timeout = Number.isFinite(ch.timeoutMs)
      ? this.after(ch, ch.timeoutMs, () => this.destroy(ch, 19))
      : undefined;
    if (b.kind === 'answer' && b.ringMs < ch.timeoutMs) {
      this.after(ch, b.ringMs, () => {
        if (timeout) {
          timeout.cancel();
          ch.timers.delete(timeout);
        }
        this.answer(ch);
      });
    }
  }

  private answer(ch: SimChannel): void {
    this.setState(ch, 'Up');
    this.emitDial(ch, 'ANSWER');
    const b = ch.behaviour;
    if (ch.amdContext) {
      const amd = b?.kind === 'answer' ? b.amd : { status: 'HUMAN', cause: 'HUMAN-1-1', afterMs: 1500 };
      // A callee who hangs up before the verdict does so during AMD (trace
      // amd_via_dialplan_originate, att-f-quick-sub); otherwise the talk starts at the verdict.
      const hangsUpDuringAmd = b?.kind === 'answer' && b.talkMs !== null && b.talkMs < amd.afterMs;
      ch.amdRunning = true;
      const context = ch.amdContext;
      this.runDialplan(ch, { context, exten: 's', priority: 1, app_name: 'NoOp', app_data: '' });
      this.runDialplan(ch, { context, exten: 's', priority: 2, app_name: 'AMD', app_data: '' });
      if (hangsUpDuringAmd) this.scheduleTalk(ch);
      this.after(ch, amd.afterMs, () => {
        ch.amdRunning = false;
        const args = ['amd', amd.status, amd.cause];
        ch.dialplan = {
          context: ch.amdContext ?? 'dialer-amd',
          exten: 's',
          priority: 2,
          app_name: 'Stasis',
          app_data: [ch.amdReturnApp ?? this.o.amdApp, ...args].join(','),
        };
        this.enterStasis(ch, ch.amdReturnApp ?? this.o.amdApp, args);
        if (!hangsUpDuringAmd) this.scheduleTalk(ch);
      });
      return;
    }
    if (!ch.createdInStasis && ch.originateApp) {
      if (!this.o.isAppRegistered(ch.originateApp)) {
        // Stasis() of an app with no WebSocket fails and the channel is hung up, unseen by the
        // app (traces ws_drop_app_reconnects: customer B answered while the app was away, its
        // later hang-up answers 404; originate_while_asterisk_down: att-down-2).
        this.hangup(ch, { cause: 16 });
        return;
      }
      ch.dialplan = {
        ...ch.dialplan,
        app_name: 'Stasis',
        app_data: [ch.originateApp, ...ch.appArgs].join(','),
      };
      this.enterStasis(ch, ch.originateApp, ch.appArgs);
    }
    this.scheduleTalk(ch);
  }

  /**
   * `channels.continueInDialplan`: the channel leaves the app (StasisEnd, STASISSTATUS) and runs
   * the dialplan. The simulated dialplan is the AMD context of asterisk-conf/extensions.conf
   * (`s,1` NoOp, `s,2` AMD(), `s,3` Stasis(app,amd,STATUS,CAUSE)), whatever its name; another
   * extension or priority does not exist there, so the channel hangs up like Asterisk's pbx does.
   * The originate subscription survives StasisEnd, so the app still sees the channel end.
   */
  continueInDialplan(id: string, q: Record<string, string | undefined>): void {
    const ch = this.requireStasis(id);
    if (q.label !== undefined && q.label !== '') {
      throw new SimHttpError(400, {
        message: `Requested label: ${q.label} could not be resolved in context: ${q.context ?? ''}`,
      });
    }
    const context = q.context || ch.dialplan.context;
    const exten = q.extension || 's';
    const priority = q.priority === undefined ? 1 : Number(q.priority);
    this.soon(ch, () => {
      if (ch.ending || !ch.stasisApp) return;
      this.emitChannel(ch, 'StasisEnd');
      ch.stasisApp = undefined;
      ch.continuedFromApp = true;
      if (exten !== 's' || priority !== 1) {
        this.hangup(ch, { cause: 16 });
        return;
      }
      ch.amdContext = context;
      this.runDialplan(ch, { context, exten, priority: 1, app_name: 'NoOp', app_data: '' });
      this.runDialplan(ch, { context, exten, priority: 2, app_name: 'AMD', app_data: '' });
      ch.amdRunning = true;
      const b = ch.behaviour;
      const amd = b?.kind === 'answer' ? b.amd : { status: 'HUMAN', cause: 'HUMAN-1-1', afterMs: 1500 };
      this.after(ch, amd.afterMs, () => {
        ch.amdRunning = false;
        this.varset(ch, 'AMDSTATUS', amd.status);
        this.varset(ch, 'AMDCAUSE', amd.cause);
        const args = ['amd', amd.status, amd.cause];
        const appData = [ch.amdReturnApp ?? this.o.amdApp, ...args].join(',');
        this.runDialplan(ch, { context, exten, priority: 3, app_name: 'Stasis', app_data: appData });
        this.enterStasis(ch, ch.amdReturnApp ?? this.o.amdApp, args);
      });
    });
  }

  private runDialplan(ch: SimChannel, dialplan: Dialplan): void {
    ch.dialplan = dialplan;
    this.emitChannel(ch, 'ChannelDialplan', {
      dialplan_app: dialplan.app_name,
      dialplan_app_data: dialplan.app_data,
    });
  }

  private scheduleTalk(ch: SimChannel): void {
    const b = ch.behaviour;
    if (b?.kind === 'answer' && b.talkMs !== null)
      this.after(ch, b.talkMs, () => this.hangup(ch, { cause: 16 }));
  }

  private enterStasis(ch: SimChannel, app: string, args: string[]): void {
    // Set before the channel joins the app: only apps already watching the channel see it.
    this.varset(ch, 'STASISSTATUS', '');
    ch.stasisApp = app;
    this.emitChannel(ch, 'StasisStart', { args });
  }

  /**
   * Ends a channel the way Asterisk reports it: the hang-up request (cause 32 soft when the app
   * asked), playback and bridge exits, StasisEnd, then ChannelDestroyed with the final cause.
   */
  private hangup(ch: SimChannel, how: { cause: number; byApp?: boolean }): void {
    if (ch.ending || ch.gone) return;
    ch.ending = true;
    for (const t of ch.timers) t.cancel();
    ch.timers.clear();
    const trunkCustomer = ch.tech !== 'Local' && ch.kind === 'customer';
    if (!ch.stasisApp && ch.state !== 'Up') {
      if (how.byApp) this.emitChannel(ch, 'ChannelHangupRequest', { cause: 32, soft: true });
      // A SIP call cancelled while ringing ends its Dial (trace pjsip_app_hangs_up_ringing_call).
      if (trunkCustomer && ch.state === 'Ringing') this.emitDial(ch, 'NOANSWER');
      this.destroy(ch, how.cause);
      return;
    }
    // An answered SIP call's RTP session reports its quality as it ends (trace
    // pjsip_answered_customer_hangs_up); in a bridge each value is also set on the peer as
    // <name>BRIDGED, interleaved (trace customer_hangs_up_in_bridge_agent_stays).
    if (trunkCustomer && ch.state === 'Up') {
      const peer = ch.bridge?.members.find((m) => m !== ch);
      for (const name of RTP_QOS_VARIABLES) {
        this.varset(ch, name, '');
        if (peer) this.varset(peer, `${name}BRIDGED`, '');
      }
    }
    this.emitChannel(
      ch,
      'ChannelHangupRequest',
      how.byApp ? { cause: 32, soft: true } : { cause: how.cause },
    );
    if (ch.playing) this.finishPlayback(ch.playing);
    ch.playQueue = [];
    if (ch.bridge) this.leaveBridge(ch);
    if (ch.amdRunning) {
      // AMD() ends on the hang-up with its own verdict (trace amd_via_continue_in_dialplan).
      this.varset(ch, 'AMDSTATUS', 'HANGUP');
      this.varset(ch, 'AMDCAUSE', '');
      // Originated straight into the dialplan, the pbx then asks the hang-up once more, softly.
      if (!ch.continuedFromApp)
        this.emitChannel(ch, 'ChannelHangupRequest', { cause: how.cause, soft: true });
    }
    if (ch.stasisApp) {
      this.emitChannel(ch, 'StasisEnd');
      ch.stasisApp = undefined;
      this.varset(ch, 'STASISSTATUS', 'SUCCESS');
      if (!ch.amdContext) ch.dialplan = { ...ch.dialplan, app_name: 'AppDial2', app_data: '(Outgoing Line)' };
    }
    if (ch.continuedFromApp) this.varset(ch, 'STASISSTATUS', 'SUCCESS');
    this.destroy(ch, how.cause);
  }

  private destroy(ch: SimChannel, cause: number): void {
    if (ch.gone) return;
    ch.ending = true;
    for (const t of ch.timers) t.cancel();
    ch.timers.clear();
    this.emitChannel(ch, 'ChannelDestroyed', { cause, cause_txt: causeText(cause) });
    ch.gone = true;
    this.channels.delete(ch.id);
    for (const ids of this.subscriptions.values()) ids.delete(ch.id);
    for (const rec of this.liveRecordings.values()) if (rec.channel === ch) this.finishRecording(rec);
  }

  hangupRequest(id: string, q: Record<string, string | undefined>): void {
    const ch = this.requireChannel(id);
    const cause = q.reason_code ? Number(q.reason_code) : (HANGUP_REASON_CAUSE[q.reason ?? 'normal'] ?? 16);
    this.o.clock.latency(() => this.hangup(ch, { cause, byApp: true }));
  }

  /** Test and demo control: the far end (callee or agent phone) hangs up. */
  remoteHangup(id: string, cause = 16): boolean {
    const ch = this.channels.get(id);
    if (!ch || ch.ending) return false;
    this.hangup(ch, { cause });
    return true;
  }

  answerRequest(id: string): void {
    this.requireChannel(id);
  }

  sendDtmf(id: string): void {
    this.requireStasis(id);
  }

  setVariable(id: string): void {
    this.requireChannel(id);
  }

  // ---- playbacks ------------------------------------------------------------------------------

  play(id: string, media: string[], playbackId: string | undefined) {
    const ch = this.requireStasis(id);
    if (media.length === 0) throw new SimHttpError(400, { message: 'Missing parameter media' });
    const pbId = playbackId || `pb-${this.nextSeq()}`;
    if (this.playbacks.has(pbId))
      throw new SimHttpError(409, { message: 'Playback with given id already exists' });
    const pb: SimPlayback = { id: pbId, media, channel: ch, state: 'queued' };
    this.playbacks.set(pbId, pb);
    const snapshot = this.playbackJson(pb);
    if (ch.playing) ch.playQueue.push(pb);
    else this.soon(ch, () => this.startPlayback(pb));
    if (!ch.playing) ch.playing = pb;
    return snapshot;
  }

  private playbackJson(pb: SimPlayback) {
    return {
      id: pb.id,
      media_uri: pb.media.join(','),
      target_uri: `channel:${pb.channel.id}`,
      language: 'en',
      state: pb.state,
    };
  }

  /** `GET /sounds/{id}`: the sound and its formats, or 404 as Asterisk answers. */
  getSound(name: string) {
    if (!this.soundInstalled(name)) throw new SimHttpError(404, { message: 'Sound not found' });
    return {
      id: name,
      text: '',
      formats: (this.o.soundLanguages ?? ['en']).map((language) => ({ language, format: 'ulaw' })),
    };
  }

  private soundInstalled(name: string): boolean {
    return this.o.soundExists?.(name) ?? true;
  }

  private startPlayback(pb: SimPlayback): void {
    const ch = pb.channel;
    ch.playing = pb;
    pb.state = 'playing';
    this.emitChannelScoped(ch, 'PlaybackStarted', { playback: this.playbackJson(pb) });
    const missing = pb.media.some((m) => m.startsWith('sound:') && !this.soundInstalled(m.slice(6)));
    if (missing) {
      // Asterisk: "File … does not exist in any format", the playback fails in the same
      // millisecond and the caller hears nothing.
      this.failPlayback(pb);
      return;
    }
    const total = pb.media.reduce((sum, m) => sum + this.o.soundMs(m), 0);
    pb.timer = this.after(ch, total, () => this.finishPlayback(pb));
    const b = ch.behaviour;
    if (b?.kind === 'answer' && b.dtmf !== '') {
      [...b.dtmf].forEach((digit, i) => {
        this.after(ch, b.dtmfDelayMs + i * 250, () =>
          this.emitChannel(ch, 'ChannelDtmfReceived', { digit, duration_ms: 100 }),
        );
      });
    }
  }

  private emitChannelScoped(ch: SimChannel, type: SimEventType, body: Record<string, unknown>): void {
    const apps = this.appsOf(ch);
    if (apps.length > 0) this.send(type, body, apps);
  }

  private failPlayback(pb: SimPlayback): void {
    pb.state = 'failed';
    this.playbacks.delete(pb.id);
    const ch = pb.channel;
    this.emitChannelScoped(ch, 'PlaybackFinished', { playback: this.playbackJson(pb) });
    pb.state = 'done';
    if (ch.playing === pb) {
      ch.playing = undefined;
      const next = ch.playQueue.shift();
      if (next && !ch.ending) {
        ch.playing = next;
        this.startPlayback(next);
      }
    }
  }

  private finishPlayback(pb: SimPlayback): void {
    if (pb.state === 'done') return;
    const wasPlaying = pb.state === 'playing';
    pb.state = 'done';
    pb.timer?.cancel();
    this.playbacks.delete(pb.id);
    const ch = pb.channel;
    if (wasPlaying) this.emitChannelScoped(ch, 'PlaybackFinished', { playback: this.playbackJson(pb) });
    if (ch.playing === pb) {
      ch.playing = undefined;
      const next = ch.playQueue.shift();
      if (next && !ch.ending) {
        ch.playing = next;
        this.startPlayback(next);
      }
    }
  }

  getPlayback(id: string) {
    const pb = this.playbacks.get(id);
    if (!pb) throw new SimHttpError(404, { message: 'Playback not found' });
    return this.playbackJson(pb);
  }

  stopPlayback(id: string): void {
    const pb = this.playbacks.get(id);
    if (!pb) throw new SimHttpError(404, { message: 'Playback not found' });
    if (pb.state === 'queued') {
      pb.channel.playQueue = pb.channel.playQueue.filter((p) => p !== pb);
    }
    this.finishPlayback(pb);
  }

  // ---- bridges --------------------------------------------------------------------------------

  listBridges() {
    return [...this.bridges.values()].map((b) => this.bridgeJson(b));
  }

  getBridge(id: string) {
    return this.bridgeJson(this.requireBridge(id));
  }

  private requireBridge(id: string): SimBridge {
    const b = this.bridges.get(id);
    if (!b) throw new SimHttpError(404, { message: 'Bridge not found' });
    return b;
  }

  createBridge(q: Record<string, string | undefined>, pathId?: string) {
    const id = pathId ?? q.bridgeId ?? `bridge-${this.nextSeq()}`;
    const existing = this.bridges.get(id);
    if (existing) return this.bridgeJson(existing);
    const b: SimBridge = {
      id,
      name: q.name ?? '',
      technology: 'simple_bridge',
      creationtime: this.o.clock.timestamp(),
      members: [],
      recorders: [],
      apps: new Set(),
    };
    this.bridges.set(id, b);
    return this.bridgeJson(b);
  }

  addChannels(bridgeId: string, ids: string[]): void {
    const b = this.requireBridge(bridgeId);
    if (ids.length === 0) throw new SimHttpError(400, { message: 'Missing parameter channel' });
    const channels = ids.map((id) => {
      const ch = this.channels.get(id);
      if (!ch || ch.ending) throw new SimHttpError(400, { message: 'Channel not found' });
      if (!ch.stasisApp) throw new SimHttpError(422, { message: 'Channel not in Stasis application' });
      return ch;
    });
    for (const ch of channels) {
      this.soon(ch, () => {
        if (!this.bridges.has(b.id) || ch.bridge === b) return;
        if (ch.bridge) this.leaveBridge(ch);
        b.members.push(ch);
        ch.bridge = b;
        if (ch.stasisApp) b.apps.add(ch.stasisApp);
        this.emitChannel(ch, 'ChannelEnteredBridge', { bridge: this.bridgeJson(b) });
        if (b.members.length >= 2) this.peerVarsets(b);
        if (!this.canTranslate(ch, b)) {
          // Trace bridge_translation_failure: "No path to translate" — the newcomer leaves 2 ms
          // after entering, with no hang-up and no reason; it stays up, in Stasis, alone.
          this.after(ch, 2, () => {
            if (ch.bridge === b) this.leaveBridge(ch);
          });
        }
      });
    }
  }

  /**
   * A Local leg runs at slin192, a SIP leg at ulaw: mixing them needs codec_resample. Without it
   * (modules.missing) Asterisk has no translation path between them.
   */
  private canTranslate(ch: SimChannel, b: SimBridge): boolean {
    if (!this.o.missingModules?.includes('codec_resample')) return true;
    const native = (c: SimChannel) => (c.name.startsWith('Local/') ? 'slin192' : 'ulaw');
    return b.members.every((m) => native(m) === native(ch));
  }

  removeChannels(bridgeId: string, ids: string[]): void {
    const b = this.requireBridge(bridgeId);
    for (const id of ids) {
      const ch = this.channels.get(id);
      if (!ch || ch.bridge !== b) throw new SimHttpError(422, { message: 'Channel not in this bridge' });
      this.soon(ch, () => {
        if (ch.bridge === b) this.leaveBridge(ch);
      });
    }
  }

  private peerVarsets(b: SimBridge): void {
    for (const ch of b.members) {
      const peers = [
        ...b.recorders.map((r) => r.name),
        ...b.members.filter((m) => m !== ch).map((m) => m.name),
      ];
      this.varset(ch, 'BRIDGEPEER', peers.join(','));
      // A channel bridged with a SIP channel also learns its SIP call id (trace
      // customer_hangs_up_in_bridge_agent_stays), set again as it leaves.
      if (b.members.some((m) => m !== ch && !m.name.startsWith('Local/'))) {
        ch.bridgedWithSip = true;
        this.varset(ch, 'BRIDGEPVTCALLID', '');
      }
    }
  }

  private leaveBridge(ch: SimChannel): void {
    const b = ch.bridge;
    if (!b) return;
    this.varset(ch, 'BRIDGEPEER', '');
    if (ch.bridgedWithSip) this.varset(ch, 'BRIDGEPVTCALLID', '');
    b.members = b.members.filter((m) => m !== ch);
    ch.bridge = undefined;
    this.emitChannel(ch, 'ChannelLeftBridge', { bridge: this.bridgeJson(b) });
    // The channels left learn their new peers only when they still have one: the bridge's
    // recorder (agent_bridge_record). One left alone keeps its BRIDGEPEER, whatever left
    // (customer_hangs_up_in_bridge_agent_stays: SIP, ws_drop_app_reconnects: Local).
    if (b.members.length > 0 && b.members.length + b.recorders.length >= 2) this.peerVarsets(b);
    if (b.members.length < 2) {
      // Asterisk ends a bridge recording a few seconds after the talkers are gone (silence).
      for (const rec of this.liveRecordings.values()) {
        if (rec.bridge === b && !rec.timer) {
          rec.timer = this.o.clock.after(4000, () => {
            rec.timer = undefined;
            if (b.members.length < 2) this.finishRecording(rec);
          });
        }
      }
    }
  }

  destroyBridge(id: string): void {
    const b = this.requireBridge(id);
    this.bridges.delete(id);
    this.o.clock.latency(() => {
      for (const ch of [...b.members]) this.leaveBridge(ch);
      for (const rec of this.liveRecordings.values()) if (rec.bridge === b) this.finishRecording(rec);
      if (!this.stopped) this.send('BridgeDestroyed', { bridge: this.bridgeJson(b) }, b.apps);
    });
  }

  // ---- recordings -----------------------------------------------------------------------------

  recordBridge(bridgeId: string, q: Record<string, string | undefined>) {
    const b = this.requireBridge(bridgeId);
    const rec = this.startRecording(q, `bridge:${b.id}`, b.apps);
    rec.bridge = b;
    const recorder = { name: `Recorder/ARI-${this.nextSeq()};2`, recording: rec.name };
    this.o.clock.latency(() => {
      if (rec.state === 'done' || this.stopped) return;
      b.recorders.push(recorder);
      if (b.technology === 'simple_bridge' && b.members.length >= 2) b.technology = 'softmix';
      this.peerVarsets(b);
      rec.state = 'recording';
      this.send('RecordingStarted', { recording: this.recordingJson(rec) }, rec.apps);
    });
    return this.recordingJson(rec);
  }

  recordChannel(id: string, q: Record<string, string | undefined>) {
    const ch = this.requireStasis(id);
    const rec = this.startRecording(q, `channel:${ch.id}`, this.appsOf(ch));
    rec.channel = ch;
    this.o.clock.latency(() => {
      if (rec.state === 'done' || this.stopped) return;
      rec.state = 'recording';
      this.send('RecordingStarted', { recording: this.recordingJson(rec) }, rec.apps);
    });
    return this.recordingJson(rec);
  }

  private startRecording(q: Record<string, string | undefined>, targetUri: string, apps: Iterable<string>) {
    const name = q.name;
    if (!name) throw new SimHttpError(400, { message: 'Recording name is required' });
    if (!SimRecordingSpool.validName(name))
      throw new SimHttpError(400, { message: 'Invalid recording name' });
    if (this.liveRecordings.has(name) || (this.o.spool.has(name) && q.ifExists !== 'overwrite')) {
      throw new SimHttpError(409, { message: 'Recording with the same name already exists on the system' });
    }
    const rec: SimRecording = {
      name,
      format: q.format ?? 'wav',
      targetUri,
      state: 'queued',
      startedAtMs: this.o.clock.elapsedMs(),
      apps: new Set(apps),
    };
    this.liveRecordings.set(name, rec);
    const max = Number(q.maxDurationSeconds ?? 0);
    if (max > 0) rec.timer = this.o.clock.after(max * 1000, () => this.finishRecording(rec));
    return rec;
  }

  private recordingJson(rec: SimRecording) {
    const base = { name: rec.name, format: rec.format, state: rec.state, target_uri: rec.targetUri };
    if (rec.state === 'failed') return { ...base, cause: 'Recording failed (simulated fault)' };
    return rec.state === 'done'
      ? { ...base, duration: Math.round((this.o.clock.elapsedMs() - rec.startedAtMs) / 1000) }
      : base;
  }

  private finishRecording(rec: SimRecording): void {
    if (rec.state === 'done' || rec.state === 'failed') return;
    rec.timer?.cancel();
    this.liveRecordings.delete(rec.name);
    if (rec.bridge) rec.bridge.recorders = rec.bridge.recorders.filter((r) => r.recording !== rec.name);
    if (this.o.recordingFaults.remaining > 0) {
      // A full disk, a broken spool: Asterisk says RecordingFailed and stores nothing.
      this.o.recordingFaults.remaining -= 1;
      rec.state = 'failed';
      this.send('RecordingFailed', { recording: this.recordingJson(rec) }, rec.apps);
      return;
    }
    rec.state = 'done';
    // The file holds what was recorded: a tone as long as the recording ran.
    if (!this.stopped) this.o.spool.store(rec.name, rec.format, this.o.clock.elapsedMs() - rec.startedAtMs);
    this.send('RecordingFinished', { recording: this.recordingJson(rec) }, rec.apps);
  }

  stopRecording(name: string): void {
    const rec = this.liveRecordings.get(name);
    if (!rec) throw new SimHttpError(404, { message: 'Recording not found' });
    this.finishRecording(rec);
  }

  getLiveRecording(name: string) {
    const rec = this.liveRecordings.get(name);
    if (!rec) throw new SimHttpError(404, { message: 'Recording not found' });
    return this.recordingJson(rec);
  }

  getStoredRecording(name: string) {
    const rec = this.o.spool.get(name);
    if (!rec) throw new SimHttpError(404, { message: 'Recording not found' });
    return rec;
  }

  /** `GET /recordings/stored/{name}/file`: the file itself, `audio/wav` as Asterisk sends it. */
  getStoredRecordingFile(name: string): SimBinaryReply {
    const body = this.o.spool.read(name);
    if (!body) throw new SimHttpError(404, { message: 'Recording not found' });
    return new SimBinaryReply('audio/wav', body);
  }

  /** `DELETE /recordings/stored/{name}`. */
  deleteStoredRecording(name: string): void {
    if (!this.o.spool.delete(name)) throw new SimHttpError(404, { message: 'Recording not found' });
  }

  listStoredRecordings() {
    return this.o.spool.list();
  }

  // ---- applications ---------------------------------------------------------------------------

  /** `GET /asterisk/modules/{name}`, as Asterisk 22 answers it. */
  moduleJson(name: string) {
    if (!name.endsWith('.so'))
      throw new SimHttpError(409, { message: 'Module information could not be retrieved' });
    if (this.o.missingModules?.includes(name.slice(0, -3)))
      throw new SimHttpError(404, { message: 'Module could not be found in running modules' });
    return { name, description: name, use_count: 0, status: 'Running', support_level: 'core' };
  }

  /** `GET /asterisk/variable?variable=`: a global (empty when unset, as Asterisk answers). */
  globalVariable(name: string | undefined) {
    if (!name) throw new SimHttpError(400, { message: 'Variable name is required' });
    return { value: this.o.globals?.[name] ?? '' };
  }

  /** `GET /endpoints/{tech}/{resource}`. Local is no endpoint technology ARI lists. */
  endpointJson(tech: string, resource: string) {
    const name = `${tech}/${resource}`;
    if (!KNOWN_TECH.has(tech) || tech === 'Local' || this.o.missingEndpoints?.includes(name))
      throw new SimHttpError(404, { message: 'Endpoint not found' });
    const state = this.o.offlineEndpoints?.includes(name) ? 'offline' : 'online';
    const channelIds = [...this.channels.values()]
      .filter((ch) => ch.name.startsWith(`${name}-`))
      .map((ch) => ch.id);
    return { technology: tech, resource, state, channel_ids: channelIds };
  }

  applicationJson(app: string) {
    if (!this.o.isAppRegistered(app)) throw new SimHttpError(404, { message: 'Application not found' });
    const channelIds = [...this.channels.values()].filter((ch) => ch.stasisApp === app).map((ch) => ch.id);
    return {
      name: app,
      channel_ids: [...new Set([...channelIds, ...(this.subscriptions.get(app) ?? [])])],
      bridge_ids: [...this.bridges.values()].filter((b) => b.apps.has(app)).map((b) => b.id),
      endpoint_ids: [],
      device_names: [],
    };
  }

  subscribe(app: string, sources: string[]) {
    if (!this.o.isAppRegistered(app)) throw new SimHttpError(404, { message: 'Application not found' });
    const ids = this.subscriptions.get(app) ?? new Set<string>();
    this.subscriptions.set(app, ids);
    for (const source of sources) {
      const [kind, id] = source.split(':');
      if (kind !== 'channel' || !id)
        throw new SimHttpError(400, { message: `Invalid event source ${source}` });
      if (!this.channels.has(id)) throw new SimHttpError(422, { message: 'Event source does not exist' });
      ids.add(id);
    }
    return this.applicationJson(app);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * `core stop now` / `core restart now`: every channel is hung up by the shutdown (trace
   * asterisk_down_60s: a soft hang-up request with cause 4, then one with cause 0, its exit from
   * the bridge and the app, and ChannelDestroyed cause 0 "Unknown"), the bridges go, then nothing
   * more is sent.
   */
  shutdown(): void {
    for (const ch of [...this.channels.values()]) this.shutDownChannel(ch);
    for (const b of this.bridges.values())
      this.send('BridgeDestroyed', { bridge: this.bridgeJson(b) }, b.apps);
    this.bridges.clear();
    for (const rec of this.liveRecordings.values()) rec.timer?.cancel();
    this.stopped = true;
  }

  private shutDownChannel(ch: SimChannel): void {
    if (ch.ending || ch.gone) return;
    ch.ending = true;
    for (const t of ch.timers) t.cancel();
    ch.timers.clear();
    this.emitChannel(ch, 'ChannelHangupRequest', { cause: 4, soft: true });
    this.emitChannel(ch, 'ChannelHangupRequest', { cause: 0 });
    if (ch.playing) this.finishPlayback(ch.playing);
    ch.playQueue = [];
    if (ch.bridge) this.leaveBridge(ch);
    if (ch.stasisApp) {
      this.emitChannel(ch, 'StasisEnd');
      ch.stasisApp = undefined;
      this.varset(ch, 'STASISSTATUS', 'SUCCESS');
    }
    this.destroy(ch, 0);
  }

  /** Stops without events (process exit). */
  halt(): void {
    this.stopped = true;
    for (const ch of this.channels.values()) for (const t of ch.timers) t.cancel();
    for (const rec of this.liveRecordings.values()) rec.timer?.cancel();
  }
}
