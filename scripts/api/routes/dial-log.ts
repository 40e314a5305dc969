import { z } from 'zod';
import { getCampaign } from '../../../db/queries/campaigns.ts';
import type { getAttempt } from '../../../db/queries/dial-log.ts';
import { verifyLog } from '../../../db/queries/log-verify.ts';
import { listDialLog } from '../../../db/queries/reports.ts';
import { maskPhone } from '../../../engine/platform/mask-phone.ts';
import { signedCheckpoint } from '../../../engine/services/checkpoint-statement.ts';
import { requireKeyFile } from '../../../engine/services/evidence-key.ts';
import { prepareDialLogExport, showAttempt } from '../../../engine/services/number-access.ts';
import { type Api, type ApiDeps, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { idParam, limitQuery } from '../schemas.ts';

const attemptView = z.strictObject({
  id: z.number(),
  campaignId: z.number(),
  contactId: z.number(),
  /** Masked unless asked with unmask by a role holding numbers.full (audited). */
  phone: z.string(),
  agentId: z.number().nullable(),
  status: z.string(),
  queuedAt: z.string(),
  result: z.string().nullable(),
  hangupCause: z.number().nullable(),
  abandoned: z.boolean(),
  chainSeq: z.number().nullable(),
});

type AttemptRow = Awaited<ReturnType<typeof getAttempt>>;
function toAttemptView(r: AttemptRow, full: boolean): z.infer<typeof attemptView> {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    contactId: r.contact_id,
    phone: full ? r.phone_e164 : maskPhone(r.phone_e164),
    agentId: r.agent_id,
    status: r.status,
    queuedAt: r.queued_at.toISOString(),
    result: r.result ?? null,
    hangupCause: r.hangup_cause ?? null,
    abandoned: Boolean(r.abandoned),
    chainSeq: r.chain_seq === null || r.chain_seq === undefined ? null : Number(r.chain_seq),
  };
}

/** The dial log: search (masked), one row (unmask audited), verify the chains, export (audited). */
export function dialLogRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;

  api.get(
    '/api/log',
    {
      config: { access: 'log.read' },
      schema: {
        tags: ['dial log'],
        summary:
          'dial-log rows newest first, filtered by campaign, time (from inclusive, to exclusive), outcome and the number’s last 1–4 digits; page with before=<last id> (numbers masked)',
        querystring: z.strictObject({
          campaign: z.coerce.number().int().min(1).max(2147483647).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          result: z.string().min(1).max(40).optional(),
          suffix: z
            .string()
            .regex(/^\d{1,4}$/, 'the number’s last 1 to 4 digits')
            .optional(),
          before: z.coerce.number().int().min(1).max(2147483647).optional(),
          limit: limitQuery.default(50),
        }),
        response: { 200: z.array(attemptView), ...errorResponses },
      },
    },
    async (request) => {
      const { campaign, from, to, result, suffix, before, limit } = request.query;
      if (campaign !== undefined) await getCampaign(db, campaign);
      const rows = await listDialLog(db, {
        ...(campaign !== undefined ? { campaignId: campaign } : {}),
        ...(from !== undefined ? { from: new Date(from) } : {}),
        ...(to !== undefined ? { to: new Date(to) } : {}),
        ...(result !== undefined ? { result } : {}),
        ...(suffix !== undefined ? { phoneSuffix: suffix } : {}),
        ...(before !== undefined ? { beforeId: before } : {}),
        limit,
      });
      return rows.map((r) => toAttemptView(r as AttemptRow, false));
    },
  );

  api.get(
    '/api/log/:id',
    {
      config: { access: 'log.read' },
      schema: {
        tags: ['dial log'],
        summary:
          'one dial-log row with the gate’s reasons; unmask=true shows the full number (numbers.full, audited)',
        params: idParam,
        querystring: z.strictObject({ unmask: z.enum(['true', 'false']).default('false') }),
        response: { 200: attemptView.extend({ gateReasons: z.array(z.unknown()) }), ...errorResponses },
      },
    },
    async (request) => {
      const full = request.query.unmask === 'true';
      const row = await showAttempt(db, principalOf(request), request.params.id, { full, via: 'api' });
      // The service masked the number unless it audited the unmasking.
      return { ...toAttemptView(row, true), gateReasons: (row.gate_reasons ?? []) as unknown[] };
    },
  );

  api.get(
    '/api/log/verify',
    {
      config: { access: 'log.read' },
      schema: {
        tags: ['dial log'],
        summary: 'check every chain (dial log, evidence) and report stale open rows',
        querystring: z.strictObject({ campaign: z.coerce.number().int().min(1).max(2147483647).optional() }),
        response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
      },
    },
    async (request) => {
      const { campaign } = request.query;
      if (campaign !== undefined) await getCampaign(db, campaign);
      const report = await verifyLog(db, {
        ...(campaign !== undefined ? { campaignId: campaign } : {}),
        now: deps.clock.now(),
        maxCallSeconds: deps.config.maxCallSeconds,
        checkpoints: [],
      });
      return JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    },
  );

  api.get(
    '/api/log/export',
    {
      config: { access: 'log.export' },
      schema: {
        tags: ['dial log'],
        summary:
          'export a campaign’s dial log as CSV or JSON lines (numbers masked; full=true: numbers.full); always audited',
        querystring: z.strictObject({
          campaign: z.coerce.number().int().min(1).max(2147483647),
          from: z.iso.datetime({ offset: true }),
          to: z.iso.datetime({ offset: true }),
          format: z.enum(['csv', 'jsonl']).default('csv'),
          full: z.enum(['true', 'false']).default('false'),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      // Checked (role, campaign, period) before the response starts: a refusal is a plain error.
      const run = await prepareDialLogExport(db, principalOf(request), {
        campaignId: q.campaign,
        from: new Date(q.from),
        to: new Date(q.to),
        format: q.format,
        full: q.full === 'true',
        output: reply.raw,
        outputName: '(http)',
        via: 'api',
      });
      reply.hijack();
      try {
        await run(() =>
          reply.raw.writeHead(200, {
            ...(reply.getHeaders() as Record<string, string>),
            'content-type': q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
            'content-disposition': `attachment; filename="dial-log-${q.campaign}.${q.format}"`,
            'cache-control': 'no-store',
          }),
        );
      } catch (error) {
        deps.logger.error({ err: error }, 'dial-log export failed midway');
      } finally {
        reply.raw.end();
      }
    },
  );

  api.post(
    '/api/log/checkpoint',
    {
      config: { access: 'log.checkpoint' },
      schema: {
        tags: ['dial log'],
        summary:
          'a signed statement of every chain’s head (position, hash, time), signed with evidenceKeyFile, for officers to keep outside the database (the key is made with `dialer log checkpoint --init-key`)',
        response: {
          200: z.strictObject({
            kind: z.string(),
            version: z.number(),
            at: z.string(),
            asOf: z.string(),
            chains: z.array(z.strictObject({ chain: z.string(), position: z.number(), hash: z.string() })),
            algorithm: z.string(),
            keyId: z.string(),
            signature: z.string(),
          }),
          ...errorResponses,
        },
      },
    },
    async (_request, reply) => {
      const checkpoint = await signedCheckpoint(db, requireKeyFile(deps.config.evidenceKeyFile));
      reply.header('cache-control', 'no-store');
      return checkpoint;
    },
  );
}
