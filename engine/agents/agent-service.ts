import type { Kysely, Transaction } from 'kysely';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { type Outcome, outcomeSchemaFor } from '../../campaigns/outcomes/outcome-schema.ts';
import type { OutcomeDecision } from '../../campaigns/outcomes/retry-policy.ts';
import {
  type AgentSessionRow,
  changeSession,
  findOpenSession,
  getSession,
  openSession,
  type SessionChange,
  sessionState,
  setPreviewDecision as writePreviewDecision,
} from '../../db/queries/agent-sessions.ts';
import { type AgentRow, getAgentByCode } from '../../db/queries/agents.ts';
import { getCampaign } from '../../db/queries/campaigns.ts';
import { getAttemptByChannel } from '../../db/queries/dial-log.ts';
import { returnPreviewLead } from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../platform/clock.ts';
import { ConflictError, UserError } from '../platform/errors.ts';
import { parseOrThrow } from '../platform/zod-error.ts';
import { type AgentEffect, type AgentEvent, type AgentState, transition } from './agent-state.ts';
import { recordCallOutcome } from './call-outcome.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AgentServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
}

export interface AppliedEvent {
  session: AgentSessionRow;
  state: AgentState;
  effects: AgentEffect[];
}

/** Tries a compare-and-set this many times before telling the caller somebody else keeps winning. */
const CAS_ATTEMPTS = 5;

/**
 * Applies one event to a session: the state machine decides, a compare-and-set on the session's
 * version persists. Another process (the engine, another terminal) may change the session in
 * between; then the event is re-applied to the fresh state. Effects are returned for the caller
 * (the engine carries out the telephony ones; a session that ends gets ended_at here).
 */
export async function applyAgentEvent(
  db: Db,
  sessionId: number,
  event: AgentEvent,
  options: {
    now: Date;
    wrapUpSeconds: number;
    extra?: Omit<SessionChange, 'state' | 'now' | 'end'>;
    /**
     * The session as the caller last saw it (the engine's agent pool): tried first without
     * reading the row again. Only a change whose compare-and-set succeeds is taken from it (the
     * version matched, so the row was current); anything else reads the row and decides afresh.
     */
    known?: AgentSessionRow;
  },
): Promise<AppliedEvent> {
  if (options.known && options.known.id === sessionId && options.known.ended_at === null) {
    const fast = await decideAndWrite(db, options.known, event, options, { onlyChange: true });
    if (fast) return fast;
  }
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
    const row = await getSession(db, sessionId);
    if (!row || row.ended_at !== null) throw new ConflictError('the agent is not logged in');
    const applied = await decideAndWrite(db, row, event, options, { onlyChange: false });
    if (applied) return applied;
  }
  throw new ConflictError('the agent session keeps changing; try again');
}

/**
 * One try of an event against a session row: the state machine decides, the compare-and-set
 * writes. Undefined when the write lost the race (the version moved). With `onlyChange` (a row
 * the caller remembered, perhaps stale) a refusal or a no-op is undefined too, for the caller
 * to decide again on the fresh row.
 */
async function decideAndWrite(
  db: Db,
  row: AgentSessionRow,
  event: AgentEvent,
  options: { now: Date; wrapUpSeconds: number; extra?: Omit<SessionChange, 'state' | 'now' | 'end'> },
  mode: { onlyChange: boolean },
): Promise<AppliedEvent | undefined> {
  const current = sessionState(row);
  const result = transition(current, event, {
    now: options.now,
    wrapUpSeconds: options.wrapUpSeconds,
  });
  if (!result.ok) {
    if (mode.onlyChange) return undefined;
    throw new ConflictError(result.error);
  }
  // An event that lost its race (a wrap-up timer firing after the outcome) changes nothing:
  // rewriting the row anyway would reset state_since and drop what only the row holds, such as
  // a preview decision the agent made in the meantime.
  if (result.state === current && result.effects.length === 0 && !options.extra) {
    if (mode.onlyChange) return undefined;
    return { session: row, state: current, effects: [] };
  }
  const end = result.effects.some((e) => e.type === 'end_session');
  const previewLeads = result.effects.flatMap((e) =>
    e.type === 'release_preview_lead' ? [e.contactId] : [],
  );
  // The preview screen and the contact's claim end together: whoever applies the event (the
  // agent's terminal, the engine), the contact is never left claimed by a screen nobody sees.
  const write = async (trx: Db) => {
    const changed = await changeSession(trx, row.id, row.version, {
      ...options.extra,
      state: result.state,
      now: options.now,
      end,
    });
    if (changed) for (const contactId of previewLeads) await returnPreviewLead(trx, contactId, options.now);
    return changed;
  };
  // Within the caller's transaction if there is one; otherwise in one of its own when a lead goes back.
  const updated =
    previewLeads.length === 0 || db.isTransaction ? await write(db) : await db.transaction().execute(write);
  if (updated) return { session: updated, state: result.state, effects: result.effects };
  return undefined;
}

async function wrapUpSecondsOf(db: Db, campaignId: number | null): Promise<number> {
  if (campaignId === null) return 60;
  const row = await getCampaign(db as Kysely<Database>, campaignId);
  return campaignDefinitionSchema.parse(row.config).wrapUpSeconds;
}

