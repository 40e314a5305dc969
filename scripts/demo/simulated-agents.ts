import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { Outcome } from '../../campaigns/outcomes/outcome-schema.ts';
import { listOpenSessions, sessionState } from '../../db/queries/agent-sessions.ts';
import { findAgentByCode, insertAgent } from '../../db/queries/agents.ts';
import type { Database } from '../../db/schema.ts';
import type { AgentService } from '../../engine/agents/agent-service.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import { type EngineClock, holdTime } from '../../engine/runner/engine-clock.ts';

/** A small seeded generator, so a demo run is repeatable. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [number, T]>): T {
  const total = weighted.reduce((sum, [w]) => sum + w, 0);
  let r = random() * total;
  for (const [w, value] of weighted) {
    r -= w;
    if (r <= 0) return value;
  }
  return weighted[weighted.length - 1]![1];
}

/** What a simulated agent tags, by campaign type: mostly business outcomes, some callbacks and opt-outs. */
export function simulatedOutcome(definition: CampaignDefinition, random: () => number, now: Date): Outcome {
  const later = new Date(now.getTime() + (1 + Math.floor(random() * 4)) * 3_600_000).toISOString();
  const common: ReadonlyArray<readonly [number, () => Outcome]> = [
    [8, () => ({ tag: 'callback', at: later, personal: random() < 0.5 })],
    [3, () => ({ tag: 'opt_out' })],
    [2, () => ({ tag: 'wrong_number' })],
  ];
  const byType: Record<CampaignDefinition['type'], ReadonlyArray<readonly [number, () => Outcome]>> = {
    collections: [
      [
        30,
        () => ({ tag: 'promise_to_pay', amount: 50 + Math.round(random() * 450), date: later.slice(0, 10) }),
      ],
      [10, () => ({ tag: 'paid', amount: 100 })],
      [20, () => ({ tag: 'refused' })],
      [15, () => ({ tag: 'right_party_contact' })],
      [5, () => ({ tag: 'dispute', reason: 'amount contested' })],
      [5, () => ({ tag: 'wrong_party' })],
    ],
    survey: [
      [
        60,
        () => ({
          tag: 'completed',
          answers: Object.fromEntries(
            definition.questions.map((q) => [q.id, q.choices ? Object.values(q.choices)[0]! : 'fine']),
          ),
        }),
      ],
      [20, () => ({ tag: 'refused' })],
    ],
    reminder: [
      [60, () => ({ tag: 'confirmed' })],
      [15, () => ({ tag: 'declined' })],
      [15, () => ({ tag: 'rescheduled', to: later })],
    ],
    revisit: [
      [60, () => ({ tag: 'satisfaction', score: 1 + Math.floor(random() * 5) })],
      [15, () => ({ tag: 'feedback', text: 'delivery was late' })],
      [5, () => ({ tag: 'complaint_raised', text: 'rude courier' })],
    ],
  };
  return pick(random, [...byType[definition.type], ...common])();
}

/** Creates (if needed) `count` agents `sim-agent-NN` with simulator phone endpoints. */
export async function ensureSimulatedAgents(
  db: Kysely<Database>,
  count: number,
  prefix = 'sim-agent',
): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const code = `${prefix}-${String(i).padStart(2, '0')}`;
    if (!(await findAgentByCode(db, code))) {
      await insertAgent(db, { code, name: `Simulated agent ${i}`, endpoint: `PJSIP/${code}` });
    }
    codes.push(code);
  }
  return codes;
}

/**
 * Agents played by the program: logged in through the agent service like a person at a
 * terminal, they tag each call they wrap up after a few (engine) seconds, the way the CLI's
 * `dialer agent tag` would. `onTagged` lets the runner start the next call at once.
 */
export class SimulatedAgents {
  private cancelPoll: (() => void) | undefined;
  private readonly scheduled = new Set<string>();
  private readonly random: () => number;
  tagged = 0;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      agents: AgentService;
      clock: EngineClock;
      logger: Logger;
      campaignId: number;
      definition: CampaignDefinition;
      /** Engine seconds an agent takes to tag: min and max. */
      wrapUpSeconds?: [number, number];
      seed?: number;
      onTagged?: () => void;
      /** Agents left to a person (`demo --serve`'s extra seat): never tagged by the program. */
      leaveAlone?: ReadonlySet<number>;
    },
  ) {
    this.random = seeded(deps.seed ?? 7);
  }

  /**
   * After the engine stopped: waits (at most `timeoutMs`) until no agent of the campaign is
   * still wrapping up, so the last calls get their outcomes before the agents leave.
   */
  async finishWrapUps(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const wrapping = await this.deps.db
        .selectFrom('agent_sessions')
        .select('id')
        .where('campaign_id', '=', this.deps.campaignId)
        .where('ended_at', 'is', null)
        .where('state', '=', 'wrap_up')
        .execute();
      if (wrapping.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async login(codes: readonly string[]): Promise<void> {
    for (const code of codes) await this.deps.agents.login(code, this.deps.campaignId);
  }

  /**
   * Looks for calls to tag every `pollMs` real milliseconds, counted in engine time (times the
   * clock's speed) so that a person takes the same engine seconds on a fast or a slow machine.
   */
  start(pollMs = 20): void {
    const { clock } = this.deps;
    const tick = async () => {
      try {
        await this.poll();
      } catch (error) {
        this.deps.logger.debug({ err: error }, 'simulated agents poll failed');
      }
      if (this.cancelPoll)
        this.cancelPoll = clock.after(pollMs * clock.speed, () => void holdTime(clock, tick()));
    };
    this.cancelPoll = clock.after(pollMs * clock.speed, () => void holdTime(clock, tick()));
  }

  stop(): void {
    this.cancelPoll?.();
    this.cancelPoll = undefined;
  }

  private async poll(): Promise<void> {
    const sessions = await listOpenSessions(this.deps.db, this.deps.campaignId);
    for (const session of sessions) {
      if (this.deps.leaveAlone?.has(session.agent_id)) continue;
      const state = sessionState(session);
      if (state.kind !== 'wrap_up' || this.scheduled.has(state.attemptId)) continue;
      this.scheduled.add(state.attemptId);
      const [min, max] = this.deps.wrapUpSeconds ?? [2, 8];
      const seconds = min + this.random() * (max - min);
      const agent = await this.deps.db
        .selectFrom('agents')
        .select('code')
        .where('id', '=', session.agent_id)
        .executeTakeFirstOrThrow();
      this.deps.clock.after(seconds * 1000, () => {
        const outcome = simulatedOutcome(this.deps.definition, this.random, this.deps.clock.now());
        void holdTime(
          this.deps.clock,
          this.deps.agents
            .tagOutcome(agent.code, outcome)
            .then(() => {
              this.tagged += 1;
              this.deps.onTagged?.();
            })
            .catch((error: unknown) =>
              this.deps.logger.debug({ agent: agent.code, err: error }, 'simulated tag refused'),
            ),
        );
      });
    }
  }
}
