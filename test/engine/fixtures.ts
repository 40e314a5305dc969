import type { Kysely } from 'kysely';
import {
  type CampaignDefinition,
  type CampaignDefinitionInput,
  campaignDefinitionSchema,
} from '../../campaigns/campaign-definition.ts';
import { insertCampaign } from '../../db/queries/campaigns.ts';
import { findClientByCode, insertClient } from '../../db/queries/clients.ts';
import type { Database } from '../../db/schema.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import type { EngineClock } from '../../engine/runner/engine-clock.ts';
import { ensureSimulatedAgents, SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';

let counter = 0;

/** A client and a campaign (defaults: collections, progressive) in the given database. */
export async function makeCampaign(db: Kysely<Database>, overrides: Partial<CampaignDefinitionInput> = {}) {
  counter += 1;
  const client =
    (await findClientByCode(db, 'test-client')) ??
    (await insertClient(db, { code: 'test-client', name: 'Test' }));
  const definition = campaignDefinitionSchema.parse({
    name: `campaign ${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    client: 'test-client',
    type: 'collections',
    mode: 'progressive',
    dialing: { callerId: '+12125550100', endpointTemplate: 'PJSIP/{number}@carrier' },
    callingWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
    ...overrides,
  });
  const row = await insertCampaign(db, definition, 'test');
  return { campaign: row, definition, clientId: client.id };
}

/** Inserts `count` ready contacts with distinct numbers; returns their ids in order. */
export async function addContacts(
  db: Kysely<Database>,
  campaignId: number,
  count: number,
  options: { priority?: (i: number) => number; nextAttemptAt?: Date; lastDigit?: (i: number) => number } = {},
): Promise<number[]> {
  const rows = Array.from({ length: count }, (_, i) => {
    const last = options.lastDigit ? options.lastDigit(i) : i % 10;
    const middle = String(i).padStart(5, '0');
    return {
      campaign_id: campaignId,
      phone_e164: `+1212${middle}${String(campaignId % 100).padStart(2, '0')}${last}`,
      time_zone: 'America/New_York',
      priority: options.priority ? options.priority(i) : 0,
      next_attempt_at: options.nextAttemptAt ?? new Date('2026-01-01T00:00:00Z'),
    };
  });
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await db
      .insertInto('contacts')
      .values(rows.slice(i, i + 500))
      .returning('id')
      .execute();
    ids.push(...inserted.map((r) => r.id));
  }
  return ids;
}

/**
 * A campaign already running, with a fresh national registry copy on record (the gate refuses
 * every dial without one).
 */
export async function runningCampaign(
  db: Kysely<Database>,
  now: Date,
  overrides: Partial<CampaignDefinitionInput> = {},
) {
  const made = await makeCampaign(db, overrides);
  await db
    .insertInto('national_dnc_syncs')
    .values({ synced_at: now, source: 't', numbers: 0, replaced: true })
    .execute();
  await db.updateTable('campaigns').set({ status: 'running' }).where('id', '=', made.campaign.id).execute();
  return made;
}

/**
 * Retry rules for whole-campaign tests: long enough that no retry falls due while a test runs,
 * so a run ends once every contact has had its first attempt (final or scheduled).
 */
export const longRetries = {
  maxPerContact: 4,
  maxPerDay: 3,
  retryMinutes: {
    no_answer: 240,
    busy: 240,
    congestion: 240,
    machine: 240,
    failed: 240,
    hung_up: 240,
    abandoned: 4320,
    no_outcome: 1440,
  },
};

/**
 * `count` simulated agents (codes starting `prefix`) logged in to the campaign and tagging the
 * calls they are given, as the whole-campaign tests staff a running campaign.
 */
export async function workingAgents(
  db: Kysely<Database>,
  clock: EngineClock,
  campaign: { campaignId: number; definition: CampaignDefinition },
  count: number,
  prefix: string,
): Promise<SimulatedAgents> {
  const codes = await ensureSimulatedAgents(db, count, prefix);
  const agents = new SimulatedAgents({
    db,
    agents: createAgentService({ db, clock }),
    clock,
    logger: silentLogger(),
    ...campaign,
  });
  await agents.login(codes);
  agents.start(100);
  return agents;
}
