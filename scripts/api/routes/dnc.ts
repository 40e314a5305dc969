import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { listApprovals, recordApproval, revokeApproval } from '../../../db/queries/approvals.ts';
import { getCampaignDefinition } from '../../../db/queries/campaigns.ts';
import { findClientByCode } from '../../../db/queries/clients.ts';
import { addDnc, dncSummary, removeDnc } from '../../../db/queries/dnc.ts';
import { importNationalDnc } from '../../../db/queries/national-dnc-import.ts';
import { NotFoundError, UserError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { maskPhone } from '../../../engine/platform/mask-phone.ts';
import { createPrivateWriteStream, ensurePrivateDir } from '../../../engine/platform/private-files.ts';
import { dncRecord, dncStanding } from '../../../engine/services/dnc-lookup.ts';
import { listDncEntries } from '../../../engine/services/number-access.ts';
import { parseInstant, parsePhone, parseScope, phoneNormalizer } from '../../cli/commands/compliance-args.ts';
import { type Api, type ApiDeps, actorOf, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { iso, isoOrNull } from '../json.ts';
import { idParam, limitQuery } from '../schemas.ts';
import { uploadRoot } from './lists.ts';

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

  const numberBody = z.strictObject({ phone, region });
  const dncHit = z.strictObject({
    scope: z.string(),
    scopeKey: z.string(),
    reason: z.string().nullable(),
    source: z.string().nullable(),
    addedBy: z.string().nullable(),
    addedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  });

  api.post(
    '/api/dnc/check',
    {
      config: { access: 'dnc.read' },
      schema: {
        tags: ['dnc'],
        summary:
          'every do-not-call list a number is on, national registry included (the number in the body, answered masked)',
        body: numberBody,
        response: {
          200: z.strictObject({ phone: z.string(), listed: z.boolean(), entries: z.array(dncHit) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const standing = await dncStanding(db, parsePhone(request.body.phone, request.body.region));
      return {
        ...standing,
        entries: standing.entries.map((e) => ({
          ...e,
          addedAt: isoOrNull(e.addedAt),
          expiresAt: isoOrNull(e.expiresAt),
        })),
      };
    },
  );

  api.post(
    '/api/dnc/history',
    {
      config: { access: 'dnc.read' },
      schema: {
        tags: ['dnc'],
        summary: 'every addition and removal of a number’s entries, with who, when and why (answered masked)',
        body: numberBody,
        response: {
          200: z.strictObject({
            phone: z.string(),
            events: z.array(
              z.strictObject({
                id: z.number(),
                at: z.string(),
                action: z.string(),
                scopeKey: z.string(),
                reason: z.string().nullable(),
                source: z.string().nullable(),
                actor: z.string().nullable(),
                expiresAt: z.string().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const record = await dncRecord(db, parsePhone(request.body.phone, request.body.region));
      return {
        phone: record.phone,
        events: record.events.map((e) => ({
          ...e,
          at: iso(e.at),
          reason: e.reason ?? null,
          source: e.source ?? null,
          actor: e.actor ?? null,
          expiresAt: isoOrNull(e.expiresAt),
        })),
      };
    },
  );

  api.post(
    '/api/dnc/national',
    {
      config: { access: 'dnc.import' },
      schema: {
        tags: ['dnc'],
        summary:
          'load a national registry file (multipart, one file: one number a line, or "area,number"), streamed to a private file then loaded; replace=true swaps the whole national set',
        consumes: ['multipart/form-data'],
        querystring: z.strictObject({
          replace: z.enum(['true', 'false']).default('false'),
          region,
          source: z.string().max(FIELD_LIMITS.reference).optional(),
        }),
        response: {
          201: z.strictObject({
            fileBytes: z.number(),
            fileSha256: z.string(),
            linesRead: z.number(),
            numbersCopied: z.number(),
            rejected: z.number(),
            rejectedSamples: z.array(z.strictObject({ line: z.number(), text: z.string() })),
            duplicates: z.number(),
            replaced: z.boolean(),
            added: z.number(),
            totalNumbers: z.number(),
            syncId: z.number(),
            durationMs: z.number(),
          }),
          ...errorResponses,
          413: errorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      // Checked before a byte is stored: an unknown region refuses the upload.
      const normalize = phoneNormalizer(q.region);
      const part = await request.file();
      if (!part) throw new UserError('send the registry as a multipart file field', 'invalid');
      const dir = resolve(uploadRoot(deps.config), 'national');
      ensurePrivateDir(dir);
      const file = join(dir, `${randomBytes(16).toString('hex')}.txt`);
      try {
        await pipeline(part.file, createPrivateWriteStream(file));
        if (part.file.truncated) {
          return reply.status(413).send({
            error: {
              code: 'too_large',
              message: `the file is over the upload limit of ${deps.config.serve.uploadBytes} bytes (serve.uploadBytes, DIALER_MAX_UPLOAD_BYTES)`,
            },
          });
        }
        const result = await importNationalDnc(deps.handle, {
          file,
          normalize,
          replace: q.replace === 'true',
          actor: principalOf(request).name,
          ...(q.source ? { source: q.source } : {}),
        });
        return reply.status(201).send({
          fileBytes: result.fileBytes,
          fileSha256: result.fileSha256,
          linesRead: result.linesRead,
          numbersCopied: result.numbersCopied,
          // Masked by the import.
          rejected: result.rejected,
          rejectedSamples: result.rejectedSamples,
          duplicates: result.duplicates,
          replaced: result.replaced,
          added: result.added,
          totalNumbers: result.totalNumbers,
          syncId: result.syncId,
          durationMs: result.durationMs,
        });
      } finally {
        // The registry is in the database (or refused): its copy on disk never stays.
        rmSync(file, { force: true });
      }
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
        // The engine's clock, as the revocation's and the gate's: validity starts on the time line
        // the gate judges it by (under the simulator that clock is not the wall clock).
        now: deps.clock.now(),
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
