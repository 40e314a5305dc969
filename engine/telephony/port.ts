/**
 * The telephony port: what the campaign engine needs from a telephone system, in our own words.
 * The ARI adapter (ari/) implements it on Asterisk; nothing outside engine/telephony/ sees an
 * ari-client type. Every method is keyed by OUR ids: the attempt id doubles as the customer
 * channel id, so an event can never arrive for a call the engine does not know yet.
 */

/** What AMD() said; NOTSURE must be treated like a person (DESIGN.md §4). */
export type AmdStatus = 'HUMAN' | 'MACHINE' | 'NOTSURE';

export interface AmdResult {
  status: AmdStatus;
  /** AMDCAUSE as Asterisk reports it, e.g. `MAXWORDS-3-2`, `TOOLONG-4900`. */
  cause: string;
}

/**
 * The fixed vocabulary a hangup maps to (see hangup-cause.ts for the table).
 * `answered`: the call was answered, whatever ended it afterwards.
 * `cancelled`: we hung up (or the system went away) before anyone answered.
 * `lost`: the channel vanished without a cause (Asterisk restarted, found missing on reconcile).
 */
export const CALL_OUTCOMES = [
  'answered',
  'busy',
  'no_answer',
  'congestion',
  'rejected',
  'invalid_number',
  'no_route',
  'out_of_order',
  'cancelled',
  'lost',
  'failed',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Dial statuses Asterisk puts in `Dial.dialstatus` (the final ones; '' and RINGING are progress). */
export type DialStatus =
  | 'ANSWER'
  | 'BUSY'
  | 'NOANSWER'
  | 'CANCEL'
  | 'CONGESTION'
  | 'CHANUNAVAIL'
  | 'DONTCALL'
  | 'TORTURE'
  | 'INVALIDARGS';

export interface HangupInput {
  /** Q.850 cause of OUR channel's ChannelDestroyed (0 = unknown). */
  cause: number;
  /** The last final `Dial.dialstatus` seen for the channel, if any. */
  dialStatus?: DialStatus | undefined;
  /** Whether the channel was answered (state Up / StasisStart on an originated leg). */
  answered: boolean;
  /** Whether we asked for the hangup before an answer. */
  hungUpByUs?: boolean;
}

/** A customer leg's normalized events. `at` is when the adapter received it (engine clock). */
export type TelephonyEvent =
  | { type: 'ringing'; attemptId: string; at: Date }
  | {
      type: 'answered';
      attemptId: string;
      at: Date;
      /** Present when the call went through the AMD context; absent means no AMD. */
      amd?: AmdResult;
      /** The SIP answer (channel Up): with AMD ~2 s before `at`, the verdict; else the same. */
      sipAnsweredAt?: Date;
    }
  | {
      /**
       * The line was answered (channel Up) and answering-machine detection is listening: the
       * `answered` event with the verdict follows. Only for calls sent through AMD.
       */
      type: 'line-answered';
      attemptId: string;
      at: Date;
    }
  | { type: 'dtmf'; attemptId: string; digit: string; at: Date }
  | { type: 'connected'; attemptId: string; agentId: string; at: Date }
  | {
      /** The customer left the agent's bridge (hung up or was moved); the agent leg stays. */
      type: 'customer-left-bridge';
      attemptId: string;
      agentId: string;
      /**
       * `hangup`: a hang-up (either side's) took the customer out. `unexplained`: the customer
       * is still up, alone, outside the bridge (no audio path, or moved): the engine must act.
       */
      reason: 'hangup' | 'unexplained';
      at: Date;
    }
  | {
      type: 'recording-finished';
      recordingName: string;
      target: RecordTarget;
      /** Seconds recorded, when Asterisk said so. */
      durationSeconds?: number;
      /** Asterisk said RecordingFailed: nothing (usable) was stored. */
      failed?: boolean;
      /** Asterisk's reason for a failure, when it gave one. */
      cause?: string;
      at: Date;
    }
  | {
      type: 'hangup';
      attemptId: string;
      cause: number;
      causeText: string;
      dialStatus?: DialStatus;
      outcome: CallOutcome;
      answered: boolean;
      at: Date;
    }
  | {
      /** An agent's nailed-up leg is gone (agent hung up, phone lost, Asterisk restarted). */
      type: 'agent-leg-lost';
      agentId: string;
      cause: number;
      at: Date;
    }
  | {
      /**
       * The link to the telephone system changed. After `restored` the adapter has already
       * reconciled: calls that vanished got a `hangup` with outcome `lost`, orphans were hung up.
       */
      type: 'connection';
      state: 'lost' | 'restored';
      at: Date;
    };

export type TelephonyEventType = TelephonyEvent['type'];
export type TelephonyListener = (event: TelephonyEvent) => void;

export type RecordTarget = { attemptId: string } | { agentId: string };

export interface AgentLeg {
  agentId: string;
  /** The agent leg's channel id (ours). */
  channelId: string;
  /** The agent's own mixing bridge; customers are added to it. */
  bridgeId: string;
}

export interface LoginAgentRequest {
  agentId: string;
  /** Dialable endpoint of the agent's phone, e.g. `PJSIP/agent-101`. */
  endpoint: string;
  /** Give up if the phone does not answer within this many seconds (default 30). */
  ringTimeoutSeconds?: number;
  callerId?: string;
}

export interface OriginateRequest {
  /** Our attempt id; used as the channel id, so it must be unique and ARI-safe ([A-Za-z0-9._-]). */
  attemptId: string;
  /** Endpoint already built from the campaign template, e.g. `PJSIP/+8613800000005@carrier`. */
  endpoint: string;
  callerId: string;
  /** At least 15 s (regulation); the adapter refuses less. */
  ringTimeoutSeconds: number;
  /** Which trunk's limits (calls per second, concurrent channels) apply; default `carrier`. */
  trunk?: string;
  /**
   * Answering-machine detection: once answered, the leg continues into this dialplan context at
   * `s,1` (runs AMD(), returns to Stasis with the result); `answered` comes with the verdict.
   */
  amd?: { context: string };
  /** Channel variables set on the leg (e.g. campaign id for CDRs). */
  variables?: Record<string, string>;
}

export interface PlayResult {
  /** False when the channel went away before the media finished. */
  finished: boolean;
}

export interface CollectDtmfRequest {
  /** Media played first (`sound:...`); digits pressed during it count. */
  prompt?: string[];
  maxDigits: number;
  /** Overall wait after the prompt ends. */
  timeoutMs: number;
  /** A key that ends input early (default `#`); not included in the digits. */
  terminator?: string;
}

export interface CollectDtmfResult {
  digits: string;
  reason: 'max-digits' | 'terminator' | 'timeout' | 'hangup';
}

export interface RecordRequest {
  /** Recording name (unique); stored under Asterisk's recordings folder. */
  name: string;
  format?: string;
  /** Hard limit in seconds (0 = none). */
  maxDurationSeconds?: number;
}

export interface SoundInfo {
  exists: boolean;
  /** Languages the sound is installed in (empty when missing). */
  languages: string[];
}

export type HangupReason = 'normal' | 'busy' | 'congestion' | 'no_answer';

/** Result of reconciling our view with the telephone system after a reconnect or a restart. */
export interface ReconcileResult {
  /** Known attempts whose channel is still there (adopted: their events follow). */
  live: string[];
  /** Known attempts with no channel any more: the engine finalizes them (outcome `lost`). */
  gone: string[];
  /** This engine's channels that nobody knows (or known agent legs out of their bridge): hung up. */
  orphansHungUp: string[];
  /** Agents whose known leg was still parked in its bridge: adopted, ready (no new ring). */
  agentsAdopted: string[];
}

export interface ReconcileOptions {
  /** Agent legs the engine's database knows (after a restart): adopted if still in their bridge. */
  agentLegs?: readonly AgentLeg[];
  /**
   * The known attempts are complete only for channels whose name (the part after this engine's
   * tag) starts with `scope`, e.g. one campaign's; other channels of this engine are left alone.
   * Without it the known set covers every channel of this engine.
   */
  scope?: string;
}

export interface TelephonyPort {
  start(): Promise<void>;
  /** Stops the supervisor and closes the connection; live calls are left to Asterisk. */
  stop(): Promise<void>;

  /** Calls the agent's phone once; resolves when answered and parked in its own bridge. */
  loginAgent(request: LoginAgentRequest): Promise<AgentLeg>;
  /** Hangs the agent leg up and destroys its bridge. No-op if already gone. */
  logoutAgent(agentId: string): Promise<void>;

  /**
   * Places the customer leg. Resolves when the telephone system accepted it (events follow);
   * waits for the trunk's call-per-second and channel limits first. Rejects with
   * `TelephonyError` (kind `originate-failed`) when the originate itself fails.
   */
  originate(request: OriginateRequest): Promise<void>;
  /**
   * Adds the answered customer to the agent's bridge. `connected` follows only once the bridge
   * holds both legs; a customer who does not stay (Asterisk can accept the add and drop the
   * customer 2 ms later) gets `customer-left-bridge` with reason `unexplained` instead.
   */
  connect(attemptId: string, agentId: string): Promise<void>;
  /** Plays media on the customer leg; resolves when finished (or the channel left). */
  play(attemptId: string, media: string[]): Promise<PlayResult>;
  /** Plays a prompt and gathers keys from the customer. */
  collectDtmf(attemptId: string, request: CollectDtmfRequest): Promise<CollectDtmfResult>;
  /** Starts recording an agent's bridge or a customer channel; `recording-finished` follows. */
  record(target: RecordTarget, request: RecordRequest): Promise<void>;
  /** Hangs the customer leg up; resolves at once (the `hangup` event follows). No-op if gone. */
  hangup(attemptId: string, reason?: HangupReason): Promise<void>;

  /**
   * Whether a sound (the name of a `sound:` URI) is installed on the telephone system, and in
   * which languages. A missing sound plays as silence (the play request succeeds, the playback
   * fails), so the engine asks before a campaign dials. Optional: test doubles may omit it.
   */
  soundInfo?(name: string): Promise<SoundInfo>;

  /** Registers a listener; returns its remover. Listeners must not throw. */
  onEvent(listener: TelephonyListener): () => void;

  /**
   * A new channel id for a customer leg (the attempt id), made of `name` ([A-Za-z0-9_-]) and
   * this engine's identity: ids of one engine are never prefixes of one another, ids of two
   * engines never share their start (Asterisk refuses a prefix of a live id).
   */
  newCallId(name: string): string;

  /**
   * Compares the attempts the engine believes are in flight with the live channels: adopts
   * known ones still up (and known agent legs), and hangs up only channels that carry this
   * engine's identity and are known to nobody (never another engine's). Call it after an engine
   * restart; the adapter runs it itself after a reconnect.
   */
  reconcile(knownAttemptIds: readonly string[], options?: ReconcileOptions): Promise<ReconcileResult>;
}
