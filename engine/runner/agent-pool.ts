import type { Kysely } from 'kysely';
import { databaseFault } from '../../db/pg-error.ts';
import {
  type AgentSessionRow,
  listOpenSessions,
  recordSessionLeg,
  sessionState,
} from '../../db/queries/agent-sessions.ts';
import { listAgentPhones } from '../../db/queries/agents.ts';
import type { Database } from '../../db/schema.ts';
import { type AppliedEvent, applyAgentEvent } from '../agents/agent-service.ts';
import type { AgentEvent, AgentState } from '../agents/agent-state.ts';
import { ConflictError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { isTelephonyError } from '../telephony/errors.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import { type DatabaseRetryPolicy, withDatabaseRetry } from './database-retry.ts';
import { awaitLater, type EngineClock, holdTime } from './engine-clock.ts';
import { ringBackoff } from './phone-lost.ts';

export interface PooledAgent {
  agentId: number;
  code: string;
  endpoint: string;
  session: AgentSessionRow;
  state: AgentState;
  /** This process holds the agent's phone leg (nailed up in its bridge). */
  legUp: boolean;
}

export interface AgentPoolEvents {
  /** Wrap-up ran out for this agent's call: the runner records `no_outcome`. */
  wrapUpTimedOut(agent: PooledAgent, attemptId: string): void;
  /** An agent finished wrap-up (for the pacer's wrap-up statistics). */
  wrapUpEnded(seconds: number): void;
  /**
   * An agent event could not be written through every database retry: the session may now
   * disagree with the calls (an agent left on_call or reserved). The runner reconciles the
   * sessions with its live calls once the database answers again.
   */
  agentEventLost?(agent: PooledAgent, event: AgentEvent): void;
}

/**
 * The runner's view of the agents logged in to one campaign, refreshed from agent_sessions on
 * every tick (agents act from other processes: their terminal writes the session). It carries
 * out the telephony side of the state machine: rings the phone of an agent logging in, hangs up
 * the leg of one who logged out, re-rings agents after an engine restart, arms wrap-up timers.
 * An agent is offered calls only when ready AND its leg is up in this process.
 */
export class AgentPool {
  private readonly agents = new Map<number, PooledAgent>();
  private readonly dialing = new Set<number>();
  private readonly wrapTimers = new Map<number, { attemptId: string; cancel: () => void }>();
  /**
   * Phone lost (Asterisk unavailable, or the leg dropped while the agent waited for calls): the
   * agent stays logged in, its phone is rung again after a backoff, not in a loop. Per agent:
   * rings tried so far and the pending ring.
   */
  private readonly phoneLost = new Map<number, { tries: number; cancel: () => void }>();
  /**
   * Set by releaseLegs (the runner stopping): no phone is rung any more, and a ring still in
   * flight is hung up when it answers, so the stop leaves no agent leg behind on Asterisk.
   */
  private released = false;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      telephony: TelephonyPort;
      clock: EngineClock;
      logger: Logger;
      engineId: string;
      campaignId: number;
      wrapUpSeconds: number;
      callerId: string;
      /** How agent events are retried on a database fault (default: DEFAULT_DATABASE_RETRY). */
      retry?: DatabaseRetryPolicy;
    },
    private readonly events: AgentPoolEvents,
  ) {}

  async sync(): Promise<void> {
    const rows = await listOpenSessions(this.deps.db, this.deps.campaignId);
    const codes = await this.agentRows(rows.map((r) => r.agent_id));
    const seen = new Set<number>();
    for (const session of rows) {
      seen.add(session.agent_id);
      this.refresh(session, codes.get(session.agent_id));
    }
    for (const [agentId, agent] of this.agents) {
      if (!seen.has(agentId)) {
        // Logged out elsewhere (terminal) or the session ended: drop the leg.
        this.agents.delete(agentId);
        this.cancelWrapTimer(agentId);
        if (agent.legUp) void holdTime(this.deps.clock, this.hangupLeg(agentId));
      }
    }
  }

  private async agentRows(ids: number[]) {
    const missing = ids.filter((id) => !this.agents.has(id));
    const out = new Map<number, { code: string; endpoint: string }>();
    for (const [id, a] of this.agents) out.set(id, { code: a.code, endpoint: a.endpoint });
    for (const r of await listAgentPhones(this.deps.db, missing)) {
      out.set(r.id, { code: r.code, endpoint: r.endpoint });
    }
    return out;
  }

  private refresh(session: AgentSessionRow, info: { code: string; endpoint: string } | undefined): void {
    const previous = this.agents.get(session.agent_id);
    const state = sessionState(session);
    const agent: PooledAgent = {
      agentId: session.agent_id,
      code: info?.code ?? String(session.agent_id),
      endpoint: info?.endpoint ?? '',
      session,
      state,
      legUp: previous?.legUp ?? false,
    };
    this.agents.set(session.agent_id, agent);
    if (previous?.state.kind === 'wrap_up' && state.kind !== 'wrap_up') {
      this.events.wrapUpEnded(
        (this.deps.clock.now().getTime() - previous.session.state_since.getTime()) / 1000,
      );
    }
    if (state.kind === 'wrap_up') this.armWrapTimer(agent, state.attemptId, state.deadline);
    else this.cancelWrapTimer(session.agent_id);
    if (
      !this.released &&
      !agent.legUp &&
      !this.dialing.has(agent.agentId) &&
      !this.phoneLost.has(agent.agentId) &&
      state.kind !== 'offline'
    )
      void holdTime(this.deps.clock, this.dialLeg(agent));
  }

  /** Rings the agent's phone; a session logging in becomes ready when it answers. */
  private async dialLeg(agent: PooledAgent): Promise<void> {
    const { telephony, logger } = this.deps;
    this.dialing.add(agent.agentId);
    try {
      // A leg this process already holds comes back as it is (adopted after a restart by
      // recovery's reconcile, with the conversation in it); a stale one is replaced.
      // The phone rings for a while of engine time before it answers.
      const leg = await awaitLater(
        this.deps.clock,
        telephony.loginAgent({
          agentId: String(agent.agentId),
          endpoint: agent.endpoint,
          callerId: this.deps.callerId,
        }),
      );
      const current = this.agents.get(agent.agentId);
      if (!current || this.released) {
        await this.hangupLeg(agent.agentId);
        return;
      }
      current.legUp = true;
      this.phoneLost.delete(agent.agentId);
      if (current.state.kind === 'logging_in') {
        await this.apply(
          current,
          { type: 'leg_answered' },
          { channelId: leg.channelId, bridgeId: leg.bridgeId },
        );
      } else if (current.session.channel_id !== leg.channelId) {
        // A logged-in agent's phone rung again: the session names the new leg (the desktop,
        // satisfaction survey and recovery find the agent's channel there).
        await withDatabaseRetry(
          () =>
            recordSessionLeg(this.deps.db, current.session.id, {
              channelId: leg.channelId,
              bridgeId: leg.bridgeId,
            }),
          { log: logger.child({ agent: agent.code }), what: 'agent leg', policy: this.deps.retry },
        );
        current.session = { ...current.session, channel_id: leg.channelId, bridge_id: leg.bridgeId };
      }
      logger.info({ agent: agent.code }, 'agent leg up');
    } catch (error) {
      const current = this.agents.get(agent.agentId);
      // Asterisk away: ring later. A logged-in agent whose phone was lost (Asterisk stopped,
      // the agent hung up) is rung again with backoff too when the phone does not answer: the
      // session ends only once the tries are used up. A first login ring that is not answered
      // ends the login at once, as before.
      const retry =
        current !== undefined &&
        (isTelephonyError(error, 'unavailable') ||
          this.phoneLost.has(agent.agentId) ||
          current.state.kind !== 'logging_in');
      if (current && retry && this.ringLater(current, error)) return;
      this.phoneLost.delete(agent.agentId);
      logger.warn({ agent: agent.code, err: error }, 'agent phone did not answer');
      if (current) await this.tryApply(current, { type: 'leg_lost' });
    } finally {
      this.dialing.delete(agent.agentId);
    }
  }

  /** Hangs up an agent's leg; a failure is logged (the adapter forgets the leg either way). */
  private async hangupLeg(agentId: number): Promise<void> {
    try {
      await this.deps.telephony.logoutAgent(String(agentId));
    } catch (error) {
      if (isTelephonyError(error, 'not-found')) return;
      this.deps.logger.warn({ err: error, agentId }, 'could not hang up the agent leg');
    }
  }

  private armWrapTimer(agent: PooledAgent, attemptId: string, deadline: Date): void {
    // After the release (the runner stopping) the wrap-up is owed to the agent's terminal or the
    // next engine's timeout: a timer armed now (the stop's last sync) would fire after this
    // engine's database has closed.
    if (this.released) return;
    const existing = this.wrapTimers.get(agent.agentId);
    if (existing?.attemptId === attemptId) return;
    existing?.cancel();
    const wait = Math.max(0, deadline.getTime() - this.deps.clock.now().getTime());
    const cancel = this.deps.clock.after(wait, () => {
      this.wrapTimers.delete(agent.agentId);
      const current = this.agents.get(agent.agentId);
      if (current) this.events.wrapUpTimedOut(current, attemptId);
    });
    this.wrapTimers.set(agent.agentId, { attemptId, cancel });
  }

  private cancelWrapTimer(agentId: number): void {
    this.wrapTimers.get(agentId)?.cancel();
    this.wrapTimers.delete(agentId);
  }

  /** Applies an event to an agent's session and refreshes the local view; effects on the leg are carried out. */
  async apply(
    agent: PooledAgent,
    event: AgentEvent,
    extra: { channelId?: string; bridgeId?: string } = {},
  ): Promise<AppliedEvent> {
    const applied = await applyAgentEvent(this.deps.db, agent.session.id, event, {
      now: this.deps.clock.now(),
      wrapUpSeconds: this.deps.wrapUpSeconds,
      extra: { engineId: this.deps.engineId, ...extra },
      // The pool's own view, refreshed after every change it makes and every poll: usually
      // current, so the event costs one statement (the compare-and-set) instead of two.
      known: agent.session,
    });
    if (applied.session.ended_at !== null) {
      this.agents.delete(agent.agentId);
      this.cancelWrapTimer(agent.agentId);
    } else {
      this.refresh(applied.session, { code: agent.code, endpoint: agent.endpoint });
    }
    if (applied.effects.some((e) => e.type === 'hangup_agent_leg'))
      void holdTime(this.deps.clock, this.hangupLeg(agent.agentId));
    return applied;
  }

  /**
   * Like apply(), but never throws. A refusal (somebody else moved the session first: a lost
   * race, expected) returns undefined quietly. A database fault is retried with backoff, each
   * failure logged; if the database stays away, the runner is told (agentEventLost) so that it
   * reconciles the agent once it is back, and undefined is returned. Anything else is a bug,
   * logged as an error.
   */
  async tryApply(agent: PooledAgent, event: AgentEvent): Promise<AppliedEvent | undefined> {
    const log = this.deps.logger.child({ agent: agent.code, event: event.type });
    try {
      return await withDatabaseRetry(() => this.apply(this.agents.get(agent.agentId) ?? agent, event), {
        log,
        what: 'agent event',
        policy: this.deps.retry,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        log.debug({ err: error }, 'agent event refused');
      } else if (databaseFault(error) !== undefined) {
        this.events.agentEventLost?.(agent, event);
      } else {
        log.error({ err: error }, 'agent event failed');
      }
      return undefined;
    }
  }

  get(agentId: number): PooledAgent | undefined {
    return this.agents.get(agentId);
  }

  /**
   * The agent, reading the sessions again if the pool does not know it yet: a conversation that
   * recovery adopted can end before the pool's first sync, and its agent must still go to
   * wrap-up (else the session stays on a call that is over, and the runner never finishes).
   */
  async find(agentId: number): Promise<PooledAgent | undefined> {
    if (!this.agents.has(agentId)) await this.sync();
    return this.agents.get(agentId);
  }

  /** Ready agents with a live leg, longest idle first. */
  free(): PooledAgent[] {
    return [...this.agents.values()]
      .filter((a) => a.state.kind === 'ready' && a.legUp)
      .sort((a, b) => a.session.state_since.getTime() - b.session.state_since.getTime());
  }

  /** Reserves the longest idle free agent for a call; undefined when none is free. */
  async reserveFree(attemptId: string, contactId: number, only?: number): Promise<PooledAgent | undefined> {
    for (const agent of this.free()) {
      if (only !== undefined && agent.agentId !== only) continue;
      const applied = await this.tryApply(agent, { type: 'reserve', attemptId, contactId });
      if (applied) return this.agents.get(agent.agentId);
    }
    return undefined;
  }

  all(): PooledAgent[] {
    return [...this.agents.values()];
  }

  /**
   * The agent's phone is lost but the agent is not: ring it again after the backoff (the
   * session stays open, calls resume when it answers). False once the tries are used up: the
   * caller ends the session as before.
   */
  ringLater(agent: PooledAgent, cause?: unknown): boolean {
    if (this.released) return false;
    const tries = (this.phoneLost.get(agent.agentId)?.tries ?? 0) + 1;
    const delayMs = ringBackoff(tries);
    if (delayMs === undefined) {
      this.phoneLost.delete(agent.agentId);
      return false;
    }
    this.phoneLost.get(agent.agentId)?.cancel();
    agent.legUp = false;
    this.deps.logger.warn(
      { agent: agent.code, tries, retryInMs: delayMs, ...(cause ? { err: cause } : {}) },
      'agent phone lost; ringing it again later (the agent stays logged in)',
    );
    const cancel = this.deps.clock.after(delayMs, () => {
      const current = this.agents.get(agent.agentId);
      if (!current || current.legUp || this.dialing.has(agent.agentId) || current.state.kind === 'offline') {
        if (!current || current.state.kind === 'offline') this.phoneLost.delete(agent.agentId);
        return;
      }
      void holdTime(this.deps.clock, this.dialLeg(current));
    });
    this.phoneLost.set(agent.agentId, { tries, cancel });
    return true;
  }

  legLost(agentId: number): PooledAgent | undefined {
    const agent = this.agents.get(agentId);
    if (agent) agent.legUp = false;
    return agent;
  }

  /** Hangs up every leg this process holds (graceful stop); sessions stay open for a restart. */
  async releaseLegs(): Promise<void> {
    this.released = true;
    for (const timer of this.wrapTimers.values()) timer.cancel();
    this.wrapTimers.clear();
    for (const ring of this.phoneLost.values()) ring.cancel();
    this.phoneLost.clear();
    await Promise.all([...this.agents.values()].filter((a) => a.legUp).map((a) => this.hangupLeg(a.agentId)));
    for (const agent of this.agents.values()) agent.legUp = false;
  }
}