/**
 * What agents (their terminal, later an HTTP API) do: log in, ready, pause, tag an outcome,
 * schedule a callback, log out. Each call is one short transaction against the session; the
 * engine notices the change on its next tick (log in: it rings the agent's phone).
 */
export function createAgentService({ db, clock }: AgentServiceDeps) {
  async function sessionOf(agent: AgentRow): Promise<AgentSessionRow> {
    const session = await findOpenSession(db, agent.id);
    if (!session) throw new UserError(`agent "${agent.code}" is not logged in`, 'not_logged_in');
    return session;
  }

  async function simple(code: string, event: AgentEvent) {
    const agent = await getAgentByCode(db, code);
    const session = await sessionOf(agent);
    const applied = await applyAgentEvent(db, session.id, event, {
      now: clock.now(),
      wrapUpSeconds: await wrapUpSecondsOf(db, session.campaign_id),
    });
    return { agent, ...applied };
  }

  return {
    /** Opens a session on a campaign; the engine running it calls the agent's phone. */
    async login(code: string, campaignId: number) {
      const agent = await getAgentByCode(db, code);
      const campaign = await getCampaign(db, campaignId);
      if (campaign.mode === 'agentless') {
        throw new UserError(`campaign ${campaignId} is agentless: it takes no agents`, 'agentless');
      }
      const session = await openSession(db, agent.id, campaign.id, clock.now());
      return { agent, session, state: sessionState(session) };
    },
    ready: (code: string) => simple(code, { type: 'ready' }),
    pause: (code: string, reason: string) => simple(code, { type: 'pause', reason }),
    logout: (code: string) => simple(code, { type: 'logout' }),

    async status(code: string) {
      const agent = await getAgentByCode(db, code);
      const session = await findOpenSession(db, agent.id);
      return {
        agent,
        session: session ?? null,
        state: session ? sessionState(session) : ({ kind: 'offline' } as const),
      };
    },

    /**
     * Tags the outcome of the call the agent is wrapping up. The outcome, the contact's fate
     * and the agent's release commit together: the agent is never free before the outcome is
     * durable.
     */
    async tagOutcome(
      code: string,
      input: unknown,
    ): Promise<{ outcome: Outcome; decision: OutcomeDecision; state: AgentState }> {
      const agent = await getAgentByCode(db, code);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const session = await findOpenSession(trx, agent.id);
        if (!session) throw new UserError(`agent "${code}" is not logged in`, 'not_logged_in');
        const state = sessionState(session);
        if (state.kind !== 'wrap_up') {
          throw new ConflictError(`agent "${code}" has no call to tag (${state.kind.replace('_', ' ')})`);
        }
        const attempt = await getAttemptByChannel(trx, state.attemptId);
        if (!attempt) throw new Error(`bug: the call ${state.attemptId} in wrap-up has no dial-log row`);
        const campaign = await getCampaign(trx as unknown as Kysely<Database>, attempt.campaign_id);
        const definition = campaignDefinitionSchema.parse(campaign.config);
        const outcome = parseOrThrow(outcomeSchemaFor(definition, 'agent'), input, 'outcome') as Outcome;
        const decision = await recordCallOutcome(trx, {
          definition,
          campaignId: attempt.campaign_id,
          contactId: attempt.contact_id,
          attemptId: attempt.id,
          agentId: agent.id,
          outcome,
          recordedBy: `agent:${agent.code}`,
          now,
          gateCallback: true,
        });
        const applied = await applyAgentEvent(
          trx,
          session.id,
          { type: 'outcome_recorded', attemptId: state.attemptId },
          { now, wrapUpSeconds: definition.wrapUpSeconds },
        );
        return { outcome, decision, state: applied.state };
      });
    },

    /** A callback at a time, as the outcome of the call in wrap-up (personal by default). */
    scheduleCallback(code: string, at: Date, options: { personal?: boolean; note?: string } = {}) {
      return this.tagOutcome(code, {
        tag: 'callback',
        at: at.toISOString(),
        personal: options.personal ?? true,
        ...(options.note ? { note: options.note } : {}),
      });
    },

    /** Preview mode: the agent accepts the lead on screen; the engine dials it. */
    async acceptPreview(code: string) {
      return setPreviewDecision(db, code, 'accept', clock.now());
    },
    async skipPreview(code: string) {
      return setPreviewDecision(db, code, 'skip', clock.now());
    },
  };
}

export type AgentService = ReturnType<typeof createAgentService>;

/**
 * The agent's answer to a preview is written next to the reservation; the engine, which owns
 * the dial, reads it and dials (accept) or releases the agent and the lead (skip).
 */
async function setPreviewDecision(
  db: Kysely<Database>,
  code: string,
  decision: 'accept' | 'skip',
  now: Date,
) {
  const agent = await getAgentByCode(db, code);
  const session = await findOpenSession(db, agent.id);
  const state = session ? sessionState(session) : null;
  if (!session || state?.kind !== 'reserved' || !state.preview) {
    throw new ConflictError(`agent "${code}" has no lead on preview`);
  }
  const updated = await writePreviewDecision(db, session, decision, now);
  if (!updated) throw new ConflictError('the agent session changed; try again');
  return { agent, contactId: state.contactId, decision };
}
