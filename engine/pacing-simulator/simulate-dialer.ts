import {
  abandonmentFigures,
  abandonmentWindowDays,
  campaignAbandonmentDefinition,
} from '../compliance/abandonment.ts';
import {
  answerObservation,
  type CallMoments,
  callInFlight,
  endBeforeVerdictObservation,
} from '../pacing/live-inputs.ts';
import { createStatistics, type PacingStatistics, updateStatistics } from '../pacing/statistics.ts';
import type { BusyAgent, CallInFlight, PacingConfig } from '../pacing/types.ts';
import { type AgentTraits, agentTraits, pauseAfterCall } from './agents.ts';
import {
  type AttemptOutcome,
  anyCallingWindowOpen,
  attemptOutcome,
  type CompiledScenario,
  listAttemptOutcome,
  secondsUntilWindow,
} from './attempts.ts';
import { DialList, type ListEntry } from './dial-list.ts';
import { EventQueue } from './event-queue.ts';
import { addTo, type DayMetrics, emptyDay, emptySeries, type TimeSeries } from './metrics.ts';
import { type Scenario, secondsOfDay } from './scenario.ts';
import type { DialerStrategy, DialerView } from './strategies.ts';

export interface RunOptions {
  readonly seed: number;
  /** Overrides the scenario's number of days. */
  readonly days?: number;
  /** Width of the time-series buckets (occupancy, abandonment, lines over time). */
  readonly bucketSeconds?: number;
  /**
   * The frontier sweep (bench:pacing --frontier): the pacer's abandonment target instead of the
   * scenario's, allowed past the legal cap, and the compliance gate not emulated, to measure how
   * much occupancy each extra point of abandonment would buy. Never a campaign's setting.
   */
  readonly frontierTarget?: number;
}

export interface StrategyRun {
  readonly name: string;
  readonly days: DayMetrics[];
  readonly series: TimeSeries;
}

interface Agent {
  /** Shifts in file order, agents in order within each: the key of the agent's own laws and pauses. */
  readonly index: number;
  readonly traits: AgentTraits;
  readonly shiftStart: number;
  readonly shiftEnd: number;
  /** Paused: unannounced, neither ready nor busy to the dialer. */
  status: 'off' | 'ready' | 'talking' | 'wrap-up' | 'paused' | 'gone';
  /** Calls wrapped up today. */
  calls: number;
  phaseStart: number;
  loginAt: number;
  call: Call | null;
  /** When the agent will be ready again (end of wrap-up, or of the pause after it): foresight only. */
  readyAt: number;
}

interface Call extends CallMoments {
  readonly outcome: AttemptOutcome;
  readonly entry: ListEntry;
  readonly launchedAt: number;
  stage: 'ringing' | 'classifying' | 'waiting' | 'done';
  lineAnsweredAt: number | null;
  verdictAt: number | null;
  waiting: boolean;
  flightIndex: number;
}

type SimEvent =
  | { time: number; seq: number; kind: 'shift-start' | 'shift-end'; agent: Agent }
  | {
      time: number;
      seq: number;
      kind: 'answer' | 'unanswered-end' | 'amd-done' | 'grace-end' | 'caller-hangup';
      call: Call;
    }
  | { time: number; seq: number; kind: 'talk-end' | 'wrap-end' | 'pause-end'; agent: Agent };

/**
 * Runs one dialing strategy through the scenario, second by second: each simulated second the
 * strategy (for ours, engine/pacing's decideLaunches) says how many calls to launch; calls, agents
 * and answers then play out as timed events between the seconds.
 */
