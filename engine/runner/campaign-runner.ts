import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { DatabaseHandle } from '../../db/connect.ts';
import { databaseFault } from '../../db/pg-error.ts';
import { campaignStatus, getCampaignDefinition } from '../../db/queries/campaigns.ts';
import {
  createAttempt,
  finalizeAttempt,
  getAttempt,
  getChannelAttempt,
  updateAttempt,
} from '../../db/queries/dial-log.ts';
import { recordGateRefusal } from '../../db/queries/gate-denials.ts';
import { gateInputFor, loadGateFacts, loadHeldCampaignGateFacts } from '../../db/queries/gate-facts.ts';
import {
  type ClaimedLead,
  campaignHasWork,
  claimLeads,
  countLeadAttempt,
  getPreviewLead,
  releaseEngineLeases,
  releaseExpiredLeases,
  releaseLead,
  renewLeases,
} from '../../db/queries/leads.ts';
import { attemptHasOutcome } from '../../db/queries/outcomes.ts';
import type { Database } from '../../db/schema.ts';
import { recordCallOutcome } from '../agents/call-outcome.ts';
import { previewDecisionNow } from '../agents/preview-timeout.ts';
import {
  type AbandonmentCounts,
  abandonmentFigures,
  campaignAbandonmentDefinition,
} from '../compliance/abandonment.ts';
import { callerNumberOf } from '../compliance/caller-number.ts';
import { evaluateGate, type GateDecision, gateReasonsForLog } from '../compliance/gate.ts';
import { recordingNoticeFor } from '../compliance/recording-policy.ts';
import {
  createStatistics,
  decideLaunches,
  type PacingDecision,
  type PacingObservation,
  type PacingStatistics,
  updateStatistics,
} from '../pacing/pacer.ts';
import { ConflictError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { maskPhone } from '../platform/mask-phone.ts';
import type { TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import { AgentPool, type PooledAgent } from './agent-pool.ts';
import { CallContext } from './call-context.ts';
import { CallFlow, newRunCounters, type RunCounters } from './call-flow.ts';
import { callName } from './call-name.ts';
import { CallRecorder, type RecordingStorage } from './call-recorder.ts';
import { CampaignFactsCache } from './campaign-facts-cache.ts';
import { type CampaignLock, campaignLock } from './campaign-lock.ts';
import { checkConnectionRates } from './connection-rate.ts';
import { type DatabaseRetryPolicy, withDatabaseRetry } from './database-retry.ts';
import { type EngineClock, holdTime } from './engine-clock.ts';
import { LiveCalls } from './live-calls.ts';
import { PacingMemory } from './pacing-memory.ts';
import { type AdoptedCall, type RecoveryReport, reconcileCampaign, recoverCampaign } from './recovery.ts';
import { refusalOf } from './refusal.ts';

/** Real milliseconds between two passes at least (engine time: times the clock's speed). */
const MIN_PASS_GAP_MS = 40;
/** Real milliseconds between two reads of the campaign's status (engine time: times the speed). */
const STATUS_READ_MS = 1000;
/** Engine milliseconds a lead skipped on preview waits before it is offered again. */
const PREVIEW_SKIP_DELAY_MS = 60_000;
/** Real milliseconds between two checks with the server that the campaign lock is still ours. */
const LOCK_VERIFY_MS = 1000;
/** Longest pause (real milliseconds) between passes while the database keeps failing. */
const MAX_FAILURE_BACKOFF_MS = 5000;

export interface RunnerDeps {
  database: Pick<DatabaseHandle, 'db' | 'kind' | 'pool'>;
  telephony: TelephonyPort;
  clock: EngineClock;
  logger: Logger;
  engineId: string;
  /** Where finished recordings are fetched from and stored; without it a recording campaign's recordings fail (alarmed). */
  recordings?: RecordingStorage;
}

export interface RunnerOptions {
  /**
   * Real milliseconds between two passes of the loop. Waited in engine time (times the clock's
   * speed), so that a pass falls at the same engine moments however fast the machine is.
   */
  tickMs?: number;
  /** Engine seconds a claimed contact stays leased without renewal. */
  leaseSeconds?: number;
  /** Lines an agentless campaign keeps busy. */
  agentlessLines?: number;
  /** Resolve `finished` when nothing is left to dial now (tests, demo) instead of waiting for more. */
  stopWhenDone?: boolean;
  /** Engine seconds between two connection-rate checks. */
  alarmCheckSeconds?: number;
  /** How finalizations and agent events are retried on a database fault (real time). */
  databaseRetry?: DatabaseRetryPolicy;
  /** Engine seconds between two saves of the pacer's statistics (default 60). */
  pacingSaveSeconds?: number;
}

export interface RunnerSnapshot {
  campaignId: number;
  counters: RunCounters;
  inFlight: number;
  agents: { loggedIn: number; ready: number; onCall: number; wrapUp: number; paused: number };
  /** Share of logged-in agent time on calls or wrap-up since the start. */
  occupancy: number;
  lastPacing: PacingDecision | null;
}

/**
 * Runs one campaign: recovery, then the dial loop until stopped. Each pass: refresh agents,
 * ask the pacer how many calls, claim that many leads (SKIP LOCKED leases), ask the compliance
 * gate about each, write the dial-log row, originate. Telephony events go to the call flow.
 */
export class CampaignRunner {
  readonly calls = new LiveCalls();
  readonly counters: RunCounters = newRunCounters();
  private definition!: CampaignDefinition;
  private pool!: AgentPool;
  private flow!: CallFlow;
  private recorder: CallRecorder | undefined;
  private stats: PacingStatistics = createStatistics();
  private readonly pacingMemory: PacingMemory;
  private lastPacing: PacingDecision | null = null;
  private predictiveAllowed = true;
  /** Campaign-wide gate facts (abandonment figures included), read at most every 5 engine seconds. */
  private readonly facts: CampaignFactsCache;
  private lastPassAt = -Infinity;
  private status: { status: string; readAt: number } = { status: 'draft', readAt: -Infinity };
  private stopping = false;
  /** Another engine holds the campaign lock: this runner dials nothing until it gets it. */
  private standby = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lock: CampaignLock;
  private lockVerifiedAt = 0;
  /**
   * Set when the database failed under us (or the lock was lost and taken back): before the
   * next dial the runner reconciles the database with the calls it still has.
   */
  private resync = false;
  /** Finalizations the database refused through every retry, run again once it answers. */
  private readonly deferred = new Map<string, { call: CallContext; finalize: () => Promise<void> }>();
  private lastRenewal = 0;
  private lastAlarmCheck = 0;
  private readonly occupancy = { busy: 0, total: 0, lastAt: 0 };
  private readonly log: Logger;
  private readonly db: Kysely<Database>;
  /** Passes of the loop and the real time they took (the engine's own cost). */
  readonly passes = { count: 0, ms: 0 };
  recovery: RecoveryReport | null = null;

  constructor(
    private readonly deps: RunnerDeps,
    readonly campaignId: number,
    private readonly options: RunnerOptions = {},
  ) {
    this.log = deps.logger.child({ campaignId });
    this.db = deps.database.db;
    this.lock = campaignLock(deps.database, campaignId, this.log);
    this.pacingMemory = new PacingMemory(this.db, campaignId, this.log, options.pacingSaveSeconds);
    this.facts = new CampaignFactsCache((now, hold) =>
      loadHeldCampaignGateFacts(this.db, campaignId, now, hold),
    );
  }

  /**
   * Waits for the campaign lock (another engine may run the campaign: this one is its
   * standby), recovers, then runs the loop. Resolves once the loop is running.
   */
  async start(): Promise<void> {
    while (!(await this.lock.tryAcquire())) {
      if (this.stopping) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { definition } = await getCampaignDefinition(this.db, this.campaignId);
    this.definition = definition;
    // Warm from the campaign's saved statistics; the abandonment controller aims at this
    // campaign's own target, not the default.
    this.stats = await this.pacingMemory.load(definition.pacing.targetAbandonRate, this.deps.clock.now());
    const { db, telephony, clock, engineId } = { db: this.db, ...this.deps };
    this.pool = new AgentPool(
      {
        db,
        telephony,
        clock,
        logger: this.log,
        engineId,
        campaignId: this.campaignId,
        wrapUpSeconds: definition.wrapUpSeconds,
        callerId: definition.dialing.callerId,
        ...(this.options.databaseRetry ? { retry: this.options.databaseRetry } : {}),
      },
      {
        wrapUpTimedOut: (agent, attemptId) =>
          void holdTime(this.deps.clock, this.wrapUpTimedOut(agent, attemptId)),
        wrapUpEnded: (seconds) => this.observe({ kind: 'wrap-up', seconds }),
        agentEventLost: () => {
          this.resync = true;
        },
      },
    );
    this.recorder = new CallRecorder({
      db,
      telephony,
      clock,
      logger: this.log,
      campaignId: this.campaignId,
      definition,
      ...(this.deps.recordings ? { storage: this.deps.recordings } : {}),
    });
    this.flow = new CallFlow({
      recorder: this.recorder,
      db,
      telephony,
      clock,
      logger: this.log,
      campaignId: this.campaignId,
      definition,
      pool: this.pool,
      calls: this.calls,
      observe: (o) => this.observe(o),
      counters: this.counters,
      ...(this.options.databaseRetry ? { retry: this.options.databaseRetry } : {}),
      deferFinal: (call, finalize) => this.defer(call, finalize),
    });
    // Each step settles rows one by one and checks before it writes: safe to run again.
    this.recovery = await withDatabaseRetry(
      () =>
        recoverCampaign(
          { db, telephony, logger: this.log, adopt: (call) => this.adopt(call) },
          this.campaignId,
          definition,
          clock.now(),
        ),
      { log: this.log, what: 'recovery', policy: this.options.databaseRetry },
    );
    if (definition.recording.enabled) this.recorder.recoverUnsettled();
    this.log.info({ mode: definition.mode, engineId }, 'campaign runner started');
    this.loop = this.run();
  }

  /** A conversation a previous run connected, still going on: its end is handled like any other. */
  private adopt(adopted: AdoptedCall): void {
    // Recovery is retried on database faults: a call it handed over before is already ours.
    if (this.calls.get(adopted.attemptId)) return;
    const log = this.log.child({ attemptId: adopted.attemptId, contact: adopted.contactId });
    const call = new CallContext(
      adopted.attemptId,
      adopted.dbId,
      adopted.contactId,
      this.campaignId,
      log,
      adopted.answeredAt ?? adopted.connectedAt,
    );
    call.stage = 'connected';
    call.answeredAt = adopted.answeredAt ?? adopted.connectedAt;
    call.connectedAt = adopted.connectedAt;
    call.agentId = adopted.agentId;
    this.calls.add(call);
    log.info({ agentId: adopted.agentId }, 'adopted a conversation still connected to its agent');
  }

  /** Telephony events of this campaign's calls (the engine routes by attempt id). */
  handle(event: TelephonyEvent): boolean {
    if (event.type === 'agent-leg-lost') {
      if (!this.pool?.get(Number(event.agentId))) return false;
      void holdTime(this.deps.clock, this.flow.handle(event));
      return true;
    }
    if (event.type === 'recording-finished') {
      if (!this.recorder?.owns(event)) return false;
      this.recorder.handle(event);
      return true;
    }
    if (!('attemptId' in event)) return false;
    const call = this.calls.get(event.attemptId);
    if (!call) return false;
    // Held per task, not while queued: an earlier task may be waiting on later engine time.
    void call.serial(() => holdTime(this.deps.clock, this.flow.handle(event))).then(() => this.poke());
    return true;
  }

  /**
   * The agent ends a connected call and the customer is asked for a satisfaction score (when the
   * campaign asks for one). False when there is no such call or no survey.
   */
  sendToSatisfaction(attemptId: string): Promise<boolean> {
    const call = this.calls.get(attemptId);
    if (!call) return Promise.resolve(false);
    // Behind the call's events already received (its `connected` may still be queued).
    return holdTime(
      this.deps.clock,
      new Promise<boolean>((resolve) => {
        void call
          .serial(async () => resolve(await this.flow.toSatisfaction(attemptId)))
          .then(() => resolve(false));
      }),
    );
  }

  /** Resolves when the recordings started so far are stored or failed. */
  recordingsSettled(): Promise<void> {
    return this.recorder?.settled() ?? Promise.resolve();
  }

  /** Runs the next pass now (an agent just became free, a call ended). */
  poke(): void {
    this.wake?.();
  }

  /** The loop's promise: resolves when the runner stopped (or finished, with stopWhenDone). */
  get finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /**
   * Stops dialing; live calls finish (their outcomes are recorded), then agent legs are hung
   * up, agents waiting for calls are logged out (one in wrap-up keeps the session: its tag is
   * owed), this engine's leases are released and the campaign lock too.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    const { clock } = this.deps;
    try {
      while (!this.stopping) {
        try {
          const started = performance.now();
          const more = await holdTime(clock, this.pass());
          this.passes.count += 1;
          this.passes.ms += performance.now() - started;
          if (failures > 0) this.log.info({ failures }, 'dial loop running again');
          failures = 0;
          if (!more && this.options.stopWhenDone) break;
        } catch (error) {
          failures += 1;
          if (databaseFault(error) !== undefined) {
            // No dial goes out while the database fails (every dial writes its row first); what
            // is live goes on. Once a pass gets through, the runner reconciles before dialing.
            this.resync = true;
            this.log.warn({ err: error, failures }, 'database unavailable; dialing paused, retrying');
          } else {
            this.log.error({ err: error, failures }, 'dial loop pass failed; retrying');
          }
        }
        const tickMs = this.options.tickMs ?? 100;
        const pause = failures === 0 ? tickMs : Math.min(tickMs * 2 ** failures, MAX_FAILURE_BACKOFF_MS);
        let cancel = () => {};
        await new Promise<void>((resolve) => {
          // Pokes (call events) must not turn a failing loop into a busy one.
          if (failures === 0) this.wake = resolve;
          cancel = clock.after(pause * clock.speed, resolve);
        });
        cancel();
        this.wake = undefined;
        // Pokes come with every call event; passes closer than this would only queue on the database.
        const since = clock.now().getTime() - this.lastPassAt;
        const gap = MIN_PASS_GAP_MS * clock.speed;
        if (since < gap) await clock.sleep(gap - since);
        this.lastPassAt = clock.now().getTime();
      }
      this.log.info({ inFlight: this.calls.size }, 'draining live calls');
      await this.calls.drained();
      await this.settleDeferred();
      await this.pacingMemory
        .save(this.stats, clock.now())
        .catch((error: unknown) => this.log.warn({ err: error }, 'pacer statistics not saved at stop'));
      await this.pool.releaseLegs();
      await this.letGo();
    } finally {
      await this.lock
        .release()
        .catch((error: unknown) => this.log.warn({ err: error }, 'campaign lock release failed'));
      this.log.info({ counters: this.counters }, 'campaign runner stopped');
    }
  }

  /**
   * SIGTERM, after the drain: agents waiting for calls (their phones were just hung up) are
   * logged out, so no session stays `ready` under an engine that is gone; an agent in wrap-up
   * keeps the session (the tag is still owed: the agent's terminal, or the next engine's
   * wrap-up timeout, settles it). Every contact this engine still holds is released
   * (releaseEngineLeases). Failures are logged: leases run out by themselves anyway.
   */
  private async letGo(): Promise<void> {
    try {
      await this.pool.sync();
      for (const agent of this.pool.all()) {
        if (['ready', 'paused', 'logging_in'].includes(agent.state.kind))
          await this.pool.tryApply(agent, { type: 'logout' });
      }
      const released = await releaseEngineLeases(
        this.db,
        this.campaignId,
        this.deps.engineId,
        this.deps.clock.now(),
      );
      this.log.info({ released }, 'agent sessions closed and contacts released');
    } catch (error) {
      this.log.warn({ err: error }, 'could not close sessions or release contacts at stop');
    }
  }

  /** A finalization the database refused through every retry: kept until it answers again. */
  private defer(call: CallContext, finalize: () => Promise<void>): void {
    call.log.warn('call not finalized while the database is unavailable; kept to finalize later');
    this.deferred.set(call.attemptId, { call, finalize });
    this.resync = true;
  }

  /** Runs the deferred finalizations; a database fault leaves the rest for the next pass. */
  private async flushDeferred(): Promise<void> {
    for (const [attemptId, { call, finalize }] of this.deferred) {
      try {
        await finalize();
        this.deferred.delete(attemptId);
        call.log.info('deferred finalization done');
      } catch (error) {
        if (databaseFault(error) !== undefined) throw error;
        // Not the database's availability: the reconciliation below closes the row instead.
        this.deferred.delete(attemptId);
        call.log.error({ err: error }, 'deferred finalization failed; reconciling the row');
      }
    }
  }

  /** At the end of a run: the deferred finalizations get the usual retries, then recovery's turn. */
  private async settleDeferred(): Promise<void> {
    if (this.deferred.size === 0) return;
    await withDatabaseRetry(() => this.flushDeferred(), {
      log: this.log,
      what: 'deferred finalizations',
      policy: this.options.databaseRetry,
    }).catch((error: unknown) =>
      this.log.error(
        { err: error, left: this.deferred.size },
        'calls left open while the database is unavailable; the next start recovers them',
      ),
    );
  }

  /**
   * The campaign lock, checked before anything is dialed. A lock whose connection died is gone
   * (PostgreSQL released it): the runner stops dialing at once and takes it again if it is free,
   * then reconciles; if another engine took it, this one is its standby and dials nothing.
   */
  private async holdLock(): Promise<boolean> {
    if (this.lock.held && performance.now() - this.lockVerifiedAt >= LOCK_VERIFY_MS) {
      await this.lock.verify();
      this.lockVerifiedAt = performance.now();
    }
    if (this.lock.held) return true;
    const acquired = await this.lock.tryAcquire();
    if (!acquired) {
      if (!this.standby) this.log.warn('campaign lock held by another engine; not dialing');
      this.standby = true;
      return false;
    }
    this.log.warn('campaign lock taken again; reconciling before dialing');
    this.standby = false;
    this.lockVerifiedAt = performance.now();
    this.resync = true;
    return true;
  }

  /**
   * After a database outage or a lost lock: deferred finalizations first, then the database is
   * brought in line with the calls this runner still has (recovery.ts, keeping live calls).
   */
  private async reconcile(now: Date): Promise<void> {
    await this.flushDeferred();
    const report = await reconcileCampaign(
      { db: this.db, telephony: this.deps.telephony, logger: this.log },
      this.campaignId,
      this.definition,
      now,
      // A call deferred meanwhile (a finalization under way as this ran) is still ours too.
      new Set([...this.calls.all().map((c) => c.attemptId), ...this.deferred.keys()]),
    );
    this.resync = false;
    // Whatever was cached may be stale: read it afresh.
    this.status = { status: this.status.status, readAt: -Infinity };
    this.facts.invalidate();
    this.log.info({ ...report }, 'reconciled after the database came back');
  }

  /** One pass of the loop. Returns false when the campaign has nothing left to do now. */
  private async pass(): Promise<boolean> {
    if (!(await this.holdLock())) return !this.stopping;
    const now = this.deps.clock.now();
    if (this.resync) await this.reconcile(now);
    await this.pool.sync();
    this.trackOccupancy(now);
    await this.flow.serveWaiting();
    if (now.getTime() - this.lastRenewal > ((this.options.leaseSeconds ?? 120) * 1000) / 3) {
      this.lastRenewal = now.getTime();
      await renewLeases(this.db, {
        campaignId: this.campaignId,
        engineId: this.deps.engineId,
        now,
        leaseSeconds: this.options.leaseSeconds ?? 120,
      });
      // Renewal skips contacts no call or preview holds: once their lease runs out they go back.
      await releaseExpiredLeases(this.db, this.campaignId, now);
    }
    if (now.getTime() - this.lastAlarmCheck > (this.options.alarmCheckSeconds ?? 60) * 1000) {
      this.lastAlarmCheck = now.getTime();
      await checkConnectionRates({ db: this.db, logger: this.log }, this.campaignId, this.definition, now);
    }
    // A manager's pause or stop (another process) is seen within a second.
    if (now.getTime() - this.status.readAt > STATUS_READ_MS * this.deps.clock.speed) {
      this.status = { status: await campaignStatus(this.db, this.campaignId), readAt: now.getTime() };
    }
    const status = this.status;
    if (status.status === 'stopped' || status.status === 'finished') {
      this.stopping = true;
      return false;
    }
    // Paused (or not started): nothing is launched and nothing is asked of the database; the
    // campaign waits for its manager (start or stop), even under stopWhenDone.
    if (status.status !== 'running') return true;
    if (this.definition.mode === 'preview') await this.previewPass(now);
    else await this.launch(await this.howMany(now), now);
    if (this.definition.mode === 'predictive') await this.pacingMemory.saveIfDue(this.stats, now);
    // Only stopWhenDone reads the answer: a runner that runs until stopped asks nothing.
    return this.options.stopWhenDone ? this.hasWork(now) : true;
  }

  /** Anything live, due or held? Memory first, then two indexed existence probes. */
  private async hasWork(now: Date): Promise<boolean> {
    if (this.calls.size > 0) return true;
    if (this.pool.all().some((a) => a.state.kind === 'wrap_up' || a.state.kind === 'on_call')) return true;
    return campaignHasWork(this.db, this.campaignId, now);
  }

  private async howMany(now: Date): Promise<number> {
    if (this.definition.mode === 'agentless') {
      return Math.max(0, (this.options.agentlessLines ?? 10) - this.calls.size);
    }
    const agents = this.pool.all().filter((a) => a.legUp);
    const busy = agents
      .filter((a) => a.state.kind === 'on_call' || a.state.kind === 'wrap_up')
      .map((a) => ({
        phase: a.state.kind === 'on_call' ? ('talking' as const) : ('wrap-up' as const),
        elapsedSeconds: Math.max(0, (now.getTime() - a.session.state_since.getTime()) / 1000),
      }));
    // The same figures the gate judges by: never below the true rate (CampaignFactsCache).
    const { abandonment } = (await this.facts.get(now)).campaignFacts;
    const decision = decideLaunches({
      mode: this.definition.mode === 'predictive' ? 'predictive' : 'progressive',
      state: {
        agentsReady: agents.filter((a) => a.state.kind === 'ready').length,
        agentsBusy: busy,
        callsInFlight: this.flow.inFlight(now),
      },
      stats: this.stats,
      config: {
        ...this.definition.pacing,
        connectWithinSeconds: this.definition.abandon.connectWithinSeconds,
      },
      // As the campaign's abandonment definition counts (engine/compliance/abandonment.ts).
      abandonment: pacerAbandonment(abandonment, this.definition),
      predictiveAllowed: this.predictiveAllowed,
    });
    this.lastPacing = decision;
    return decision.launch;
  }

  /** Claims `count` leads, asks the gate about each, dials the allowed ones. */
  private async launch(count: number, now: Date): Promise<void> {
    if (count <= 0) return;
    const readyAgentIds = this.pool.free().map((a) => a.agentId);
    const leads = await claimLeads(this.db, {
      campaignId: this.campaignId,
      engineId: this.deps.engineId,
      limit: count,
      now,
      leaseSeconds: this.options.leaseSeconds ?? 120,
      readyAgentIds,
    });
    if (leads.length === 0) return;
    const facts = await loadGateFacts(
      this.db,
      this.campaignId,
      leads.map((l) => l.id),
      now,
      { campaign: await this.facts.get(now) },
    );
    for (const lead of leads) {
      if (!this.lock.held || this.stopping) {
        // The lock went while this pass ran: not one more dial. The contact goes back now, or
        // when its lease runs out if the database does not answer.
        await releaseLead(this.db, lead.id, this.deps.engineId, { status: 'ready', now }).catch(
          (error: unknown) => this.log.warn({ err: error, contact: lead.id }, 'claimed contact not released'),
        );
        continue;
      }
      const input = gateInputFor(facts, lead.id, now);
      const decision = input ? evaluateGate(input) : null;
      if (decision) this.predictiveAllowed = decision.predictiveAllowed;
      if (!decision?.allowed) {
        await this.refuse(lead, decision, now);
        continue;
      }
      let agent: PooledAgent | undefined;
      const attemptId = this.newAttemptId(lead.id);
      if (lead.callback_agent_id !== null) {
        // A personal callback: its agent is held for this very call before it is dialed.
        agent = await this.pool.reserveFree(attemptId, lead.id, lead.callback_agent_id);
        if (!agent) {
          // The agent was taken meanwhile: try again on a later pass.
          await releaseLead(this.db, lead.id, this.deps.engineId, { status: 'ready', now });
          continue;
        }
      }
      try {
        await this.dial(lead, decision, now, agent ?? null, attemptId);
      } catch (error) {
        // Before the call existed (the dial-log row or the contact could not be written): the
        // agent held for it is free again; the contact's lease runs out and it returns.
        if (agent) await this.pool.tryApply(agent, { type: 'release' });
        throw error;
      }
    }
  }

  /** The gate said no: the contact goes back with the gate's verdict (and its reasons logged). */
  private async refuse(lead: ClaimedLead, decision: GateDecision | null, now: Date): Promise<void> {
    const disposition = decision?.disposition ?? 'hold';
    const { status, nextAttemptAt, codes } = refusalOf(decision, now);
    await releaseLead(this.db, lead.id, this.deps.engineId, {
      status,
      nextAttemptAt,
      reason: codes.join(','),
      now,
    });
    await recordGateRefusal(this.db, {
      at: now,
      campaignId: this.campaignId,
      contactId: lead.id,
      phoneE164: lead.phone_e164,
      disposition,
      codes,
      engineId: this.deps.engineId,
    }).catch((error: unknown) => this.log.warn({ err: error }, 'gate denial not recorded'));
  }

  /** The attempt id is the customer channel id: it carries this engine's identity. */
  private newAttemptId(contactId: number): string {
    return this.deps.telephony.newCallId(callName(this.campaignId, contactId));
  }

  /** Dial-log row first, then the originate. `agent` is already held for this call (callback, preview). */
  async dial(
    lead: ClaimedLead,
    decision: GateDecision,
    now: Date,
    agent: PooledAgent | null,
    attemptId: string = this.newAttemptId(lead.id),
  ): Promise<void> {
    const row = await createAttempt(this.db, {
      campaignId: this.campaignId,
      contactId: lead.id,
      phoneE164: lead.phone_e164,
      channelId: attemptId,
      engineId: this.deps.engineId,
      agentId: agent?.agentId ?? null,
      gateReasons: gateReasonsForLog(decision),
      queuedAt: now,
      // The line the originate presents: frequency rules counted per caller number count by it.
      callerNumber: callerNumberOf(this.definition.dialing.callerId),
    });
    await countLeadAttempt(this.db, lead.id, now);
    // Under a key the logger leaves as it is (the value is the mask): `phone` is for full numbers.
    const log = this.log.child({ attemptId, contact: lead.id, phoneMasked: maskPhone(lead.phone_e164) });
    const call = new CallContext(attemptId, row.id, lead.id, this.campaignId, log, now);
    const recording = recordingNoticeFor(this.definition, lead.phone_e164);
    call.recordingNotice = recording.notice;
    call.recordingWithheld = recording.withheld;
    if (agent) {
      call.agentId = agent.agentId;
      call.preReserved = true;
      if (agent.state.kind === 'reserved' && agent.state.preview) {
        await this.pool.tryApply(agent, { type: 'preview_accepted', attemptId });
      }
    }
    this.calls.add(call);
    this.counters.dialed += 1;
    const dialing = this.definition.dialing;
    // The originate waits for the trunk's limits and Asterisk's answer: it runs in the call's own
    // queue (its events wait behind it) so that the loop can launch the next call meanwhile. Any
    // failure from here on, the dial-log update included, ends in originateFailed, which always
    // takes the call off the live list (a call left there would hold a SIGTERM drain forever).
    void call.serial(() =>
      holdTime(
        this.deps.clock,
        (async () => {
          try {
            await updateAttempt(this.db, row.id, {
              status: 'originating',
              originatedAt: this.deps.clock.now(),
            });
            await this.deps.telephony.originate({
              attemptId,
              endpoint: dialing.endpointTemplate.replace('{number}', lead.phone_e164),
              callerId: dialing.callerId,
              ringTimeoutSeconds: dialing.ringTimeoutSeconds,
              trunk: dialing.trunk,
              ...(dialing.amd.enabled ? { amd: { context: dialing.amd.context } } : {}),
              variables: {
                DIALER_CAMPAIGN: String(this.campaignId),
                DIALER_ATTEMPT: String(row.id),
                // Sounds played to the customer come from sounds/<language>/ (the message's language).
                'CHANNEL(language)': this.definition.abandon.language,
              },
            });
          } catch (error) {
            log.warn({ err: error }, 'originate failed');
            await this.originateFailed(call, lead.id, agent);
          }
        })(),
      ),
    );
  }

  private async originateFailed(
    call: CallContext,
    contactId: number,
    agent: PooledAgent | null,
  ): Promise<void> {
    if (call.stage === 'ended') return;
    call.dispose();
    const now = this.deps.clock.now();
    let tries = 0;
    const finalize = (again: boolean) =>
      this.db.transaction().execute(async (trx) => {
        // A try whose commit went through before the connection died: nothing left to do.
        if (again && (await getAttempt(trx, call.dbId)).finalized_at !== null) return;
        await finalizeAttempt(trx, call.dbId, { result: 'failed', finalizedAt: now, endedAt: now });
        await recordCallOutcome(trx, {
          definition: this.definition,
          campaignId: this.campaignId,
          contactId,
          attemptId: call.dbId,
          agentId: null,
          outcome: { tag: 'failed', detail: 'originate refused' },
          recordedBy: 'engine',
          now,
        });
      });
    try {
      await withDatabaseRetry(() => finalize(tries++ > 0), {
        log: call.log,
        what: 'recording the failed originate',
        policy: this.options.databaseRetry,
      });
    } catch (error) {
      // Nothing went out. A database that stays away: finalized once it answers again.
      if (databaseFault(error) !== undefined) this.defer(call, () => finalize(true));
      else call.log.error({ err: error }, 'could not record the failed originate; recovery will');
    } finally {
      this.calls.remove(call.attemptId);
      if (agent) await this.pool.tryApply(agent, { type: 'release' });
    }
  }

  /** Preview: each free agent gets one lead on screen; dial on accept, put back on skip. */
  private async previewPass(now: Date): Promise<void> {
    for (const agent of this.pool.all()) {
      // The lock went while this pass ran: the accepted preview is dialed once it is back.
      if (!this.lock.held) return;
      const state = agent.state;
      if (state.kind !== 'reserved' || !state.preview || state.contactId === null) continue;
      // The agent's decision, or the campaign's once the preview has been on screen too long
      // (the screen was shown when the reservation began: the session's state_since).
      const decided = previewDecisionNow(
        this.definition.preview,
        (agent.session.state_data as { decision?: string }).decision,
        agent.session.state_since,
        now,
      );
      if (!decided) continue;
      const { decision, timedOut } = decided;
      const contactId = state.contactId;
      if (timedOut) {
        this.log.info(
          { agent: agent.code, contactId, decision },
          'preview not decided in time; the campaign decides',
        );
      }
      if (decision === 'skip') {
        // Back in the queue, a little later, so that the next preview shows somebody else.
        await releaseLead(this.db, contactId, this.deps.engineId, {
          status: 'ready',
          now,
          nextAttemptAt: new Date(now.getTime() + PREVIEW_SKIP_DELAY_MS),
          reason: timedOut ? 'preview_timed_out' : 'preview_skipped',
        });
        await this.pool.tryApply(agent, { type: 'release' });
        continue;
      }
      const claimed = await getPreviewLead(this.db, contactId);
      const facts = await loadGateFacts(this.db, this.campaignId, [contactId], now, {
        campaign: await this.facts.get(now),
      });
      const input = gateInputFor(facts, contactId, now);
      const gate = input ? evaluateGate(input) : null;
      if (!claimed || !gate?.allowed) {
        if (claimed) await this.refuse(claimed, gate, now);
        await this.pool.tryApply(agent, { type: 'release' });
        continue;
      }
      await this.dial(claimed, gate, now, agent);
    }
    for (const agent of this.pool.free()) {
      const [lead] = await claimLeads(this.db, {
        campaignId: this.campaignId,
        engineId: this.deps.engineId,
        limit: 1,
        now,
        leaseSeconds: this.options.leaseSeconds ?? 120,
        readyAgentIds: [agent.agentId],
      });
      if (!lead) return;
      const reserved = await this.pool.tryApply(agent, {
        type: 'reserve',
        attemptId: null,
        contactId: lead.id,
        preview: true,
      });
      if (!reserved) await releaseLead(this.db, lead.id, this.deps.engineId, { status: 'ready', now });
    }
  }

  private async wrapUpTimedOut(agent: PooledAgent, attemptId: string): Promise<void> {
    const now = this.deps.clock.now();
    try {
      const recorded = await this.recordMissingOutcome(agent, attemptId, now);
      await this.pool.tryApply(agent, { type: 'wrap_up_timeout', attemptId });
      if (recorded)
        this.log.warn(
          { agent: agent.code, attemptId },
          'no outcome by the wrap-up timeout; recorded as such',
        );
      this.poke();
    } catch (error) {
      // The session is still in wrap-up past its deadline: the pool's next sync arms the timer
      // again (at once), so this is tried again until the database answers.
      this.log.error({ err: error, agent: agent.code }, 'wrap-up timeout handling failed');
    }
  }

  /**
   * Records `no_outcome` for a call the agent did not tag by the deadline; false when the agent
   * did tag it, also when the tag commits between the check and the insert (the unique outcome
   * per attempt refuses ours: the agent was in time, nothing is missing, nothing to log).
   */
  private async recordMissingOutcome(agent: PooledAgent, attemptId: string, now: Date): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const attempt = await getChannelAttempt(trx, attemptId);
        // The agent's tag won the race: nothing is missing.
        if (await attemptHasOutcome(trx, attempt.id)) return false;
        await recordCallOutcome(trx, {
          definition: this.definition,
          campaignId: this.campaignId,
          contactId: attempt.contactId,
          attemptId: attempt.id,
          agentId: agent.agentId,
          outcome: { tag: 'no_outcome' },
          recordedBy: 'engine:wrap_up_timeout',
          now,
        });
        return true;
      });
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  private observe(observation: PacingObservation): void {
    this.stats = updateStatistics(this.stats, observation);
    // The call flow reports an abandon before its dial-log row says so: the gate's figures
    // count it from this moment (the cache adds each call once, by its row id).
    if (observation.kind === 'abandoned') {
      for (const call of this.calls.all()) if (call.verdict?.abandoned) this.facts.abandoned(call.dbId);
    }
  }

  private trackOccupancy(now: Date): void {
    const t = now.getTime();
    if (this.occupancy.lastAt > 0) {
      const dt = t - this.occupancy.lastAt;
      const agents = this.pool.all().filter((a) => a.legUp);
      const busy = agents.filter(
        (a) =>
          a.state.kind === 'on_call' ||
          a.state.kind === 'wrap_up' ||
          (a.state.kind === 'reserved' && !a.state.preview),
      ).length;
      this.occupancy.busy += busy * dt;
      this.occupancy.total += agents.filter((a) => a.state.kind !== 'paused').length * dt;
    }
    this.occupancy.lastAt = t;
  }

  snapshot(): RunnerSnapshot {
    const agents = this.pool?.all() ?? [];
    const count = (kind: string) => agents.filter((a) => a.state.kind === kind).length;
    return {
      campaignId: this.campaignId,
      counters: { ...this.counters },
      inFlight: this.calls.size,
      agents: {
        loggedIn: agents.length,
        ready: count('ready'),
        onCall: count('on_call'),
        wrapUp: count('wrap_up'),
        paused: count('paused'),
      },
      occupancy: this.occupancy.total > 0 ? this.occupancy.busy / this.occupancy.total : 0,
      lastPacing: this.lastPacing,
    };
  }
}

/** The window's figures as the campaign's definition counts them, for the pacer's window guard. */
function pacerAbandonment(
  counts: AbandonmentCounts,
  definition: CampaignDefinition,
): { abandoned: number; humanAnswered: number } {
  const f = abandonmentFigures(counts, campaignAbandonmentDefinition(definition));
  return { abandoned: f.abandoned, humanAnswered: f.answered };
}
