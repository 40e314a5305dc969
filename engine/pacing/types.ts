import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { PacingStatistics } from './statistics.ts';

/**
 * What the pacer sees at one decision: a snapshot the runner (or the simulator) builds from its
 * own bookkeeping. Times are seconds elapsed in the current phase, never wall-clock instants,
 * so the pacer needs no clock.
 */
export interface LivePacingState {
  /** Agents logged in, idle and ready to take a call now (reserved ones included). */
  readonly agentsReady: number;
  /** Of the ready agents, those held for something else (a callback): not offered to new calls. */
  readonly agentsReserved?: number;
  /** Agents on a call or tagging its outcome, who will be ready again when that phase ends. */
  readonly agentsBusy: readonly BusyAgent[];
  /** Customer calls launched and not yet connected to an agent or ended. */
  readonly callsInFlight: readonly CallInFlight[];
}

export interface BusyAgent {
  readonly phase: 'talking' | 'wrap-up';
  /** Seconds since this phase started. */
  readonly elapsedSeconds: number;
  /**
   * Seconds until this agent is ready again, when known for certain. No dialer knows it: only the
   * pacing simulator's `agent-foresight` reference sets it, to measure what the uncertainty of
   * agents' remaining talk and wrap-up costs. The runner never sets it; the pacer then uses the
   * talk and wrap-up laws.
   */
  readonly readyInSeconds?: number;
}

export interface CallInFlight {
  /**
   * ringing: not answered yet (elapsed = ring seconds so far);
   * classifying: answered, answering-machine detection still running;
   * waiting: answered by a person, waiting (at most connectWithinSeconds) for an agent.
   */
  readonly stage: 'ringing' | 'classifying' | 'waiting';
  readonly elapsedSeconds: number;
}

export type PacingMode = 'progressive' | 'predictive';

/** The campaign's pacing settings (campaigns/campaign-definition.ts `pacingSchema`). */
export type PacingConfig = Pick<
  CampaignDefinition['pacing'],
  'linesPerAgent' | 'maxLinesPerAgent' | 'targetAbandonRate' | 'minAnsweredForPredictive'
> & {
  /** `abandon.connectWithinSeconds`: an agent freeing up this soon after an answer still takes it. */
  readonly connectWithinSeconds?: number;
};

/** Abandoned and person-answered calls over the campaign's regulatory window (30 d or 24 h). */
export interface AbandonmentWindow {
  readonly abandoned: number;
  readonly humanAnswered: number;
}

export interface PacingInput {
  readonly mode: PacingMode;
  readonly state: LivePacingState;
  readonly stats: PacingStatistics;
  readonly config: PacingConfig;
  readonly abandonment: AbandonmentWindow;
  /** False when the compliance gate says the campaign is at its abandonment cap. */
  readonly predictiveAllowed: boolean;
}

export type PacingReason =
  | 'progressive'
  | 'predictive'
  | 'insufficient-statistics'
  | 'abandonment-cap'
  | 'line-cap'
  | 'no-agents';

export interface PacingDecision {
  /** Calls to launch now (≥ 0, an integer). */
  readonly launch: number;
  /** The algorithm that decided: predictive falls back to progressive. */
  readonly mode: PacingMode;
  readonly reason: PacingReason;
  /** Figures behind a predictive decision, for logs and the manager's live view. */
  readonly detail?: PredictiveDetail;
}

export interface PredictiveDetail {
  /** Estimated probability that a launched call is answered and routed to an agent. */
  readonly routedAnswerProbability: number;
  /** Agents expected free by the median answer time of a new call (ready now included). */
  readonly expectedFreeAgents: number;
  /** Routed answers expected from the calls already in flight by that time. */
  readonly expectedAnswersInFlight: number;
  /** Marginal abandonment probability the launch count was held under. */
  readonly threshold: number;
  /** Estimated abandonment probability of the last call launched (0 when none). */
  readonly marginalAbandonProbability: number;
}
