import { z } from 'zod';

/** Path ids: the database's integer range, as the CLI's parseId. */
export const idParam = z.strictObject({ id: z.coerce.number().int().min(1).max(2147483647) });
export const limitQuery = z.coerce.number().int().min(1).max(100_000);

export const campaignView = z.strictObject({
  id: z.number(),
  name: z.string(),
  clientId: z.number(),
  type: z.string(),
  mode: z.string(),
  status: z.string(),
  jurisdiction: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function toCampaignView(row: {
  id: number;
  name: string;
  client_id: number;
  type: string;
  mode: string;
  status: string;
  jurisdiction: string;
  created_at: Date;
  updated_at: Date;
}): z.infer<typeof campaignView> {
  return {
    id: row.id,
    name: row.name,
    clientId: row.client_id,
    type: row.type,
    mode: row.mode,
    status: row.status,
    jurisdiction: row.jurisdiction,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const afterWrapUp = z.union([
  z.strictObject({ kind: z.literal('ready') }),
  z.strictObject({ kind: z.literal('pause'), reason: z.string() }),
  z.strictObject({ kind: z.literal('logout') }),
]);

/** The agent state machine's state (engine/agents/agent-state.ts), as JSON. */
export const agentStateView = z.union([
  z.strictObject({ kind: z.literal('offline') }),
  z.strictObject({ kind: z.literal('logging_in') }),
  z.strictObject({ kind: z.literal('ready') }),
  z.strictObject({ kind: z.literal('paused'), reason: z.string() }),
  z.strictObject({
    kind: z.literal('reserved'),
    attemptId: z.string().nullable(),
    contactId: z.number().nullable(),
    preview: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('on_call'), attemptId: z.string(), after: afterWrapUp }),
  z.strictObject({
    kind: z.literal('wrap_up'),
    attemptId: z.string(),
    deadline: z.string(),
    after: afterWrapUp,
  }),
]);

/** Agent state with its dates as strings (the wrap-up deadline). */
export function stateJson(state: { kind: string } & Record<string, unknown>): z.infer<typeof agentStateView> {
  return JSON.parse(JSON.stringify(state)) as z.infer<typeof agentStateView>;
}

export const screenCallView = z.strictObject({
  attemptId: z.string().nullable(),
  preview: z.boolean(),
  contactId: z.number(),
  phoneMasked: z.string(),
  fields: z.record(z.string(), z.string()),
  timeZone: z.string(),
  attempts: z.number(),
  campaign: z.strictObject({
    id: z.number(),
    name: z.string(),
    type: z.string(),
    script: z.string().nullable(),
  }),
  /** The contact's attempts, newest first (at most 20), numbers masked. */
  history: z.array(
    z.strictObject({
      at: z.string(),
      connectedAt: z.string().nullable(),
      endedAt: z.string().nullable(),
      result: z.string().nullable(),
      outcome: z.string().nullable(),
      phoneMasked: z.string(),
    }),
  ),
  /** Timed preview: when the engine decides for the agent (ISO time) and what it does then. */
  previewDeadline: z.strictObject({ at: z.string(), action: z.enum(['dial', 'skip']) }).nullable(),
});

export const agentScreenView = z.strictObject({
  agentId: z.number(),
  code: z.string(),
  campaignId: z.number().nullable(),
  state: agentStateView,
  since: z.string(),
  version: z.number(),
  call: screenCallView.nullable(),
});