export function simulateDialer(
  compiled: CompiledScenario,
  strategy: DialerStrategy,
  options: RunOptions,
): StrategyRun {
  const scenario = compiled.scenario;
  const dayCount = options.days ?? scenario.days;
  const bucketSeconds = options.bucketSeconds ?? 900;
  const series = emptySeries(bucketSeconds);
  const days: DayMetrics[] = [];
  const frontier = options.frontierTarget;
  const config: PacingConfig = {
    ...scenario.pacing,
    ...(frontier === undefined ? {} : { targetAbandonRate: frontier }),
    connectWithinSeconds: scenario.abandon.connectWithinSeconds,
  };
  const grace = scenario.abandon.connectWithinSeconds;
  const foresight = strategy.foresight === 'agents';
  const definition = scenarioAbandonmentDefinition(scenario);
  const windowDays = abandonmentWindowDays(definition);
  let stats: PacingStatistics = createStatistics({ targetAbandonRate: config.targetAbandonRate });
  const learns = strategy.learns;
  const observe = learns
    ? (o: Parameters<typeof updateStatistics>[1]) => {
        stats = updateStatistics(stats, o);
      }
    : () => {};
  let bucketOffset = 0;
  // A whole list over the run (`list`), else `listSize` fresh numbers each day.
  const runList = scenario.list
    ? new DialList(scenario.list.numbers, scenario.list.maxAttempts, scenario.list.retryAfterMinutes * 60)
    : null;
  const traits = new Map<number, AgentTraits>();
  const traitsOf = (index: number): AgentTraits => {
    let t = traits.get(index);
    if (!t) {
      t = agentTraits(compiled, options.seed, index);
      traits.set(index, t);
    }
    return t;
  };

  for (let day = 0; day < dayCount; day++) {
    strategy.startDay();
    const m = emptyDay();
    days.push(m);
    let windowRouted = 0;
    let windowAbandoned = 0;
    let windowMachineVerdicts = 0;
    for (let j = Math.max(0, day - windowDays + 1); j < day; j++) {
      windowRouted += (days[j] as DayMetrics).routed;
      windowAbandoned += (days[j] as DayMetrics).routedAbandoned;
      windowMachineVerdicts += (days[j] as DayMetrics).machineVerdicts;
    }

    const list = runList ?? new DialList(scenario.listSize, 1, 0);
    // The list's clock: the run's for a whole list (retries cross days), else the day's.
    const clock = (second: number): number => (runList ? day * 86_400 + second : second);
    const agents: Agent[] = [];
    const queue = new EventQueue<SimEvent>();
    let agentIndex = 0;
    for (const shift of scenario.shifts) {
      const start = secondsOfDay(shift.start);
      const end = secondsOfDay(shift.end);
      for (let i = 0; i < shift.agents; i++) {
        const index = agentIndex++;
        const agent: Agent = {
          index,
          traits: traitsOf(index),
          calls: 0,
          shiftStart: start,
          shiftEnd: end,
          status: 'off',
          phaseStart: start,
          loginAt: start,
          call: null,
          readyAt: start,
        };
        agents.push(agent);
        queue.push({ time: start, seq: 0, kind: 'shift-start', agent });
        queue.push({ time: end, seq: 0, kind: 'shift-end', agent });
      }
    }
    const dayStart = Math.min(...agents.map((a) => a.shiftStart));
    const dayEnd = Math.max(...agents.map((a) => a.shiftEnd));
    m.dialingSeconds = dayEnd - dayStart;
    const drain = scenario.ringTimeoutSeconds + grace;
    const bucketOf = (now: number): number => bucketOffset + Math.floor((now - dayStart) / bucketSeconds);

    const ready: Agent[] = [];
    const waiting: Call[] = [];
    const flight: Call[] = [];
    const flightView: CallInFlight[] = [];
    const busyView: { phase: BusyAgent['phase']; elapsedSeconds: number; readyInSeconds?: number }[] = [];
    let talking = 0;

    const removeFromFlight = (call: Call): void => {
      const last = flight.pop() as Call;
      if (last !== call) {
        flight[call.flightIndex] = last;
        last.flightIndex = call.flightIndex;
      }
      call.flightIndex = -1;
    };
    const connect = (agent: Agent, call: Call, now: number): void => {
      m.waitSeconds += now - agent.phaseStart;
      m.waitsEnded++;
      agent.status = 'talking';
      agent.phaseStart = now;
      agent.call = call;
      talking++;
      call.stage = 'done';
      call.waiting = false;
      if (call.outcome.party === 'human') m.humanConnects++;
      else m.machineConnects++;
      const talk = call.outcome.talkSeconds * agent.traits.talkFactor;
      queue.push({ time: now + talk, seq: 0, kind: 'talk-end', agent });
      if (foresight) {
        // The same draws as talk-end and wrap-end make below: what the agent will do, known now.
        const wrapEnd = now + talk + call.outcome.wrapUpSeconds * agent.traits.wrapUpFactor;
        const pause = pauseAfterCall(compiled, options.seed, day, agent.index, agent.calls);
        agent.readyAt = pause > 0 && wrapEnd + pause < agent.shiftEnd ? wrapEnd + pause : wrapEnd;
      }
    };
    const route = (call: Call, now: number): void => {
      m.routed++;
      call.verdictAt = now;
      observe(answerObservation(call, now, 'human'));
      const agent = ready.shift();
      if (agent) {
        removeFromFlight(call);
        connect(agent, call, now);
        return;
      }
      call.stage = 'waiting';
      call.waiting = true;
      waiting.push(call);
      queue.push({ time: now + grace, seq: 0, kind: 'grace-end', call });
    };
    const becomeFree = (agent: Agent, now: number): void => {
      agent.call = null;
      agent.phaseStart = now;
      const call = now < agent.shiftEnd ? waiting.shift() : undefined;
      if (call) {
        removeFromFlight(call);
        agent.status = 'ready';
        connect(agent, call, now);
      } else if (now >= agent.shiftEnd) {
        agent.status = 'gone';
        m.loggedInSeconds += now - agent.loginAt;
      } else {
        agent.status = 'ready';
        ready.push(agent);
      }
    };

    const handle = (e: SimEvent): void => {
      const now = e.time;
      switch (e.kind) {
        case 'shift-start':
          e.agent.loginAt = now;
          becomeFree(e.agent, now);
          break;
        case 'shift-end': {
          const agent = e.agent;
          if (agent.status === 'ready') {
            ready.splice(ready.indexOf(agent), 1);
            agent.status = 'gone';
            m.loggedInSeconds += now - agent.loginAt;
          }
          break;
        }
        case 'answer': {
          const call = e.call;
          const o = call.outcome;
          if (o.party === 'human') {
            m.humanAnswered++;
            addTo(series.humanAnswered, bucketOf(now), 1);
            if (Number.isFinite(o.patienceSeconds)) {
              queue.push({ time: now + o.patienceSeconds, seq: 0, kind: 'caller-hangup', call });
            }
          }
          if (scenario.machine.amd.enabled) {
            call.stage = 'classifying';
            call.lineAnsweredAt = now;
            queue.push({ time: now + o.amdSeconds, seq: 0, kind: 'amd-done', call });
          } else route(call, now);
          break;
        }
        case 'amd-done': {
          const call = e.call;
          if (call.stage !== 'classifying') break; // the person hung up during AMD
          if (call.outcome.verdict === 'human') {
            route(call, now);
          } else {
            m.machineVerdicts++;
            if (call.outcome.party === 'human') m.amdHangups++;
            call.verdictAt = now;
            observe(answerObservation(call, now, 'machine'));
            removeFromFlight(call);
            call.stage = 'done';
          }
          break;
        }
        case 'caller-hangup': {
          // Silence too long for this person: during AMD (the engine sees an answer with no
          // verdict), or waiting for an agent within the grace (a hang-up, not an abandon).
          const call = e.call;
          if (call.stage === 'classifying') {
            observe(endBeforeVerdictObservation(call, now, true));
          } else if (call.stage === 'waiting') {
            waiting.splice(waiting.indexOf(call), 1);
            call.waiting = false;
          } else break;
          removeFromFlight(call);
          call.stage = 'done';
          m.silentHangups++;
          break;
        }
        case 'unanswered-end':
          observe({ kind: 'unanswered', seconds: e.call.outcome.ringSeconds });
          list.unanswered(e.call.entry, clock(now));
          removeFromFlight(e.call);
          e.call.stage = 'done';
          break;
        case 'grace-end': {
          const call = e.call;
          if (call.stage !== 'waiting') break;
          waiting.splice(waiting.indexOf(call), 1);
          removeFromFlight(call);
          call.stage = 'done';
          call.waiting = false;
          m.routedAbandoned++;
          if (call.outcome.party === 'human') {
            m.abandoned++;
            addTo(series.abandoned, bucketOf(now), 1);
          }
          observe({ kind: 'abandoned' });
          break;
        }
        case 'talk-end': {
          const agent = e.agent;
          const call = agent.call as Call;
          talking--;
          m.talkSeconds += now - agent.phaseStart;
          observe({ kind: 'talk', seconds: now - agent.phaseStart });
          agent.status = 'wrap-up';
          agent.phaseStart = now;
          const wrapUp = call.outcome.wrapUpSeconds * agent.traits.wrapUpFactor;
          queue.push({ time: now + wrapUp, seq: 0, kind: 'wrap-end', agent });
          break;
        }
        case 'wrap-end': {
          const agent = e.agent;
          m.wrapUpSeconds += now - agent.phaseStart;
          observe({ kind: 'wrap-up', seconds: now - agent.phaseStart });
          // An unannounced pause (never past the shift's end): the dialer sees the agent vanish.
          const pause = pauseAfterCall(compiled, options.seed, day, agent.index, agent.calls++);
          if (pause > 0 && now + pause < agent.shiftEnd) {
            agent.status = 'paused';
            agent.phaseStart = now;
            m.pausedSeconds += pause;
            queue.push({ time: now + pause, seq: 0, kind: 'pause-end', agent });
          } else becomeFree(agent, now);
          break;
        }
        case 'pause-end':
          becomeFree(e.agent, now);
          break;
      }
    };

    /** Launches the next number that may be dialed now; false when the list has none now. */
    const launch = (now: number): boolean => {
      let entry: ListEntry | null;
      let outcome: AttemptOutcome;
      for (;;) {
        entry = list.next(clock(now));
        if (!entry) return false;
        outcome = runList
          ? listAttemptOutcome(compiled, options.seed, entry.number, entry.attempt, day, now)
          : attemptOutcome(compiled, options.seed, day, entry.number, now);
        const closedFor = secondsUntilWindow(compiled, outcome, now);
        if (closedFor === 0) break;
        // Outside its own calling window: passed over until the window opens.
        m.passedOver++;
        list.defer(entry, clock(now) + closedFor);
      }
      m.attempts++;
      const call: Call = {
        outcome,
        entry,
        launchedAt: now,
        stage: 'ringing',
        lineAnsweredAt: null,
        verdictAt: null,
        waiting: false,
        flightIndex: flight.length,
      };
      flight.push(call);
      queue.push({
        time: now + outcome.ringSeconds,
        seq: 0,
        kind: outcome.answered ? 'answer' : 'unanswered-end',
        call,
      });
      return true;
    };

    for (let t = dayStart; ; t++) {
      while (queue.peekTime() <= t) handle(queue.pop() as SimEvent);
      if (t >= dayEnd) {
        while (queue.size > 0) handle(queue.pop() as SimEvent);
        break;
      }
      // The pacer's view is the engine's: every agent logged in, until they log off (the engine
      // has no shift schedule, so nobody is hidden before leaving).
      const readyCount = ready.length;
      let busyCount = 0;
      let loggedIn = 0;
      let busyNow = 0;
      for (const agent of agents) {
        if (agent.status === 'off' || agent.status === 'gone') continue;
        loggedIn++;
        if (agent.status === 'ready') continue;
        // A paused agent is invisible to a dialer; the foresight reference sees the pause's end.
        if (agent.status === 'paused' && !foresight) continue;
        if (agent.status !== 'paused') busyNow++;
        let view = busyView[busyCount];
        if (!view) {
          view = { phase: 'talking', elapsedSeconds: 0 };
          busyView.push(view);
        }
        view.phase = agent.status === 'talking' ? 'talking' : 'wrap-up';
        view.elapsedSeconds = t - agent.phaseStart;
        if (foresight) view.readyInSeconds = Math.max(0, agent.readyAt - t);
        busyCount++;
      }
      busyView.length = busyCount;
      // Built by the same function as the runner's (engine/pacing/live-inputs.ts).
      flightView.length = 0;
      for (const call of flight) flightView.push(callInFlight(call, t));

      const bucket = bucketOf(t);
      addTo(series.busy, bucket, busyNow);
      addTo(series.loggedIn, bucket, loggedIn);
      addTo(series.lines, bucket, flight.length);
      addTo(series.samples, bucket, 1);

      // The gate's and the pacer's figures, as the engine counts them (machine verdicts estimated).
      const figures = abandonmentFigures(
        {
          abandoned: windowAbandoned + m.routedAbandoned,
          humanAnswered: windowRouted + m.routed,
          machineVerdicts: windowMachineVerdicts + m.machineVerdicts,
        },
        definition,
      );
      const view: DialerView = {
        day,
        second: t,
        state: { agentsReady: readyCount, agentsBusy: busyView, callsInFlight: flightView },
        stats,
        config,
        abandonment: { abandoned: figures.abandoned, humanAnswered: figures.answered },
        predictiveAllowed: frontier !== undefined || !figures.overCap,
        agentsTalking: talking,
        callsWaiting: waiting.length,
        todayAttempts: m.attempts,
        todayRouted: m.routed,
        todayAbandoned: m.routedAbandoned,
      };
      const wanted = t < dayEnd - drain ? strategy.decide(view) : 0;
      // The trunk's limits: new calls per second, channels (every call not ended holds one).
      let n = wanted;
      const trunk = scenario.trunk;
      if (trunk.callsPerSecond !== undefined) n = Math.min(n, trunk.callsPerSecond);
      if (trunk.channels !== undefined)
        n = Math.min(n, Math.max(0, trunk.channels - flight.length - talking));
      m.trunkRefused += wanted - n;
      if (n > 0 && !anyCallingWindowOpen(compiled, t)) n = 0;
      for (let i = 0; i < n; i++) {
        if (launch(t)) continue;
        m.listEmptySeconds++;
        break;
      }
    }
    bucketOffset += Math.ceil((dayEnd - dayStart) / bucketSeconds);
  }
  return { name: strategy.name, days, series };
}

/** The scenario's abandonment definition: its `abandon` block, a US campaign's by default. */
export function scenarioAbandonmentDefinition(scenario: Pick<Scenario, 'abandon'>) {
  return campaignAbandonmentDefinition({ jurisdiction: 'US', abandon: scenario.abandon });
}
