import { z } from 'zod';
import { listApprovals, recordApproval, revokeApproval } from '../../../db/queries/approvals.ts';
import { getCampaignDefinition } from '../../../db/queries/campaigns.ts';
import { findClientByCode } from '../../../db/queries/clients.ts';
import { addDnc, dncSummary, removeDnc } from '../../../db/queries/dnc.ts';
import { NotFoundError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { maskPhone } from '../../../engine/platform/mask-phone.ts';
import { listDncEntries } from '../../../engine/services/number-access.ts';
import { parseInstant, parsePhone, parseScope } from '../../cli/commands/compliance-args.ts';
import { type Api, type ApiDeps, actorOf, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { isoOrNull } from '../json.ts';
import { idParam, limitQuery } from '../schemas.ts';

const scope = z.string().min(1).max(80).describe('internal, national, client:<code> or campaign:<id>');
const phone = z.string().min(1).max(40);
const region = z
  .string()
  .regex(/^[A-Z]{2}$/)
  .default('US');

/** Do-not-call lists and re-marketing approvals (numbers masked unless numbers.full, audited). */
export function dncRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;

  api.get(
    '/api/dnc',
    {
      config: { access: 'dnc.read' },
      schema: {
        tags: ['dnc'],
        summary:
          'do-not-call entries (numbers masked; unmask=true for numbers.full, audited) and the lists’ sizes',
        querystring: z.strictObject({
          scope: scope.optional(),
          limit: limitQuery.default(100),
          unmask: z.enum(['true', 'false']).default('false'),
        }),
        response: {
          200: z.strictObject({
            entries: z.array(
              z.strictObject({
                phone: z.string(),
                scope: z.string(),
                reason: z.string().nullable(),
                source: z.string().nullable(),
                addedBy: z.string().nullable(),
                addedAt: z.string().nullable(),
                expiresAt: z.string().nullable(),
              }),
            ),
            summary: z.record(z.string(), z.unknown()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const ref = q.scope ? await parseScope(db, q.scope) : undefined;
      const rows = await listDncEntries(
        db,
        principalOf(request),
        { ...(ref ? { scopeKey: ref.scopeKey } : {}), limit: q.limit },
        { full: q.unmask === 'true', via: 'api' },
      );
      return {
        entries: rows.map((r) => ({
          // Masked by the service unless it audited the unmasking.
          phone: r.phone_e164,
          scope: r.scope_key,
          reason: r.reason ?? null,
          source: r.source ?? null,
          addedBy: r.added_by ?? null,
          addedAt: isoOrNull(r.added_at),
          expiresAt: isoOrNull(r.expires_at),
        })),
        summary: JSON.parse(JSON.stringify(await dncSummary(db))) as Record<string, unknown>,
      };
    },
  );

  api.post(
    '/api/dnc',
    {
      config: { access: 'dnc.add' },
      schema: {
        tags: ['dnc'],
        summary: 'put a number on a do-not-call list (blocks it at once)',
        body: z.strictObject({
          phone,
          scope,
          region,
          reason: z.string().max(FIELD_LIMITS.text).optional(),
          source: z.string().max(FIELD_LIMITS.reference).optional(),
          expires: z.string().max(40).optional(),
        }),
        response: {
          201: z.strictObject({
            phone: z.string(),
            scope: z.string(),
            created: z.boolean(),
            contactsBlocked: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const e164 = parsePhone(b.phone, b.region);
      const ref = await parseScope(db, b.scope);
      const result = await addDnc(db, {
        phoneE164: e164,
        ref,
        reason: b.reason ?? null,
        source: b.source ?? null,
        expiresAt: b.expires ? parseInstant(b.expires, 'expires', { endOfDay: true }) : null,
        actor: principalOf(request).name,
      });
      return reply.status(201).send({
        phone: maskPhone(e164),
        scope: ref.scopeKey,
        created: Boolean(result.created),
        contactsBlocked: Number(result.contactsBlocked),
      });
    },
  );

  api.post(
    '/api/dnc/remove',
    {
      config: { access: 'dnc.remove' },
      schema: {
        tags: ['dnc'],
        summary: 'take a number off a do-not-call list, with the reason',
        body: z.strictObject({ phone, scope, region, reason: z.string().min(1).max(FIELD_LIMITS.text) }),
        response: {
          200: z.strictObject({ phone: z.string(), scope: z.string(), contactsReleased: z.number() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const b = request.body;
      const e164 = parsePhone(b.phone, b.region);
      const ref = await parseScope(db, b.scope);
      const result = await removeDnc(db, {
        phoneE164: e164,
        ref,
        reason: b.reason,
        actor: principalOf(request).name,
      });
      return {
        phone: maskPhone(e164),
        scope: ref.scopeKey,
        contactsReleased: Number(result.contactsReleased),
      };
    },
  );

  api.get(
    '/api/approvals',
    {
      config: { access: 'approval.read' },
      schema: {
        tags: ['approvals'],
        summary: 're-marketing approvals with their state',
        querystring: z.strictObject({ campaign: z.coerce.number().int().min(1).max(2147483647).optional() }),
        response: { 200: z.array(z.record(z.string(), z.unknown())), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await listApprovals(
        db,
        request.query.campaign !== undefined ? { campaignId: request.query.campaign } : {},
      );
      return JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];
    },
  );

  api.post(
    '/api/approvals',
    {
      config: { access: 'approval.record' },
      schema: {
        tags: ['approvals'],
        summary:
          'record a re-marketing approval for a batch or a list of numbers (releases the covered held contacts)',
        body: z
          .strictObject({
            client: z.string().min(1).max(FIELD_LIMITS.code),
            campaignId: z.number().int().min(1).max(2147483647),
            batchId: z.number().int().min(1).max(2147483647).optional(),
            numbers: z.array(phone).min(1).max(100_000).optional(),
            region: z
              .string()
              .regex(/^[A-Z]{2}$/)
              .optional(),
            reference: z.string().trim().min(1).max(FIELD_LIMITS.reference),
            approvedBy: z.string().trim().min(1).max(FIELD_LIMITS.name),
            validFrom: z.iso.datetime({ offset: true }).optional(),
            validUntil: z.iso.datetime({ offset: true }).optional(),
            note: z.string().max(FIELD_LIMITS.text).optional(),
          })
          .refine((b) => (b.batchId === undefined) !== (b.numbers === undefined), {
            message: 'give either batchId or numbers',
            path: ['batchId'],
          }),
        response: {
          201: z.strictObject({
            id: z.number(),
            numbers: z.number().nullable(),
            contactsReleased: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { definition } = await getCampaignDefinition(db, b.campaignId);
      const client = await findClientByCode(db, b.client);
      if (!client) throw new NotFoundError('client', b.client);
      const numbers = b.numbers?.map((n) => parsePhone(n, b.region ?? definition.region));
      const result = await recordApproval(db, {
        clientId: client.id,
        campaignId: b.campaignId,
        batchId: b.batchId ?? null,
        ...(numbers ? { numbers } : {}),
        reference: b.reference,
        approvedBy: b.approvedBy,
        ...(b.validFrom ? { validFrom: new Date(b.validFrom) } : {}),
        validUntil: b.validUntil ? new Date(b.validUntil) : null,
        note: b.note ?? null,
        actor: actorOf(request).name,
      });
      return reply.status(201).send({
        id: result.approval.id,
        numbers: result.numbers === undefined || result.numbers === null ? null : Number(result.numbers),
        contactsReleased: Number(result.contactsReleased),
      });
    },
  );

  api.post(
    '/api/approvals/:id/revoke',
    {
      config: { access: 'approval.revoke' },
      schema: {
        tags: ['approvals'],
        summary: 'revoke an approval (a new record; holds the covered contacts not dialed yet)',
        params: idParam,
        body: z.strictObject({ reason: z.string().trim().min(1).max(FIELD_LIMITS.text) }),
        response: {
          200: z.strictObject({ revocationId: z.number(), contactsHeld: z.number() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const result = await revokeApproval(db, request.params.id, {
        reason: request.body.reason,
        actor: actorOf(request).name,
        now: deps.clock.now(),
      });
      return { revocationId: result.revocation.id, contactsHeld: Number(result.contactsHeld) };
    },
  );
}
