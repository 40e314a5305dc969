import type { Kysely } from 'kysely';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import type { AgentSessionRow } from '../../db/queries/agent-sessions.ts';
import { sessionState } from '../../db/queries/agent-sessions.ts';
import {
  type ContactAttemptRow,
  findScreenCall,
  findScreenContact,
  listContactAttempts,
} from '../../db/queries/screen-pop.ts';
import type { Database } from '../../db/schema.ts';
import type { AgentState } from '../agents/agent-state.ts';
import { previewDeadline } from '../agents/preview-timeout.ts';
import { maskPhone, maskPhonesInField } from '../platform/mask-phone.ts';

/** What an agent's screen shows of a call: never the full number, whoever the viewer is. */
export interface ScreenCall {
  attemptId: string | null;
  preview: boolean;
  contactId: number;
  /** Masked (phoneMasked): agents must not copy numbers. */
  phoneMasked: string;
  /** The list's other columns, with anything that looks like a phone number masked too (amounts and dates shown). */
  fields: Record<string, string>;
  timeZone: string;
  attempts: number;
  campaign: { id: number; name: string; type: string; script: string | null };
  /** This contact's attempts, newest first (at most HISTORY_LIMIT), numbers masked. */
  history: ScreenAttempt[];
  /**
   * A lead on preview under a timed preview: when the engine decides for the agent and what it
   * does then (engine/agents/preview-timeout.ts). Null otherwise (manual preview, or not a preview).
   */
  previewDeadline: { at: string; action: 'dial' | 'skip' } | null;
}

export interface ScreenAttempt {
  at: string;
  connectedAt: string | null;
  endedAt: string | null;
  result: string | null;
  outcome: string | null;
  phoneMasked: string;
}

/** How many of a contact's attempts the screen lists. */
export const HISTORY_LIMIT = 20;

export interface AgentScreen {
  agentId: number;
  code: string;
  campaignId: number | null;
  state: AgentState;
  since: string;
  version: number;
  call: ScreenCall | null;
}

type ScreenRow = NonNullable<Awaited<ReturnType<typeof findScreenContact>>>;

function toScreenAttempt(row: ContactAttemptRow): ScreenAttempt {
  return {
    at: row.queuedAt.toISOString(),
    connectedAt: row.connectedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    result: row.result,
    outcome: row.outcome,
    phoneMasked: maskPhone(row.phone),
  };
}

function toScreenCall(
  row: ScreenRow,
  attemptId: string | null,
  preview: boolean,
  history: ContactAttemptRow[],
  shownAt: Date,
): ScreenCall {
  const definition = campaignDefinitionSchema.safeParse(row.config);
  const deadline = preview && definition.success ? previewDeadline(definition.data.preview, shownAt) : null;
  return {
    attemptId,
    preview,
    contactId: row.contactId,
    phoneMasked: maskPhone(row.phone),
    fields: Object.fromEntries(
      Object.entries(row.fields ?? {}).map(([k, v]) => [k, maskPhonesInField(String(v))]),
    ),
    timeZone: row.timeZone,
    attempts: row.attempts,
    campaign: {
      id: row.campaignId,
      name: row.campaignName,
      type: row.campaignType,
      script: definition.success ? (definition.data.script ?? null) : null,
    },
    history: history.map(toScreenAttempt),
    previewDeadline: deadline ? { at: deadline.at.toISOString(), action: deadline.action } : null,
  };
}

/**
 * The call an agent state points at (connected, in wrap-up, or a lead on preview), masked;
 * `since`: when the session entered this state (a preview's timeout counts from it).
 */
export async function screenCallOf(
  db: Kysely<Database>,
  state: AgentState,
  since: Date,
): Promise<ScreenCall | null> {
  const history = (row: ScreenRow) => listContactAttempts(db, row.contactId, HISTORY_LIMIT);
  if (state.kind === 'on_call' || state.kind === 'wrap_up') {
    const row = await findScreenCall(db, state.attemptId);
    return row ? toScreenCall(row, state.attemptId, false, await history(row), since) : null;
  }
  if (state.kind === 'reserved' && state.contactId !== null) {
    if (state.attemptId) {
      const row = await findScreenCall(db, state.attemptId);
      if (row) return toScreenCall(row, state.attemptId, state.preview, await history(row), since);
    }
    const row = await findScreenContact(db, state.contactId);
    return row ? toScreenCall(row, state.attemptId, state.preview, await history(row), since) : null;
  }
  return null;
}

/** An agent's screen from their open session row (or offline without one). */
export async function agentScreen(
  db: Kysely<Database>,
  agent: { id: number; code: string },
  session: Pick<
    AgentSessionRow,
    'campaign_id' | 'state' | 'state_reason' | 'state_data' | 'state_since' | 'version'
  > | null,
): Promise<AgentScreen> {
  const state: AgentState = session ? sessionState(session) : { kind: 'offline' };
  return {
    agentId: agent.id,
    code: agent.code,
    campaignId: session?.campaign_id ?? null,
    state,
    since: (session?.state_since ?? new Date(0)).toISOString(),
    version: session?.version ?? 0,
    call: await screenCallOf(db, state, session?.state_since ?? new Date(0)),
  };
}
