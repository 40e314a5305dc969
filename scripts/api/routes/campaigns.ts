import { z } from 'zod';
import { CAMPAIGN_TRANSITIONS, CAMPAIGN_VERBS } from '../../../engine/services/campaign-status.ts';
import { type Api, type ApiDeps, actorOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { campaignView, idParam, toCampaignView } from '../schemas.ts';

/** Campaigns: list, show, create from a definition, start / pause / stop. */
export function campaignRoutes(api: Api, deps: ApiDeps): void {
  const { campaigns } = deps.services;

  api.get(
    '/api/campaigns',
    {
      config: { access: 'campaign.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'every campaign',
        response: { 200: z.array(campaignView), ...errorResponses },
      },
    },
    async () => (await campaigns.list()).map(toCampaignView),
  );

  api.get(
    '/api/campaigns/:id',
    {
      config: { access: 'campaign.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'a campaign, its definition and its contacts by status',
        params: idParam,
        response: {
          200: campaignView.extend({
            definition: z.record(z.string(), z.unknown()),
            contacts: z.record(z.string(), z.number()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const shown = await campaigns.show(request.params.id);
      return {
        ...toCampaignView(shown),
        definition: shown.config as Record<string, unknown>,
        contacts: shown.contacts,
      };
    },
  );

  api.post(
    '/api/campaigns',
    {
      config: { access: 'campaign.create' },
      schema: {
        tags: ['campaigns'],
        summary:
          'create a campaign from its definition (the JSON of campaigns/examples/); 422 names the field at fault',
        body: z.record(z.string(), z.unknown()),
        response: { 201: campaignView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await campaigns.create(request.body, actorOf(request), 'campaign');
      return reply.status(201).send(toCampaignView(row));
    },
  );

  for (const verb of CAMPAIGN_VERBS) {
    api.post(
      `/api/campaigns/:id/${verb}`,
      {
        config: { access: 'campaign.control' },
        schema: {
          tags: ['campaigns'],
          summary: `${verb}: ${CAMPAIGN_TRANSITIONS[verb].what} (from ${CAMPAIGN_TRANSITIONS[verb].from.join(', ')})`,
          params: idParam,
          response: { 200: campaignView, ...errorResponses },
        },
      },
      async (request) => {
        const row = await campaigns.change(request.params.id, verb, actorOf(request));
        // The engine of this process picks a started campaign up at once rather than at its next look.
        if (verb === 'start') void deps.host?.scan();
        return toCampaignView(row);
      },
    );
  }
}
