import type { Kysely } from 'kysely';
import { findOpenSession } from '../../db/queries/agent-sessions.ts';
import { findAgentCode } from '../../db/queries/agents.ts';
import { type AlarmRow, listAlarms } from '../../db/queries/alarms.ts';
import { listAllOpenSessions } from '../../db/queries/screen-pop.ts';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../engine/platform/clock.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import type { RunnerSnapshot } from '../../engine/runner/campaign-runner.ts';
import type { EngineHost } from '../../engine/serve/engine-host.ts';
import { campaignAbandonmentReport } from '../../engine/services/abandonment-report.ts';
import { type AgentScreen, agentScreen } from '../../engine/services/agent-screen.ts';

/** One message of the live feed: `event:` names it, `data:` is its JSON. */
export interface FeedMessage {
  event: 'agent' | 'figures' | 'alarm' | 'snapshot';
  data: unknown;
}
type Send = (message: FeedMessage) => void;

/** A campaign's figures as managers see them once a second. */
export interface CampaignFigures {
  campaignId: number;
  dialed: number;
  inFlight: number;
  answered: number;
  connected: number;
  abandoned: number;
  /** Abandoned / human-answered calls of this run, today (campaign's zone) and over its rolling window. */
  abandonRate: { run: number | null; day: number | null; rolling: number | null; cap: number | null };
  occupancy: number;
  pacing: { mode: string | null; ratio: number | null };
  agents: RunnerSnapshot['agents'];
}

function alarmView(a: AlarmRow) {
  return {
    id: a.id,
    campaignId: a.campaign_id,
    kind: a.kind,
    severity: a.severity,
    message: a.message,
    raisedAt: a.raised_at.toISOString(),
    clearedAt: a.cleared_at?.toISOString() ?? null,
  };
}

/**
 * The live channel behind `GET /api/events`: an agent's own state and screen pop, managers'
 * campaign figures once a second and alarms. It reads what the engine wrote (agent sessions,
 * alarms) and the runners of this process (figures), so it sees changes made by any process on
 * a shared PostgreSQL too. A new subscriber gets the current state first, then changes.
 * Polls only while someone listens; one query per poll whatever the number of listeners.
 */
