import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AfterWrapUp, AgentState } from '../../engine/agents/agent-state.ts';
import { ConflictError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { AgentSessionsTable, Database } from '../schema.ts';

export type AgentSessionRow = Selectable<AgentSessionsTable>;
type Db = Kysely<Database> | Transaction<Database>;

interface StateData {
  attemptId?: string | null;
  contactId?: number | null;
  preview?: boolean;
  deadline?: string;
  after?: AfterWrapUp;
}

/** The one place a session row becomes the state machine's state, and back. */
export function sessionState(
  row: Pick<AgentSessionRow, 'state' | 'state_reason' | 'state_data'>,
): AgentState {
  const data = (row.state_data ?? {}) as StateData;
  const after: AfterWrapUp = data.after ?? { kind: 'ready' };
  switch (row.state) {
    case 'logging_in':
      return { kind: 'logging_in' };
    case 'ready':
      return { kind: 'ready' };
    case 'paused':
      return { kind: 'paused', reason: row.state_reason ?? 'paused' };
    case 'reserved':
      return {
        kind: 'reserved',
        attemptId: data.attemptId ?? null,
        contactId: data.contactId ?? null,
        preview: data.preview ?? false,
      };
    case 'on_call':
      return { kind: 'on_call', attemptId: String(data.attemptId), after };
    case 'wrap_up':
      return {
        kind: 'wrap_up',
        attemptId: String(data.attemptId),
        deadline: new Date(String(data.deadline)),
        after,
      };
    default:
      return { kind: 'offline' };
  }
}

function stateColumns(state: AgentState): { state: string; state_reason: string | null; state_data: string } {
  const data: StateData = {};
  let reason: string | null = null;
  switch (state.kind) {
    case 'paused':
      reason = state.reason;
      break;
    case 'reserved':
      Object.assign(data, { attemptId: state.attemptId, contactId: state.contactId, preview: state.preview });
      break;
    case 'on_call':
      Object.assign(data, { attemptId: state.attemptId, after: state.after });
      break;
    case 'wrap_up':
      Object.assign(data, {
        attemptId: state.attemptId,
        deadline: state.deadline.toISOString(),
        after: state.after,
      });
      break;
  }
  return { state: state.kind, state_reason: reason, state_data: JSON.stringify(data) };
}

/** Opens a session in `logging_in`; one open session per agent (a unique index says so). */
export async function openSession(
  db: Db,
  agentId: number,
  campaignId: number,
  now: Date,
): Promise<AgentSessionRow> {
  try {
    return await db
      .insertInto('agent_sessions')
      .values({
        agent_id: agentId,
        campaign_id: campaignId,
        ...stateColumns({ kind: 'logging_in' }),
        state_since: now,
        started_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw new ConflictError('the agent is already logged in');
    throw error;
  }
}

export function findOpenSession(db: Db, agentId: number): Promise<AgentSessionRow | undefined> {
  return db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
}

/** A session by id (primary key; no lock: the caller's write is a compare-and-set on its version). */
export function getSession(db: Db, sessionId: number): Promise<AgentSessionRow | undefined> {
  return db.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
}

/**
 * Notes the agent's preview decision (accept/skip) on the session's state data, compare-and-set
 * on its version (primary key; no lock held): undefined when the session changed meanwhile.
 */
export function setPreviewDecision(
  db: Db,
  session: Pick<AgentSessionRow, 'id' | 'version' | 'state_data'>,
  decision: string,
  now: Date,
): Promise<AgentSessionRow | undefined> {
  return db
    .updateTable('agent_sessions')
    .set({
      state_data: JSON.stringify({ ...(session.state_data as Record<string, unknown>), decision }),
      version: session.version + 1,
      state_since: now,
    })
    .where('id', '=', session.id)
    .where('version', '=', session.version)
    .returningAll()
    .executeTakeFirst();
}

export function listOpenSessions(db: Db, campaignId: number): Promise<AgentSessionRow[]> {
  return db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('ended_at', 'is', null)
    .orderBy('id')
    .execute();
}

export interface SessionChange {
  state: AgentState;
  now: Date;
  /** Close the session (logout, lost leg). */
  end?: boolean;
  engineId?: string | null;
  channelId?: string | null;
  bridgeId?: string | null;
}

/**
 * Moves a session to a new state only if nobody changed it since `expectedVersion` was read
 * (compare-and-set). Returns the new row, or undefined when the caller lost the race.
 */
export async function changeSession(
  db: Db,
  sessionId: number,
  expectedVersion: number,
  change: SessionChange,
): Promise<AgentSessionRow | undefined> {
  return db
    .updateTable('agent_sessions')
    .set({
      ...stateColumns(change.state),
      state_since: change.now,
      version: expectedVersion + 1,
      ...(change.end ? { ended_at: change.now } : {}),
      ...(change.engineId !== undefined ? { engine_id: change.engineId } : {}),
      ...(change.channelId !== undefined ? { channel_id: change.channelId } : {}),
      ...(change.bridgeId !== undefined ? { bridge_id: change.bridgeId } : {}),
    })
    .where('id', '=', sessionId)
    .where('version', '=', expectedVersion)
    .where('ended_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records the agent's phone leg rung again after it was lost (Asterisk back, the agent hung up)
 * on the open session, the state untouched: the leg is not part of what the compare-and-set of
 * `changeSession` guards, so the version stays and a state change racing with this one keeps
 * both. Locking: one row updated by primary key (agent_sessions_pkey); an ended session is left
 * alone. True when the open session took it.
 */
export async function recordSessionLeg(
  db: Db,
  sessionId: number,
  leg: { channelId: string; bridgeId: string },
): Promise<boolean> {
  const result = await db
    .updateTable('agent_sessions')
    .set({ channel_id: leg.channelId, bridge_id: leg.bridgeId })
    .where('id', '=', sessionId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
