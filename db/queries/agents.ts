import type { Kysely, Selectable } from 'kysely';
import { ConflictError, NotFoundError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { AgentsTable, Database } from '../schema.ts';

export type AgentRow = Selectable<AgentsTable>;

export async function insertAgent(
  db: Kysely<Database>,
  agent: { code: string; name: string; endpoint: string; user_id?: number },
): Promise<AgentRow> {
  try {
    return await db.insertInto('agents').values(agent).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
      throw new ConflictError(`an agent with code "${agent.code}" already exists`);
    }
    throw error;
  }
}

export function findAgentByCode(db: Kysely<Database>, code: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function getAgentByCode(db: Kysely<Database>, code: string): Promise<AgentRow> {
  const agent = await findAgentByCode(db, code);
  if (!agent) throw new NotFoundError('agent', code);
  if (!agent.active) throw new ConflictError(`agent "${code}" is deactivated`);
  return agent;
}

/** An agent's code by its id (primary key; no lock), for a feed that knows only the id. */
export async function findAgentCode(db: Kysely<Database>, id: number): Promise<string | undefined> {
  const row = await db.selectFrom('agents').select('code').where('id', '=', id).executeTakeFirst();
  return row?.code;
}

export function listAgents(db: Kysely<Database>): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().orderBy('id').execute();
}

/** Links an agent to the user who operates it (unique: one agent per user). */
export async function linkAgentUser(db: Kysely<Database>, code: string, userId: number): Promise<AgentRow> {
  try {
    const row = await db
      .updateTable('agents')
      .set({ user_id: userId })
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('agent', code);
    return row;
  } catch (error) {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION)
      throw new ConflictError('that user already operates another agent');
    throw error;
  }
}

/** The agent a user operates, if any (agents.user_id is unique). */
export function findAgentByUser(db: Kysely<Database>, userId: number): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** What the runner needs to ring an agent's phone and name the agent in its logs. */
export interface AgentPhone {
  id: number;
  code: string;
  endpoint: string;
}

/**
 * The code and endpoint of the given agents, for the runner's pool when agents it has not seen
 * yet log in to its campaign. Primary key lookups (agents_pkey, `id = any(…)`), no lock: an
 * endpoint changes only by an administrator, and the pool keeps what it read for the agent's
 * session. No statement for no ids (`in ()` is not SQL).
 */
export async function listAgentPhones(db: Kysely<Database>, ids: readonly number[]): Promise<AgentPhone[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('agents').select(['id', 'code', 'endpoint']).where('id', 'in', ids).execute();
}