export class LiveFeed {
  private readonly agents = new Map<number, Set<Send>>();
  private readonly managers = new Set<Send>();
  private readonly seen = new Map<number, string>();
  private agentTimer: NodeJS.Timeout | undefined;
  private figuresTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  private figures: CampaignFigures[] = [];
  private lastAlarmId = 0;
  private readonly abandon = new Map<
    number,
    { at: number; day: number | null; rolling: number | null; cap: number }
  >();
  /** Agent messages sent, and the delay from the state change (state_since) to the send, in ms. */
  readonly stats = { agentMessages: 0, figureMessages: 0 };

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      clock: Clock;
      logger: Logger;
      host?: EngineHost;
      agentPollMs?: number;
      figuresMs?: number;
    },
  ) {}

  start(): void {
    this.agentTimer = setInterval(() => this.poke(), this.deps.agentPollMs ?? 100);
    this.agentTimer.unref();
    this.figuresTimer = setInterval(() => void this.tickFigures(), this.deps.figuresMs ?? 1000);
    this.figuresTimer.unref();
  }

  stop(): void {
    if (this.agentTimer) clearInterval(this.agentTimer);
    if (this.figuresTimer) clearInterval(this.figuresTimer);
    this.agents.clear();
    this.managers.clear();
  }

  /** Looks at agent sessions now (after an operation through the API, instead of the next tick). */
  poke(): void {
    if (this.agents.size === 0) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = this.pollAgents()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'live feed: agent poll failed'))
      .finally(() => {
        this.polling = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** An agent's own channel: their screen now, then every change. */
  async subscribeAgent(agent: { id: number; code: string }, send: Send): Promise<() => void> {
    // This agent's session only (one index probe), not every open session: a hundred feeds
    // connecting at once would otherwise read every session a hundred times.
    const session = (await findOpenSession(this.deps.db, agent.id)) ?? null;
    send({ event: 'agent', data: await agentScreen(this.deps.db, agent, session) });
    let set = this.agents.get(agent.id);
    if (!set) {
      set = new Set();
      this.agents.set(agent.id, set);
      this.seen.set(agent.id, session ? `${session.id}:${session.version}` : 'offline');
    }
    set.add(send);
    return () => {
      set.delete(send);
      if (set.size === 0) {
        this.agents.delete(agent.id);
        this.seen.delete(agent.id);
      }
    };
  }

  /** A manager's channel: every campaign's figures and the open alarms now, then each second and each alarm. */
  async subscribeManager(send: Send): Promise<() => void> {
    // Figures as of now, not of the last tick: the first message is the current state.
    await this.tickFigures(false);
    const open = await listAlarms(this.deps.db, { openOnly: true, limit: 100 });
    send({ event: 'snapshot', data: { campaigns: this.figures, alarms: open.map(alarmView) } });
    this.managers.add(send);
    return () => this.managers.delete(send);
  }

  get listeners(): { agents: number; managers: number } {
    let agents = 0;
    for (const set of this.agents.values()) agents += set.size;
    return { agents, managers: this.managers.size };
  }

  private async pollAgents(): Promise<void> {
    const sessions = await listAllOpenSessions(this.deps.db);
    const byAgent = new Map(sessions.map((s) => [s.agent_id, s]));
    for (const [agentId, listeners] of this.agents) {
      const session = byAgent.get(agentId) ?? null;
      const key = session ? `${session.id}:${session.version}` : 'offline';
      if (this.seen.get(agentId) === key) continue;
      this.seen.set(agentId, key);
      const code = session?.code ?? (await this.codeOf(agentId));
      const screen: AgentScreen = await agentScreen(this.deps.db, { id: agentId, code }, session);
      this.stats.agentMessages += listeners.size;
      for (const send of listeners) send({ event: 'agent', data: screen });
    }
  }

  private async codeOf(agentId: number): Promise<string> {
    return (await findAgentCode(this.deps.db, agentId)) ?? String(agentId);
  }

  private async tickFigures(send = true): Promise<void> {
    try {
      const snapshots = this.deps.host?.snapshots() ?? [];
      const figures: CampaignFigures[] = [];
      for (const s of snapshots) figures.push(await this.figuresOf(s));
      this.figures = figures;
      if (!send || this.managers.size === 0) return;
      const at = this.deps.clock.now().toISOString();
      for (const m of this.managers) m({ event: 'figures', data: { at, campaigns: figures } });
      this.stats.figureMessages += this.managers.size;
      const alarms = await listAlarms(this.deps.db, { limit: 20 });
      const fresh = alarms.filter((a) => a.id > this.lastAlarmId).reverse();
      if (alarms[0]) this.lastAlarmId = Math.max(this.lastAlarmId, alarms[0].id);
      for (const alarm of fresh) for (const m of this.managers) m({ event: 'alarm', data: alarmView(alarm) });
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'live feed: figures failed');
    }
  }

  /** Abandonment today and over the campaign's window: from the dial log, refreshed every 10 s. */
  private async figuresOf(s: RunnerSnapshot): Promise<CampaignFigures> {
    const now = this.deps.clock.now();
    let cached = this.abandon.get(s.campaignId);
    if (!cached || now.getTime() - cached.at > 10_000) {
      const { report } = await campaignAbandonmentReport(this.deps.db, {
        campaignId: s.campaignId,
        days: 1,
        now,
      });
      cached = {
        at: now.getTime(),
        day: report.days.at(-1)?.dayRate ?? null,
        rolling: report.current.rate,
        cap: report.maxRate,
      };
      this.abandon.set(s.campaignId, cached);
    }
    const c = s.counters;
    const available = s.agents.loggedIn - s.agents.paused;
    return {
      campaignId: s.campaignId,
      dialed: c.dialed,
      inFlight: s.inFlight,
      answered: c.answered,
      connected: c.connected,
      abandoned: c.abandoned,
      abandonRate: {
        run: c.humanAnswered > 0 ? c.abandoned / c.humanAnswered : null,
        day: cached.day,
        rolling: cached.rolling,
        cap: cached.cap,
      },
      occupancy: s.occupancy,
      pacing: { mode: s.lastPacing?.mode ?? null, ratio: available > 0 ? s.inFlight / available : null },
      agents: s.agents,
    };
  }
}
