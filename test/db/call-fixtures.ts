import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { changeSession, openSession } from '../../db/queries/agent-sessions.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAttempt, finalizeAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import type { Database } from '../../db/schema.ts';
import type { AgentState } from '../../engine/agents/agent-state.ts';
import { recordDoneOutcome } from '../compliance/db-fixtures.ts';

/** Rows of calls, agents and outcomes for the query specifications of test/db. */

export const at = new Date('2026-11-25T15:00:00Z');

/** A dial-log row of the contact (status queued at `queuedAt`), on a channel id of its own. */
export async function dialed(db: Kysely<Database>, campaignId: number, contactId: number, queuedAt = at) {
  return createAttempt(db, {
    campaignId,
    contactId,
    phoneE164: '+12125550199',
    channelId: `t-${randomBytes(6).toString('hex')}`,
    gateReasons: [],
    queuedAt,
  });
}

/** A dial-log row of a call answered by a person and connected to an agent, still open. */
export async function connected(db: Kysely<Database>, campaignId: number, contactId: number) {
  const row = await dialed(db, campaignId, contactId);
  return updateAttempt(db, row.id, { status: 'connected', answeredAt: at, connectedAt: at });
}

/** Finalizes (seals) a dial-log row at `finalizedAt`. */
export function finalized(db: Kysely<Database>, attemptId: number, finalizedAt = at) {
  return finalizeAttempt(db, attemptId, { result: 'answered', finalizedAt, endedAt: finalizedAt });
}

/** A final `sale` outcome of the call, as an agent's tag records it. */
export function tagged(
  db: Kysely<Database>,
  attempt: { id: number; campaign_id: number; contact_id: number },
) {
  return recordDoneOutcome(db, {
    attemptId: attempt.id,
    contactId: attempt.contact_id,
    campaignId: attempt.campaign_id,
    outcome: { tag: 'sale' },
    recordedBy: 'test',
    now: at,
  });
}

/** A new agent logged in to the campaign, its open session moved to `state`. */
export async function agentIn(db: Kysely<Database>, campaignId: number, state: AgentState) {
  const agent = await insertAgent(db, {
    code: `a-${randomBytes(4).toString('hex')}`,
    name: 'Agent',
    endpoint: 'PJSIP/agent',
  });
  const session = await openSession(db, agent.id, campaignId, at);
  await changeSession(db, session.id, session.version, { state, now: at });
  return { agent, session };
}
