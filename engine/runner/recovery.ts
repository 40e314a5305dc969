import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { listOpenSessions, sessionState } from '../../db/queries/agent-sessions.ts';
import {
  finalizeAttempt,
  getAttempt,
  listOpenCampaignAttempts,
  type OpenAttempt,
} from '../../db/queries/dial-log.ts';
import { releaseUnheldLeads } from '../../db/queries/leads.ts';
import { listUntaggedCalls } from '../../db/queries/outcomes.ts';
import type { Database } from '../../db/schema.ts';
import { applyAgentEvent } from '../agents/agent-service.ts';
import { recordCallOutcome } from '../agents/call-outcome.ts';
import { ConflictError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import { campaignCallScope } from './call-name.ts';
import { hangUpCustomer } from './hang-up.ts';

export interface RecoveryReport {
  /** Dial-log rows left open by a previous run, now finalized (adopted ones stay open). */
  attemptsReconciled: number;
  /** Of those, calls still up on the telephone system that nobody can take over (hung up now). */
  callsHungUp: number;
  /** Conversations still connected to their agent: adopted, left as they are. */
  conversationsAdopted: number;
  /** Agents whose call was cut, moved to wrap-up so they still tag it. */
  agentsToWrapUp: number;
  /** Contacts a dead run still held, returned to the queue. */
  contactsReleased: number;
}

/** A call a previous run connected to an agent that is still going on: this run takes it over. */
export interface AdoptedCall {
  attemptId: string;
  dbId: number;
  contactId: number;
  agentId: number;
  answeredAt: Date | null;
  connectedAt: Date;
}

/**
 * Brings a campaign back to a consistent state before its runner dials again. Runs while the
 * runner holds the campaign lock, so no other engine is running this campaign: whatever is open
 * belongs to a run that is gone.
 * 1. Open dial-log rows and open agent sessions are compared with the telephone system
 *    (`reconcile`, scoped to this campaign's calls): a conversation still connected to its agent
 *    (the call connected, the agent's session on it, the agent's leg still in its bridge) is
 *    adopted: both stay bridged, `adopt` registers it with the runner (synchronously, before any
 *    event of it can arrive), and it ends like any connected call, the agent then tagging it.
 *    Other calls still up are hung up (nobody can route them any more), and their rows are
 *    finalized with result `lost`. A person who answered (not a machine) and never reached an
 *    agent is an abandoned call (flag and outcome); any other call never connected gets the
 *    engine outcome `failed` (retried by the campaign's rules); one connected to an agent is
 *    still the agent's to tag.
 * 2. Agent sessions are rebuilt: an agent on a cut call goes to wrap-up (timer re-armed by the
 *    pool; a wrap-up already past its deadline records `no_outcome`). Adopted agent legs stay
 *    up: the pool finds them ready instead of ringing the phone again.
 * 3. Contacts still marked in progress with no open call and no outcome owed go back to ready.
 */
export function recoverCampaign(
  deps: RecoveryDeps,
  campaignId: number,
  definition: CampaignDefinition,
  now: Date,
): Promise<RecoveryReport> {
  return reconcile(deps, campaignId, definition, now, undefined);
}

/**
 * The same, for a runner that goes on after the database failed under it or its lock was lost
 * and taken back: the calls in `live` are still its own and are left alone (their rows open,
 * their agents on them), and so are the preview screens its agents have up. Everything else
 * open is settled as at a restart: a finalization or an agent event the database refused, the
 * calls of another engine that held the lock meanwhile and is gone.
 */
export function reconcileCampaign(
  deps: RecoveryDeps,
  campaignId: number,
  definition: CampaignDefinition,
  now: Date,
  live: ReadonlySet<string>,
): Promise<RecoveryReport> {
  return reconcile(deps, campaignId, definition, now, live);
}

export interface RecoveryDeps {
  db: Kysely<Database>;
  telephony: TelephonyPort;
  logger: Logger;
  /** Takes over a conversation still connected to its agent (the runner registers it). */
  adopt?: (call: AdoptedCall) => void;
}

async function reconcile(
  deps: RecoveryDeps,
  campaignId: number,
  definition: CampaignDefinition,
  now: Date,
  live: ReadonlySet<string> | undefined,
): Promise<RecoveryReport> {
  const { db, telephony, logger } = deps;
  const openAttempts = (await listOpenCampaignAttempts(db, campaignId)).filter(
    (a) => !live?.has(a.channelId),
  );
  const openSessions = await listOpenSessions(db, campaignId);
  const agentLegs = openSessions.flatMap((s) =>
    s.channel_id && s.bridge_id
      ? [{ agentId: String(s.agent_id), channelId: s.channel_id, bridgeId: s.bridge_id }]
      : [],
  );
  const result = await telephony.reconcile(
    openAttempts.map((a) => a.channelId),
    { agentLegs, scope: campaignCallScope(campaignId) },
  );
  // No await from here to the adoptions: an adopted call's events find the runner ready.
  const adoptedAgents = new Set(result.agentsAdopted);
  const up = new Set(result.live);
  const adopted = new Set<number>();
  for (const attempt of openAttempts) {
    if (!up.has(attempt.channelId) || attempt.connectedAt === null || !deps.adopt) continue;
    const session = openSessions.find((s) => {
      const state = sessionState(s);
      return state.kind === 'on_call' && state.attemptId === attempt.channelId;
    });
    if (!session || !adoptedAgents.has(String(session.agent_id))) continue;
    adopted.add(attempt.id);
    deps.adopt({
      attemptId: attempt.channelId,
      dbId: attempt.id,
      contactId: attempt.contactId,
      agentId: session.agent_id,
      answeredAt: attempt.answeredAt,
      connectedAt: attempt.connectedAt,
    });
  }
  let callsHungUp = 0;
  for (const attempt of openAttempts) {
    if (!up.has(attempt.channelId) || adopted.has(attempt.id)) continue;
    await hangUpCustomer(telephony, attempt.channelId, {
      log: logger.child({ attemptId: attempt.channelId }),
    });
    callsHungUp += 1;
  }
  const open = openAttempts.filter((a) => !adopted.has(a.id));
  const adoptedChannels = new Set(openAttempts.filter((a) => adopted.has(a.id)).map((a) => a.channelId));
  for (const attempt of open) {
    // A person who answered and was never put through to an agent was abandoned, whatever ended
    // the call: it counts toward the abandonment rate and the 72-hour rule like any other. Not in
    // an agentless campaign: there the person talks to the IVR, never to an agent.
    const abandoned =
      attempt.abandoned || (definition.mode !== 'agentless' && personLeftWithoutAgent(attempt));
    await db.transaction().execute(async (trx) => {
      // Finalized meanwhile (a finalization whose commit went through as its connection died).
      if ((await getAttempt(trx, attempt.id)).finalized_at !== null) return;
      if (attempt.connectedAt === null) {
        const tag = abandoned ? 'abandoned' : 'failed';
        await recordCallOutcome(trx, {
          definition,
          campaignId,
          contactId: attempt.contactId,
          attemptId: attempt.id,
          agentId: null,
          outcome: tag === 'failed' ? { tag, detail: 'engine restart' } : { tag },
          recordedBy: 'engine:recovery',
          now,
        });
      }
      // Sealing takes the global chain lock: last, so that it is held the shortest time.
      await finalizeAttempt(trx, attempt.id, {
        result: 'lost',
        finalizedAt: now,
        endedAt: now,
        ...(abandoned ? { abandoned: true } : {}),
      });
    });
  }

  let agentsToWrapUp = 0;
  for (const session of openSessions) {
    const state = sessionState(session);
    // Still talking to the customer this run adopted: the session stays as it is.
    if (state.kind === 'on_call' && adoptedChannels.has(state.attemptId)) continue;
    if (live && (state.kind === 'on_call' || state.kind === 'reserved')) {
      // Still the runner's: on or held for a live call, or showing a preview.
      if (state.attemptId === null ? state.kind === 'reserved' && state.preview : live.has(state.attemptId))
        continue;
    }
    const event =
      state.kind === 'on_call'
        ? ({ type: 'call_ended', attemptId: state.attemptId } as const)
        : state.kind === 'reserved'
          ? ({ type: 'release' } as const)
          : undefined;
    if (!event) continue;
    try {
      await applyAgentEvent(db, session.id, event, { now, wrapUpSeconds: definition.wrapUpSeconds });
      if (event.type === 'call_ended') agentsToWrapUp += 1;
    } catch (error) {
      // The agent moved meanwhile (logged out, tagged): nothing left to repair. A database
      // fault is not that: it fails the whole reconciliation, which is run again.
      if (!(error instanceof ConflictError)) throw error;
      logger.debug({ err: error, agentId: session.agent_id }, 'agent session changed during recovery');
    }
  }

  // A call an agent took whose session is gone (logged out, or lost with the engine): the outcome
  // will never come, so it is recorded as missing now, like a wrap-up timeout.
  for (const call of await listUntaggedCalls(db, campaignId)) {
    await db.transaction().execute((trx) =>
      recordCallOutcome(trx, {
        definition,
        campaignId,
        contactId: call.contactId,
        attemptId: call.attemptId,
        agentId: call.agentId,
        outcome: { tag: 'no_outcome' },
        recordedBy: 'engine:recovery',
        now,
      }),
    );
  }

  const contactsReleased = await releaseUnheldLeads(db, campaignId, now);
  const report: RecoveryReport = {
    attemptsReconciled: open.length,
    callsHungUp,
    conversationsAdopted: adopted.size,
    agentsToWrapUp,
    contactsReleased,
  };
  if (openAttempts.length > 0 || report.contactsReleased > 0)
    logger.warn({ campaignId, ...report }, 'recovered campaign state');
  return report;
}

/** Answered by a person (AMD did not say machine) and never connected to an agent. */
function personLeftWithoutAgent(
  attempt: Pick<OpenAttempt, 'answeredAt' | 'connectedAt' | 'amdResult'>,
): boolean {
  return (
    attempt.answeredAt !== null && attempt.connectedAt === null && !attempt.amdResult?.startsWith('MACHINE')
  );
}
