import type { RecordingNotice } from '../compliance/recording-policy.ts';
import type { Logger } from '../platform/logger.ts';
import type { AmdResult } from '../telephony/port.ts';

/** Where a customer call stands, as the runner sees it. */
export type CallStage =
  | 'originating'
  | 'ringing'
  /** Answered; AMD verdict, IVR or an agent pending. */
  | 'answered'
  /** A person is waiting (at most connectWithinSeconds) for an agent. */
  | 'waiting'
  | 'connected'
  /** Playing media before hanging up (identification message, machine message, IVR). */
  | 'playing'
  | 'ended';

/**
 * Everything one customer call owns: its ids, its stage, its timers, the agent it holds. The
 * call disposes of its own resources (timers) when it ends, so nothing outlives it.
 */
export class CallContext {
  stage: CallStage = 'originating';
  readonly launchedAt: Date;
  /** The line was answered while AMD listens (telephony `line-answered`); null without AMD. */
  lineAnsweredAt: Date | null = null;
  /** When the answer was classified (the `answered` event: the AMD verdict, or the answer itself). */
  answeredAt: Date | null = null;
  /** The SIP answer: answeredAt is the AMD verdict when AMD ran (~2 s later). */
  sipAnsweredAt: Date | null = null;
  connectedAt: Date | null = null;
  amd: AmdResult | null = null;
  /** The agent this call holds (reserved for it, or connected to it). */
  agentId: number | null = null;
  /** An agent reserved before the dial (callback, preview) rather than picked at answer. */
  preReserved = false;
  /** Set when the call ends by our decision: the outcome the engine records for it. */
  verdict: { tag: string; data?: Record<string, unknown>; abandoned?: boolean } | null = null;
  /** The recording notice this person hears before an agent is bridged (decided at the dial). */
  recordingNotice: RecordingNotice | null = null;
  /** Why this call is not recorded although its campaign records (a required notice it cannot play). */
  recordingWithheld: string | null = null;
  /** When the notice ended: the connect time is counted from then (the person was not left in silence). */
  noticeEndedAt: Date | null = null;
  /** The customer is in the post-call satisfaction prompt: the agent's part is over. */
  inSatisfaction = false;
  private readonly cancellers = new Set<() => void>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly attemptId: string,
    readonly dbId: number,
    readonly contactId: number,
    readonly campaignId: number,
    readonly log: Logger,
    now: Date,
  ) {
    this.launchedAt = now;
  }

  /** Keeps a timer's canceller so that ending the call cancels it. */
  own(cancel: () => void): () => void {
    this.cancellers.add(cancel);
    return () => {
      this.cancellers.delete(cancel);
      cancel();
    };
  }

  /** Runs `task` after every earlier task of this call: a call's events are handled in order. */
  serial(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      this.log.error({ err: error }, 'call handling failed');
    });
    return this.chain;
  }

  dispose(): void {
    this.stage = 'ended';
    for (const cancel of this.cancellers) cancel();
    this.cancellers.clear();
  }
}
