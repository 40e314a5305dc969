import { z } from 'zod';
import { correctOutcome, outcomeHistory } from '../../../db/queries/outcome-corrections.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { type Api, type ApiDeps, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { iso } from '../json.ts';
import { idParam } from '../schemas.ts';

const dbId = z.coerce.number().int().min(1).max(2147483647);

/**
 * Recorded outcomes: append-only, a wrong one corrected by a new record (`dialer outcome
 * correct|history`, the same statements: db/queries/outcome-corrections.ts, validated by the
 * campaign type's schema, sealed into the evidence chain and audited in one transaction).
 */
export function outcomeRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;

  api.post(
    '/api/outcomes/:id/correct',
    {
      config: { access: 'outcome.correct' },
      schema: {
        tags: ['outcomes'],
        summary:
          'record a correction of an outcome (a new record pointing at it, with the reason; audited); an opt-out puts the number on the internal do-not-call list',
        params: idParam,
        body: z.strictObject({
          outcome: z
            .record(z.string(), z.unknown())
            .describe(
              '{tag, …fields} as the campaign type’s outcome schema wants (422 with every field at fault)',
            ),
          reason: z.string().trim().min(1).max(FIELD_LIMITS.text),
        }),
        response: {
          201: z.strictObject({
            correctionId: z.number(),
            corrects: z.number(),
            from: z.string(),
            to: z.string(),
            optOut: z.boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const result = await correctOutcome(db, {
        outcomeId: request.params.id,
        outcome: request.body.outcome,
        reason: request.body.reason,
        actor: principalOf(request).name,
        now: deps.clock.now(),
      });
      return reply.status(201).send(result);
    },
  );

  api.get(
    '/api/outcomes',
    {
      config: { access: 'outcome.read' },
      schema: {
        tags: ['outcomes'],
        summary: 'the outcome records of a call (attempt) or a contact, corrections included, oldest first',
        querystring: z
          .strictObject({ attempt: dbId.optional(), contact: dbId.optional() })
          .refine((q) => q.attempt !== undefined || q.contact !== undefined, {
            message: 'give attempt or contact',
            path: ['attempt'],
          }),
        response: {
          200: z.array(
            z.strictObject({
              id: z.number(),
              attemptId: z.number().nullable(),
              contactId: z.number(),
              campaignId: z.number(),
              tag: z.string(),
              data: z.unknown(),
              recordedBy: z.string().nullable(),
              recordedAt: z.string(),
              correctsOutcomeId: z.number().nullable(),
              correctionReason: z.string().nullable(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await outcomeHistory(db, {
        ...(q.attempt !== undefined ? { attemptId: q.attempt } : {}),
        ...(q.contact !== undefined ? { contactId: q.contact } : {}),
      });
      return rows.map((r) => ({
        id: r.id,
        attemptId: r.attempt_id,
        contactId: r.contact_id,
        campaignId: r.campaign_id,
        tag: r.tag,
        data: r.data,
        recordedBy: r.recorded_by,
        recordedAt: iso(r.recorded_at),
        correctsOutcomeId: r.corrects_outcome_id,
        correctionReason: r.correction_reason,
      }));
    },
  );
}
