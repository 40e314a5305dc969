import type { Kysely } from 'kysely';
import { type CampaignDefinition, campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import {
  contactCountsByStatus,
  getCampaignDefinition,
  insertCampaign,
  listCampaigns,
  transitionCampaignStatus,
} from '../../db/queries/campaigns.ts';
import type { Database } from '../../db/schema.ts';
import { parseOrThrow } from '../platform/zod-error.ts';
import { type CampaignVerb, nextCampaignStatus } from './campaign-status.ts';

/** Who acts, as the audit log records it. */
export interface ServiceActor {
  readonly name: string;
  readonly role: string;
}

/**
 * Campaigns: create, list, show, and the life-cycle verbs. Callers (CLI, HTTP API, demo) have
 * checked the permission; the rules of what may happen live here and in campaign-status.ts.
 */
export function createCampaignService({ db }: { db: Kysely<Database> }) {
  return {
    /** Validates a definition (strict schema; errors name the field path) and stores it. */
    create(input: unknown, actor: ServiceActor, what = 'campaign') {
      const definition: CampaignDefinition = parseOrThrow(campaignDefinitionSchema, input, what);
      return insertCampaign(db, definition, actor.name);
    },
    async list() {
      const rows = await listCampaigns(db);
      return rows.map(({ config: _config, ...rest }) => rest);
    },
    async show(id: number) {
      const { row, definition } = await getCampaignDefinition(db, id);
      const contacts = await contactCountsByStatus(db, row.id);
      return { ...row, config: definition, contacts };
    },
    /** start / pause / stop, checked against the current status under a row lock. */
    change(id: number, verb: CampaignVerb, actor: ServiceActor) {
      return transitionCampaignStatus(db, id, (current) => nextCampaignStatus(id, current, verb), {
        actor: actor.name,
        role: actor.role,
      });
    },
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;
