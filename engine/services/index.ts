import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { createAgentService } from '../agents/agent-service.ts';
import type { Clock } from '../platform/clock.ts';
import { createCampaignService } from './campaign-service.ts';
import { createClientService } from './client-service.ts';

export interface ServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
}

/**
 * The composition root of the business services: the CLI, the HTTP API and the demo build
 * them here from one database and one clock, so they all apply the same rules.
 */
export function createServices(deps: ServiceDeps) {
  return {
    campaigns: createCampaignService(deps),
    agents: createAgentService(deps),
    clients: createClientService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
