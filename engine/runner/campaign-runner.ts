import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { DatabaseHandle } from '../../db/connect.ts';
import { getCampaignDefinition } from '../../db/queries/campaigns.ts';
import { createAttempt, finalizeAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import { gateInputFor, loadCampaignGateFacts, loadGateFacts } from '../../db/queries/gate-facts.ts';
import {
  type ClaimedLead,
  claimLeads,
  leadCounts,
  releaseExpiredLeases,
  releaseLead,
  renewLeases,
} from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';
import { recordCallOutcome } from '../agents/call-outcome.ts';
import { evaluateGate, type GateDecision, gateReasonsForLog } from '../compliance/gate.ts';
import {
  createStatistics,
  decideLaunches,
  type PacingDecision,
  type PacingObservation,
  type PacingStatistics,
  updateStatistics,
} from '../pacing/pacer.ts';
import type { Logger } from '../platform/logger.ts';
import { maskPhone } from '../platform/mask-phone.ts';
import type { TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import { AgentPool, type PooledAgent } from './agent-pool.ts';
import { CallContext } from './call-context.ts';
import { CallFlow, newRunCounters, type RunCounters } from './call-flow.ts';
import { type CampaignLock, campaignLock } from './campaign-lock.ts';
import { checkConnectionRates } from './connection-rate.ts';
import { type EngineClock, holdTime } from './engine-clock.ts';
import { LiveCalls } from './live-calls.ts';
import { type RecoveryReport, recoverCampaign } from './recovery.ts';
import { refusalOf } from './refusal.ts';

/** Real milliseconds between two passes at least (engine time: times the clock's speed). */
const MIN_PASS_GAP_MS = 40;
/** Real milliseconds between two reads of the campaign's status (engine time: times the speed). */
const STATUS_READ_MS = 1000;
/** Engine milliseconds a lead skipped on preview waits before it is offered again. */
const PREVIEW_SKIP_DELAY_MS = 60_000;

export interface RunnerDeps {
  database: Pick<DatabaseHandle, 'db' | 'kind' | 'pool'>;
  telephony: TelephonyPort;
  clock: EngineClock;
  logger: Logger;
  engineId: string;
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
  private stats: PacingStatistics = createStatistics();
  private lastPacing: PacingDecision | null = null;
  private predictiveAllowed = true;
  private abandonment: { at: number; abandoned: number; humanAnswered: number } | undefined;
  private lastPassAt = -Infinity;
  private status: { status: string; readAt: number } = { status: 'draft', readAt: -Infinity };
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lock: CampaignLock;
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
    this.lock = campaignLock(deps.database, campaignId);
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
    // The pacer's abandonment controller aims at this campaign's own target, not the default.
    this.stats = createStatistics({ targetAbandonRate: definition.pacing.targetAbandonRate });
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
      },
      {
        wrapUpTimedOut: (agent, attemptId) =>
          void holdTime(this.deps.clock, this.wrapUpTimedOut(agent, attemptId)),
        wrapUpEnded: (seconds) => this.observe({ kind: 'wrap-up', seconds }),
      },
    );
    this.flow = new CallFlow({
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
    });
    this.recovery = await recoverCampaign(
      { db, telephony, logger: this.log },
      this.campaignId,
      definition,
      clock.now(),
    );
    this.log.info({ mode: definition.mode, engineId }, 'campaign runner started');
    this.loop = this.run();
  }

  /** Telephony events of this campaign's calls (the engine routes by attempt id). */
  handle(event: TelephonyEvent): boolean {
    if (event.type === 'agent-leg-lost') {
      if (!this.pool?.get(Number(event.agentId))) return false;
      void holdTime(this.deps.clock, this.flow.handle(event));
      return true;
    }
    if (!('attemptId' in event)) return false;
    const call = this.calls.get(event.attemptId);
    if (!call) return false;
    // Held per task, not while queued: an earlier task may be waiting on later engine time.
    void call.serial(() => holdTime(this.deps.clock, this.flow.handle(event))).then(() => this.poke());
    return true;
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
   * up and the campaign lock is released. Agent sessions stay open for the next run.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { clock } = this.deps;
    try {
      while (!this.stopping) {
        try {
          const started = performance.now();
          const more = await holdTime(clock, this.pass());
          this.passes.count += 1;
          this.passes.ms += performance.now() - started;
          if (!more && this.options.stopWhenDone) break;
        } catch (error) {
          this.log.error({ err: (error as Error).message }, 'dial loop pass failed; retrying');
        }
        let cancel = () => {};
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          cancel = clock.after((this.options.tickMs ?? 100) * clock.speed, resolve);
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
      await this.pool.releaseLegs();
    } finally {
      await this.lock.release().catch(() => {});
      this.log.info({ counters: this.counters }, 'campaign runner stopped');
    }
  }

  /** One pass of the loop. Returns false when the campaign has nothing left to do now. */
  private async pass(): Promise<boolean> {
    const now = this.deps.clock.now();
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
      const row = await this.db
        .selectFrom('campaigns')
        .select('status')
        .where('id', '=', this.campaignId)
        .executeTakeFirstOrThrow();
      this.status = { status: row.status, readAt: now.getTime() };
    }
    const status = this.status;
    if (status.status === 'stopped' || status.status === 'finished') {
      this.stopping = true;
      return false;
    }
    if (status.status === 'running') {
      if (this.definition.mode === 'preview') await this.previewPass(now);
      else await this.launch(await this.howMany(now), now);
    }
    return this.hasWork(now);
  }

  private async hasWork(now: Date): Promise<boolean> {
    if (this.calls.size > 0) return true;
    if (this.pool.all().some((a) => a.state.kind === 'wrap_up' || a.state.kind === 'on_call')) return true;
    const counts = await leadCounts(this.db, this.campaignId, now);
    return counts.due > 0 || counts.inProgress > 0;
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
    // The 30-day abandonment figures move slowly: read them at most every few engine seconds.
    if (!this.abandonment || now.getTime() - this.abandonment.at > 5000) {
      const facts = await loadCampaignGateFacts(this.db, this.campaignId, now);
      this.abandonment = { at: now.getTime(), ...facts.campaignFacts.abandonment };
    }
    const abandonment = this.abandonment;
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
      abandonment: { abandoned: abandonment.abandoned, humanAnswered: abandonment.humanAnswered },
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
    );
    for (const lead of leads) {
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
        if (agent) await this.pool.tryApply(agent, { type: 'release' }).catch(() => {});
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
    await this.db
      .insertInto('gate_denials')
      .values({
        at: now,
        campaign_id: this.campaignId,
        contact_id: lead.id,
        phone_e164: lead.phone_e164,
        disposition,
        codes,
        engine_id: this.deps.engineId,
      })
      .execute()
      .catch((error: unknown) =>
        this.log.debug({ err: (error as Error).message }, 'gate denial not recorded'),
      );
  }

  private newAttemptId(contactId: number): string {
    return `c${this.campaignId}-k${contactId}-${randomBytes(5).toString('hex')}`;
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
    });
    await this.db
      .updateTable('contacts')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_attempt_at: now }))
      .where('id', '=', lead.id)
      .execute();
    const log = this.log.child({ attemptId, contact: lead.id, phone: maskPhone(lead.phone_e164) });
    const call = new CallContext(attemptId, row.id, lead.id, this.campaignId, log, now);
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
              variables: { DIALER_CAMPAIGN: String(this.campaignId), DIALER_ATTEMPT: String(row.id) },
            });
          } catch (error) {
            log.warn({ err: (error as Error).message }, 'originate failed');
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
    try {
      await this.db.transaction().execute(async (trx) => {
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
    } catch (error) {
      // The row stays open: the next start's recovery finalizes it. Nothing went out.
      call.log.error(
        { err: (error as Error).message },
        'could not record the failed originate; recovery will',
      );
    } finally {
      this.calls.remove(call.attemptId);
      if (agent) await this.pool.tryApply(agent, { type: 'release' }).catch(() => {});
    }
  }

  /** Preview: each free agent gets one lead on screen; dial on accept, put back on skip. */
  private async previewPass(now: Date): Promise<void> {
    for (const agent of this.pool.all()) {
      const state = agent.state;
      if (state.kind !== 'reserved' || !state.preview || state.contactId === null) continue;
      const decision = (agent.session.state_data as { decision?: string }).decision;
      if (!decision) continue;
      const contactId = state.contactId;
      if (decision === 'skip') {
        // Back in the queue, a little later, so that the next preview shows somebody else.
        await releaseLead(this.db, contactId, this.deps.engineId, {
          status: 'ready',
          now,
          nextAttemptAt: new Date(now.getTime() + PREVIEW_SKIP_DELAY_MS),
          reason: 'preview_skipped',
        });
        await this.pool.tryApply(agent, { type: 'release' });
        continue;
      }
      const lead = await this.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', contactId)
        .executeTakeFirst();
      const facts = await loadGateFacts(this.db, this.campaignId, [contactId], now);
      const input = gateInputFor(facts, contactId, now);
      const gate = input ? evaluateGate(input) : null;
      const claimed = lead ? { ...lead, callback_id: null, callback_agent_id: null } : null;
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
      const recorded = await this.db.transaction().execute(async (trx) => {
        const attempt = await trx
          .selectFrom('call_attempts')
          .select(['id', 'contact_id'])
          .where('channel_id', '=', attemptId)
          .executeTakeFirstOrThrow();
        const hasOutcome = await trx
          .selectFrom('outcomes')
          .select('id')
          .where('attempt_id', '=', attempt.id)
          .executeTakeFirst();
        // The agent's tag won the race: nothing is missing.
        if (hasOutcome) return false;
        await recordCallOutcome(trx, {
          definition: this.definition,
          campaignId: this.campaignId,
          contactId: attempt.contact_id,
          attemptId: attempt.id,
          agentId: agent.agentId,
          outcome: { tag: 'no_outcome' },
          recordedBy: 'engine:wrap_up_timeout',
          now,
        });
        return true;
      });
      await this.pool.tryApply(agent, { type: 'wrap_up_timeout', attemptId });
      if (recorded)
        this.log.warn(
          { agent: agent.code, attemptId },
          'no outcome by the wrap-up timeout; recorded as such',
        );
      this.poke();
    } catch (error) {
      this.log.error({ err: (error as Error).message, agent: agent.code }, 'wrap-up timeout handling failed');
    }
  }

  private observe(observation: PacingObservation): void {
    this.stats = updateStatistics(this.stats, observation);
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
