import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { Outcome } from '../../campaigns/outcomes/outcome-schema.ts';
import { databaseFault } from '../../db/pg-error.ts';
import { finalizeAttempt, getAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import type { Database } from '../../db/schema.ts';
import { recordCallOutcome } from '../agents/call-outcome.ts';
import {
  answerObservation,
  type CallMoments,
  callInFlight,
  endBeforeVerdictObservation,
} from '../pacing/live-inputs.ts';
import type { PacingObservation } from '../pacing/pacer.ts';
import type { Logger } from '../platform/logger.ts';
import { isTelephonyError } from '../telephony/errors.ts';
import type { CallOutcome, TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import { abandonClockStart } from './abandon-clock.ts';
import type { AgentPool, PooledAgent } from './agent-pool.ts';
import { BRIDGE_ENTRY_TIMEOUT_MS, BRIDGE_NOT_ENTERED } from './bridge-entry.ts';
import type { CallContext } from './call-context.ts';
import type { CallRecorder } from './call-recorder.ts';
import { type DatabaseRetryPolicy, withDatabaseRetry } from './database-retry.ts';
import { awaitLater, type EngineClock, holdTime } from './engine-clock.ts';
import { hangUpCustomer } from './hang-up.ts';
import { ivrOutcome } from './ivr-outcome.ts';
import type { LiveCalls } from './live-calls.ts';
import { playRecordingNotice } from './recording-notice.ts';
import { runSatisfactionSurvey } from './satisfaction-survey.ts';

type HangupEvent = Extract<TelephonyEvent, { type: 'hangup' }>;

/** The engine outcome of a call that ended without reaching anybody, by its telephony fate. */
export function outcomeOfHangup(outcome: CallOutcome): Outcome {
  switch (outcome) {
    case 'busy':
    case 'rejected':
      return { tag: 'busy' };
    case 'no_answer':
      return { tag: 'no_answer' };
    case 'congestion':
      return { tag: 'congestion' };
    case 'invalid_number':
    case 'no_route':
      return { tag: 'invalid_number' };
    case 'answered':
      return { tag: 'hung_up' };
    default:
      return { tag: 'failed', detail: outcome };
  }
}

export interface CallFlowDeps {
  db: Kysely<Database>;
  telephony: TelephonyPort;
  clock: EngineClock;
  logger: Logger;
  campaignId: number;
  definition: CampaignDefinition;
  pool: AgentPool;
  calls: LiveCalls;
  observe(observation: PacingObservation): void;
  /** Counts for the live view and the summary. */
  counters: RunCounters;
  /** How finalizing a call is retried on a database fault (default: DEFAULT_DATABASE_RETRY). */
  retry?: DatabaseRetryPolicy;
  /**
   * A call whose finalization failed through every retry because the database stayed away: the
   * runner runs `finalize` again once the database answers (the contact stays held till then).
   */
  deferFinal?(call: CallContext, finalize: () => Promise<void>): void;
  /** The dial-log update (default db/queries/dial-log.ts); replaceable to test a slow database. */
  updateAttempt?: typeof updateAttempt;
  /** Records connected (agentless: answered) calls when the campaign records. */
  recorder?: CallRecorder;
}

/** What the dial-log row of a call has learnt, written in the background and again when sealed. */
type AttemptPatch = Parameters<typeof updateAttempt>[2];

/** Attempts of one background dial-log write before it is left to the sealing of the row. */
const WRITE_RETRY: DatabaseRetryPolicy = { attempts: 5, firstDelayMs: 100, maxDelayMs: 800 };

export interface RunCounters {
  dialed: number;
  answered: number;
  humanAnswered: number;
  connected: number;
  abandoned: number;
  machines: number;
  ended: number;
}

/** A run's counters before its first call. */
export function newRunCounters(): RunCounters {
  return { dialed: 0, answered: 0, humanAnswered: 0, connected: 0, abandoned: 0, machines: 0, ended: 0 };
}

/**
 * What happens to one customer call after the originate: the answer (machine, IVR, or a person
 * routed to an agent within the connect time, else the identification message and an abandon),
 * and the end (dial-log row finalized, with the engine's outcome in the same transaction when
 * no agent took the call). People waiting for an agent queue here, first come first served.
 */
export class CallFlow {
  private readonly waiting: CallContext[] = [];
  /** Calls whose bridge to the agent already failed once (retried once only). */
  private readonly bridgeRetried = new WeakSet<CallContext>();
  /** Per call: the cancel of its pending bridge-entry watch (a connect not yet seen in the bridge). */
  private readonly bridgeEntryWatch = new WeakMap<CallContext, () => void>();
  /**
   * Per call: its dial-log writes in order (the next starts when the previous is done), and
   * everything they carried, which the sealing writes again, so a write that failed loses
   * nothing. The 2-second path never waits on them.
   */
  private readonly writes = new WeakMap<CallContext, { chain: Promise<void>; learnt: AttemptPatch }>();

  constructor(private readonly d: CallFlowDeps) {}

  async handle(event: TelephonyEvent): Promise<void> {
    if (event.type === 'agent-leg-lost') return this.agentLegLost(Number(event.agentId));
    if (event.type === 'connection' || event.type === 'recording-finished') return;
    const call = this.d.calls.get(event.attemptId);
    if (!call) return;
    switch (event.type) {
      case 'ringing':
        if (call.stage === 'originating') {
          call.stage = 'ringing';
          this.write(call, { status: 'ringing' });
        }
        return;
      case 'line-answered':
        // AMD is listening: the pacer sees the call as classifying from now on (inFlight).
        if (!call.lineAnsweredAt && !call.answeredAt) call.lineAnsweredAt = event.at;
        return;
      case 'answered':
        return this.answered(call, event.at, event.amd ?? null, event.sipAnsweredAt ?? event.at);
      case 'connected':
        this.stopBridgeEntryWatch(call);
        call.stage = 'connected';
        call.connectedAt = event.at;
        this.d.counters.connected += 1;
        this.write(call, { status: 'connected', connectedAt: event.at, agentId: call.agentId });
        this.d.recorder?.callConnected(call);
        return;
      case 'hangup':
        return this.ended(call, event);
      case 'customer-left-bridge':
        this.stopBridgeEntryWatch(call);
        if (event.reason === 'unexplained') return this.bridgeLost(call, Number(event.agentId));
        return;
      default:
        return;
    }
  }

  /**
   * Queues a dial-log update of the call behind its earlier ones and returns at once. A failure
   * is retried (transient database faults), then logged; the facts stay in `learnt` and go into
   * the sealed row whatever happened. A row already sealed refuses updates: nothing to retry.
   */
  private write(call: CallContext, patch: AttemptPatch): void {
    const entry = this.writes.get(call) ?? { chain: Promise.resolve(), learnt: {} };
    Object.assign(entry.learnt, patch);
    const update = this.d.updateAttempt ?? updateAttempt;
    entry.chain = entry.chain.then(() =>
      withDatabaseRetry(() => update(this.d.db, call.dbId, patch).then(() => {}), {
        log: call.log,
        what: 'dial-log update',
        policy: WRITE_RETRY,
      }).catch((error: unknown) =>
        // A sealed row refuses updates (ConflictError), or the database stayed away: either way
        // the facts are in `learnt` and go into the sealed row.
        call.log.warn(
          { err: error, patch: Object.keys(patch) },
          'dial-log update not written; the sealed row will carry it',
        ),
      ),
    );
    this.writes.set(call, entry);
  }

  /** Waits for the call's queued dial-log writes; returns what they carried. */
  private async written(call: CallContext): Promise<AttemptPatch> {
    const entry = this.writes.get(call);
    if (!entry) return {};
    await entry.chain;
    return entry.learnt;
  }

  private async answered(
    call: CallContext,
    at: Date,
    amd: CallContext['amd'],
    sipAnsweredAt: Date,
  ): Promise<void> {
    if (call.stage === 'ended' || call.answeredAt) return;
    call.stage = 'answered';
    call.answeredAt = at;
    call.sipAnsweredAt = sipAnsweredAt;
    call.amd = amd;
    this.d.counters.answered += 1;
    const machine = amd?.status === 'MACHINE';
    this.d.observe(answerObservation(callMoments(call), seconds(at), machine ? 'machine' : 'human'));
    // The person is routed (or the machine handled) first; the row learns of the answer behind.
    if (!machine && this.d.definition.mode === 'agentless') this.d.recorder?.callAnswered(call);
    const handled = machine
      ? this.machine(call)
      : this.d.definition.mode === 'agentless'
        ? this.ivr(call)
        : this.noticeThenRoute(call);
    if (!machine) this.d.counters.humanAnswered += 1;
    this.write(call, {
      status: 'answered',
      answeredAt: at,
      sipAnsweredAt,
      ...(amd ? { amdResult: `${amd.status}:${amd.cause}` } : {}),
    });
    return handled;
  }

  /** The recording notice first (never silence: the person hears it at once), then an agent. */
  private async noticeThenRoute(call: CallContext): Promise<void> {
    if (call.recordingNotice) {
      const heard = await playRecordingNotice(this.d, call);
      // Gone during the notice: their hangup ends the call (it is queued behind this).
      if (!heard || call.stage === 'ended') return;
    }
    return this.route(call);
  }

  /**
   * The agent's part is over and the campaign asks for a service evaluation: the agent goes to
   * wrap-up, the customer hears the 1–5 prompt, the score is stored with the call, then we hang up.
   * Returns false when the call is not a connected call of this flow.
   */
  async toSatisfaction(attemptId: string, options: { agentGone?: boolean } = {}): Promise<boolean> {
    const call = this.d.calls.get(attemptId);
    if (call?.stage !== 'connected' || call.inSatisfaction || !this.d.definition.satisfaction.enabled) {
      return false;
    }
    call.inSatisfaction = true;
    call.stage = 'playing';
    if (!options.agentGone && call.agentId !== null) {
      const agent = this.d.pool.get(call.agentId);
      if (agent) await this.d.pool.tryApply(agent, { type: 'call_ended', attemptId });
    }
    void call.serial(() =>
      holdTime(
        this.d.clock,
        (async () => {
          await runSatisfactionSurvey(this.d, call);
          await this.hangup(call);
        })(),
      ),
    );
    return true;
  }

  /** A person answered: their reserved agent, else the longest idle one, else wait (≤ connect time). */
  private async route(call: CallContext): Promise<void> {
    if (call.agentId === null) {
      const agent = await this.d.pool.reserveFree(call.attemptId, call.contactId);
      if (agent) call.agentId = agent.agentId;
    }
    if (call.stage === 'ended') {
      await this.releaseAgent(call);
      return;
    }
    if (call.agentId !== null) return this.connect(call);
    call.stage = 'waiting';
    this.waiting.push(call);
    const limitMs = this.d.definition.abandon.connectWithinSeconds * 1000;
    // The identification message must start within the limit, counted from the moment the
    // campaign's jurisdiction counts from (the SIP answer, or the greeting's end = AMD's
    // verdict), or from the end of a recording notice (the person was hearing it, not
    // silence): give up a little before it.
    const from = call.noticeEndedAt ?? abandonClockStart(this.d.definition, call);
    const waitMs = Math.max(0, limitMs - 250 - (this.d.clock.now().getTime() - (from?.getTime() ?? 0)));
    call.own(
      this.d.clock.after(waitMs, () => void call.serial(() => holdTime(this.d.clock, this.abandon(call)))),
    );
  }

  private async connect(call: CallContext): Promise<void> {
    const agentId = call.agentId;
    if (agentId === null) return;
    try {
      await this.d.telephony.connect(call.attemptId, String(agentId));
      this.watchBridgeEntry(call, agentId);
      const agent = this.d.pool.get(agentId);
      if (agent) await this.d.pool.tryApply(agent, { type: 'call_connected', attemptId: call.attemptId });
    } catch (error) {
      await this.releaseAgent(call);
      call.agentId = null;
      if (isTelephonyError(error, 'not-found')) {
        if (/leg/.test((error as Error).message)) {
          // The agent's phone is gone, not the person: try another agent within the connect time.
          this.d.pool.legLost(agentId);
          if (call.stage !== 'ended') {
            call.stage = 'answered';
            await this.route(call);
          }
        }
        // Otherwise the person hung up while being connected: their hangup ends the call (not an abandon).
        return;
      }
      call.log.warn({ agentId, err: error }, 'could not connect the call to the agent');
      if (call.stage !== 'ended') {
        call.stage = 'waiting';
        await this.abandon(call);
      }
    }
  }

  /**
   * The customer is out of the agent's bridge but still up (no audio path between the legs, or
   * moved): Asterisk says nothing more, the engine acts. Bridged once more with the same agent;
   * if that fails too: a person who never reached the agent hears the identification message
   * and is hung up, recorded as a failed connect (`failed`, detail `bridge_failed`, counted
   * abandoned); one who had spoken to the agent is hung up (`left_bridge`), the agent owing the
   * outcome in wrap-up.
   */
  private async bridgeLost(
    call: CallContext,
    agentId: number,
    detail: string = 'bridge_failed',
  ): Promise<void> {
    if (call.stage === 'ended' || call.agentId !== agentId) return;
    if (!this.bridgeRetried.has(call)) {
      this.bridgeRetried.add(call);
      call.log.warn(
        { agentId },
        'the customer is out of the agent bridge without hanging up; bridging again',
      );
      try {
        await this.d.telephony.connect(call.attemptId, String(agentId));
        this.watchBridgeEntry(call, agentId);
        return;
      } catch (error) {
        call.log.error({ agentId, err: error }, 'could not bridge the customer again');
      }
    } else {
      call.log.error({ agentId }, 'the customer is out of the agent bridge again: failed connect');
    }
    if (this.d.calls.get(call.attemptId) !== call) return;
    if (call.connectedAt !== null) {
      call.verdict = { tag: 'failed', data: { detail: 'left_bridge' } };
      await this.hangup(call);
      return;
    }
    call.stage = 'playing';
    call.verdict = { tag: 'failed', data: { detail }, abandoned: true };
    this.d.counters.abandoned += 1;
    this.d.observe({ kind: 'abandoned' });
    const played = this.playThenHangup(call, [this.d.definition.abandon.identificationMessage]);
    this.write(call, { abandoned: true });
    await played;
  }

  /**
   * A connect Asterisk accepted is watched until the customer is seen in the bridge (`connected`)
   * or seen leaving it: a customer never seen there (without hanging up) is handled like one who
   * left (bridgeLost: once more, then the identification message and a failed connect,
   * detail `bridge_not_entered`).
   */
  private watchBridgeEntry(call: CallContext, agentId: number): void {
    this.stopBridgeEntryWatch(call);
    const cancel = call.own(
      this.d.clock.after(BRIDGE_ENTRY_TIMEOUT_MS, () => {
        this.bridgeEntryWatch.delete(call);
        void call.serial(() => holdTime(this.d.clock, this.bridgeNotEntered(call, agentId)));
      }),
    );
    this.bridgeEntryWatch.set(call, cancel);
  }

  private stopBridgeEntryWatch(call: CallContext): void {
    this.bridgeEntryWatch.get(call)?.();
    this.bridgeEntryWatch.delete(call);
  }

  private async bridgeNotEntered(call: CallContext, agentId: number): Promise<void> {
    if (call.stage === 'ended' || call.agentId !== agentId) return;
    call.log.warn(
      { agentId, waitedMs: BRIDGE_ENTRY_TIMEOUT_MS },
      'the customer was never seen in the agent bridge',
    );
    await this.bridgeLost(call, agentId, BRIDGE_NOT_ENTERED);
  }

  /** Offers waiting people to agents that just became free. */
  async serveWaiting(): Promise<void> {
    while (this.waiting.length > 0 && this.d.pool.free().length > 0) {
      const call = this.waiting.shift();
      if (call?.stage !== 'waiting') continue;
      const agent = await this.d.pool.reserveFree(call.attemptId, call.contactId);
      if (!agent) {
        this.waiting.unshift(call);
        return;
      }
      // In the call's own queue, like its events: a hangup handled while the connect is under way
      // would free the agent that the connect then puts on the call, for good.
      await call.serial(async () => {
        if (call.stage !== 'waiting') {
          await this.d.pool.tryApply(agent, { type: 'release' });
          return;
        }
        call.stage = 'answered';
        call.agentId = agent.agentId;
        await this.connect(call);
      });
    }
  }

  private dropWaiting(call: CallContext): void {
    const index = this.waiting.indexOf(call);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /** Nobody free in time: identification message, hang up, count it abandoned. */
  private async abandon(call: CallContext): Promise<void> {
    if (call.stage !== 'waiting') return;
    this.dropWaiting(call);
    call.stage = 'playing';
    call.verdict = { tag: 'abandoned', abandoned: true };
    this.d.counters.abandoned += 1;
    this.d.observe({ kind: 'abandoned' });
    // The identification message starts first; the row learns of the abandon behind it.
    const played = this.playThenHangup(call, [this.d.definition.abandon.identificationMessage]);
    this.write(call, { abandoned: true });
    await played;
  }

  private async machine(call: CallContext): Promise<void> {
    const amd = this.d.definition.dialing.amd;
    this.d.counters.machines += 1;
    call.stage = 'playing';
    const leave = amd.onMachine === 'leave_message' && amd.machineMessage !== undefined;
    call.verdict = { tag: 'machine', data: { messageLeft: leave } };
    if (leave && amd.machineMessage) await this.playThenHangup(call, [amd.machineMessage]);
    else await this.hangup(call);
  }

  /** Agentless: each question is a prompt answered by one key; the answers are the outcome. */
  private async ivr(call: CallContext): Promise<void> {
    call.stage = 'playing';
    const answers: Record<string, string> = {};
    let interruptedAtFirst = false;
    for (const [index, question] of this.d.definition.questions.entries()) {
      const result = await awaitLater(
        this.d.clock,
        this.d.telephony.collectDtmf(call.attemptId, {
          prompt: [question.prompt],
          maxDigits: 1,
          // The adapter waits in real time; the campaign thinks in engine time.
          timeoutMs: Math.max(50, 6000 / this.d.clock.speed),
        }),
      ).catch(() => ({ digits: '', reason: 'hangup' as const }));
      const value = question.choices?.[result.digits];
      if (value !== undefined) answers[question.id] = value;
      if (result.reason === 'hangup') {
        interruptedAtFirst = index === 0;
        break;
      }
    }
    // Gone before pressing anything or hearing the first prompt out: nothing was delivered or
    // answered, so the call is a hang-up (retried by the campaign's rules), not a final outcome.
    const heardNothing = Object.keys(answers).length === 0 && interruptedAtFirst;
    const outcome = heardNothing ? ({ tag: 'hung_up' } as const) : ivrOutcome(this.d.definition, answers);
    const { tag, ...data } = outcome;
    call.verdict = { tag, data };
    await this.hangup(call);
  }

  private async playThenHangup(call: CallContext, media: string[]): Promise<void> {
    // The message plays for seconds of engine time.
    await awaitLater(this.d.clock, this.d.telephony.play(call.attemptId, media)).catch(() => ({
      finished: false,
    }));
    await this.hangup(call);
  }

  /** Our decision to end the call: retried while it fails and the call is still up (never silence). */
  private async hangup(call: CallContext): Promise<void> {
    await hangUpCustomer(this.d.telephony, call.attemptId, {
      log: call.log,
      stillLive: () => this.d.calls.get(call.attemptId) === call,
    });
  }

  private async releaseAgent(call: CallContext): Promise<void> {
    if (call.agentId === null) return;
    const agent = this.d.pool.get(call.agentId);
    if (agent?.state.kind === 'reserved') await this.d.pool.tryApply(agent, { type: 'release' });
  }

  /** The call is over: finalize its dial-log row; record the engine's outcome unless an agent owes one. */
  private async ended(call: CallContext, event: HangupEvent): Promise<void> {
    if (call.stage === 'ended') return;
    const wasConnected = call.connectedAt !== null;
    call.dispose();
    this.dropWaiting(call);
    this.d.counters.ended += 1;
    const now = event.at;
    if (!call.answeredAt) {
      // Answered, then gone while AMD was still listening: an answer that needed no agent, not a
      // call nobody picked up (which would lower the answer rate the pacer dials by).
      this.d.observe(
        endBeforeVerdictObservation(callMoments(call), seconds(now), event.answered || !!call.lineAnsweredAt),
      );
    }
    if (wasConnected && call.connectedAt) {
      this.d.observe({
        kind: 'talk',
        seconds: Math.max(0, (now.getTime() - call.connectedAt.getTime()) / 1000),
      });
    }
    const outcome: Outcome | null = wasConnected
      ? null
      : call.verdict
        ? ({ tag: call.verdict.tag, ...(call.verdict.data ?? {}) } as Outcome)
        : outcomeOfHangup(event.outcome);
    // The row's earlier writes go first (in order), and whatever they carried is sealed with it.
    const learnt = await this.written(call);
    const finalize = (again: boolean) =>
      this.d.db.transaction().execute(async (trx) => {
        // A try whose commit went through before the connection died: the row is final and its
        // outcome recorded (one per attempt); doing it again would be refused.
        if (again && (await getAttempt(trx, call.dbId)).finalized_at !== null) return;
        if (outcome) {
          await recordCallOutcome(trx, {
            definition: this.d.definition,
            campaignId: this.d.campaignId,
            contactId: call.contactId,
            attemptId: call.dbId,
            agentId: null,
            outcome,
            recordedBy: 'engine',
            now,
          });
        }
        // Sealing takes the global chain lock: last, so that every engine's endings queue
        // behind it for the shortest time.
        await finalizeAttempt(trx, call.dbId, {
          ...learnt,
          status: undefined,
          result: call.verdict?.tag ?? (wasConnected ? 'connected' : event.outcome),
          cause: event.cause,
          dialStatus: event.dialStatus ?? null,
          endedAt: now,
          finalizedAt: now,
          ...(call.verdict?.abandoned ? { abandoned: true } : {}),
        });
      });
    await this.settle(call, finalize);
    const agent = call.agentId !== null ? await this.d.pool.find(call.agentId) : undefined;
    if (agent) {
      // Never connected: the agent held for the call, or already on it because the connect was
      // accepted a moment before the person hung up, is free again with nothing to tag. The
      // session's own state decides (the pool's copy may lag), so the agent is never left on a
      // call that is over.
      await this.d.pool.tryApply(agent, {
        type: wasConnected ? 'call_ended' : 'call_missed',
        attemptId: call.attemptId,
      });
    }
    this.d.calls.remove(call.attemptId);
  }

  /**
   * Runs a call's finalization, retried on database faults. If the database stays away the
   * runner takes it over (deferFinal) and runs it once the database answers, so the row and the
   * contact are settled then rather than at the next restart.
   */
  private async settle(call: CallContext, finalize: (again: boolean) => Promise<void>): Promise<void> {
    let tries = 0;
    try {
      await withDatabaseRetry(() => finalize(tries++ > 0), {
        log: call.log,
        what: 'finalizing the call',
        policy: this.d.retry,
      });
    } catch (error) {
      if (databaseFault(error) !== undefined && this.d.deferFinal) {
        this.d.deferFinal(call, () => finalize(true));
        return;
      }
      call.log.error({ err: error }, 'could not finalize the call; recovery will');
    }
  }

  /**
   * The agent's phone dropped (Asterisk went down, the agent hung up): a phone lost, not an
   * agent gone. The session stays open and the phone is rung again with backoff; on a call the
   * agent still owes the outcome (wrap-up) and a customer left alone is hung up.
   */
  private async agentLegLost(agentId: number): Promise<void> {
    const agent = this.d.pool.legLost(agentId);
    if (!agent) return;
    if (this.reservedCallLost(agent)) return;
    const held = agent.state;
    if (held.kind === 'reserved' && held.preview && held.attemptId === null && this.d.pool.ringLater(agent)) {
      // A lead on preview, not dialed: it goes back to the queue; the agent stays, phone rung again.
      await this.d.pool.tryApply(agent, { type: 'preview_withdrawn' });
      return;
    }
    const kind = agent.state.kind;
    const ringAgain = ['ready', 'paused', 'logging_in', 'on_call', 'wrap_up'].includes(kind)
      ? this.d.pool.ringLater(agent)
      : false;
    if (ringAgain && kind !== 'on_call') return;
    if (agent.state.kind === 'on_call') {
      const attemptId = agent.state.attemptId;
      const call = this.d.calls.get(attemptId);
      // The agent hung up on a connected call: the customer, still there, is asked for a score.
      if (call && (await this.toSatisfaction(attemptId, { agentGone: true }))) {
        await this.d.pool.tryApply(agent, { type: 'leg_lost' });
        return;
      }
      await hangUpCustomer(this.d.telephony, attemptId, {
        log: call?.log ?? this.d.logger,
        stillLive: () => this.d.calls.get(attemptId) !== undefined,
      });
    }
    await this.d.pool.tryApply(agent, { type: 'leg_lost' });
  }

  /**
   * The phone of an agent held for a live call (picked for an answered person, the bridge not
   * yet made, or a preview being dialed) dropped: a phone lost, like the others. The session
   * stays and the phone is rung again with backoff; the call goes on without this agent, as
   * when an agent cannot be bridged: its connect finds no leg and offers the person to another
   * agent within the connect time, else the identification message and an abandon (never
   * silence). In the call's own queue, behind a connect under way. False when the agent is not
   * held for a live call of this flow, or its phone is not to be rung again (the stop).
   */
  private reservedCallLost(agent: PooledAgent): boolean {
    const state = agent.state;
    if (state.kind !== 'reserved' || state.attemptId === null) return false;
    const attemptId = state.attemptId;
    const call = this.d.calls.get(attemptId);
    if (!call || !this.d.pool.ringLater(agent)) return false;
    call.log.warn({ agentId: agent.agentId }, 'the reserved agent lost the phone before the bridge');
    void call.serial(() =>
      holdTime(
        this.d.clock,
        (async () => {
          const current = this.d.pool.get(agent.agentId);
          if (current?.state.kind === 'reserved' && current.state.attemptId === attemptId)
            await this.d.pool.tryApply(current, { type: 'release' });
          // Not yet handed to the agent (a preview still being dialed): routed afresh on answer.
          if (call.agentId === agent.agentId && (call.stage === 'originating' || call.stage === 'ringing'))
            call.agentId = null;
        })(),
      ),
    );
    return true;
  }

  /** Live view for the pacer: calls not yet with an agent. */
  inFlight(now: Date) {
    return this.d.calls
      .all()
      .filter((c) => c.stage !== 'connected' && c.stage !== 'ended' && c.stage !== 'playing')
      .map((c) => callInFlight(callMoments(c), seconds(now)));
  }
}

const seconds = (at: Date): number => at.getTime() / 1000;

/** What the pacer may know of a live call (engine/pacing/live-inputs.ts, shared with the simulator). */
function callMoments(call: CallContext): CallMoments {
  return {
    launchedAt: seconds(call.launchedAt),
    lineAnsweredAt: call.lineAnsweredAt ? seconds(call.lineAnsweredAt) : null,
    verdictAt: call.answeredAt ? seconds(call.answeredAt) : null,
    waiting: call.stage === 'waiting',
  };
}
