import { z } from 'zod';
import { retentionReport } from '../../../db/queries/retention.ts';
import { recordingsRoot } from '../../../engine/platform/config.ts';
import { RecordingFolder } from '../../../engine/recordings/recording-files-store.ts';
import { purgeRecordings } from '../../../engine/recordings/recording-service.ts';
import {
  campaignPresetOf,
  checkNumber,
  listPresets,
  numberHistory,
  presetByName,
} from '../../../engine/services/compliance-service.ts';
import { PURGE_KINDS, purgeRetention } from '../../../engine/services/retention-service.ts';
import { parsePhone } from '../../cli/commands/compliance-args.ts';
import { type Api, type ApiDeps, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { iso, isoOrNull } from '../json.ts';
import { idParam } from '../schemas.ts';

/** A number typed by a person: in the body (never in a URL, which logs and histories keep). */
const phone = z.string().min(1).max(40);
const region = z
  .string()
  .regex(/^[A-Za-z]{2}$/)
  .optional()
  .describe('region of a number without a country code');
const campaignId = z.number().int().min(1).max(2147483647);
const instant = z.iso.datetime({ offset: true });

const ruleResult = z.strictObject({
  rule: z.string(),
  status: z.string(),
  code: z.string(),
  message: z.string(),
  retryAt: z.string().optional(),
});

const numberCheck = z.strictObject({
  campaignId: z.number(),
  phone: z.string().describe('masked'),
  contactId: z.number().nullable().describe('null: not a contact of the campaign, checked as a new number'),
  at: z.string(),
  timeZone: z.string(),
  timeZoneAssumed: z.boolean(),
  allowed: z.boolean(),
  disposition: z.string(),
  predictiveAllowed: z.boolean(),
  permanent: z.boolean(),
  retryAt: z.string().nullable(),
  preset: z.string(),
  results: z.array(ruleResult),
  denials: z.array(ruleResult),
  evaluatedAt: z.string(),
  next: z
    .strictObject({
      kind: z.enum(['refused', 'allowed', 'held']),
      at: z.string().optional(),
      codes: z.array(z.string()),
    })
    .optional(),
});

const presetSummary = z.strictObject({ name: z.string(), jurisdiction: z.string(), description: z.string() });
/** A preset's every figure with its source (engine/compliance/presets): wide and nested. */
const presetView = z.record(z.string(), z.unknown());
const json = <T>(value: T) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

const ruleJson = (r: { rule: string; status: string; code: string; message: string; retryAt?: Date }) => ({
  rule: r.rule,
  status: r.status,
  code: r.code,
  message: r.message,
  ...(r.retryAt ? { retryAt: iso(r.retryAt) } : {}),
});

/**
 * What `dialer compliance …`, `dialer retention …` and `dialer recording purge` do, through the
 * same services (engine/services/compliance-service.ts, retention-service.ts, the recording
 * service's purge). Numbers arrive in bodies and leave masked.
 */
export function complianceRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;
  const folder = () => new RecordingFolder(recordingsRoot(deps.config));

  api.post(
    '/api/compliance/check',
    {
      config: { access: 'compliance.read' },
      schema: {
        tags: ['compliance'],
        summary:
          'may this number be dialed in this campaign now (or at)? every rule’s result; next=true: the first moment the gate would allow it',
        body: z.strictObject({
          campaignId,
          phone,
          region,
          at: instant.optional(),
          next: z.boolean().default(false),
        }),
        response: { 200: numberCheck, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const check = await checkNumber(db, {
        campaignId: b.campaignId,
        phone: (campaignRegion) => parsePhone(b.phone, b.region ?? campaignRegion),
        at: b.at ? new Date(b.at) : deps.clock.now(),
        next: b.next,
      });
      return {
        ...check,
        retryAt: isoOrNull(check.retryAt),
        evaluatedAt: iso(check.evaluatedAt),
        results: check.results.map(ruleJson),
        denials: check.denials.map(ruleJson),
      };
    },
  );

  api.post(
    '/api/compliance/history',
    {
      config: { access: 'compliance.read' },
      schema: {
        tags: ['compliance'],
        summary: 'why a number was or was not dialed: its dial-log rows and the gate’s refusals',
        body: z.strictObject({
          phone,
          region,
          campaignId: campaignId.optional(),
          limit: z.number().int().min(1).max(100_000).default(50),
        }),
        response: {
          200: z.strictObject({
            phone: z.string(),
            attempts: z.array(
              z.strictObject({
                id: z.number(),
                campaignId: z.number(),
                queuedAt: z.string(),
                status: z.string(),
                result: z.string().nullable(),
                abandoned: z.boolean(),
                gate: z.string(),
              }),
            ),
            denials: z.array(
              z.strictObject({
                at: z.string(),
                campaignId: z.number(),
                disposition: z.string(),
                codes: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const b = request.body;
      const history = await numberHistory(db, {
        phoneE164: parsePhone(b.phone, b.region ?? 'US'),
        ...(b.campaignId !== undefined ? { campaignId: b.campaignId } : {}),
        limit: b.limit,
      });
      return {
        phone: history.phone,
        attempts: history.attempts.map((a) => ({
          ...a,
          queuedAt: iso(a.queuedAt),
          result: a.result ?? null,
          abandoned: Boolean(a.abandoned),
        })),
        denials: history.denials.map((d) => ({ ...d, at: iso(d.at) })),
      };
    },
  );

  api.get(
    '/api/compliance/presets',
    {
      config: { access: 'compliance.read' },
      schema: {
        tags: ['compliance'],
        summary: 'the jurisdiction presets a campaign may name in compliance.preset',
        response: { 200: z.array(presetSummary), ...errorResponses },
      },
    },
    async () => listPresets(),
  );

  api.get(
    '/api/compliance/presets/:name',
    {
      config: { access: 'compliance.read' },
      schema: {
        tags: ['compliance'],
        summary: 'every figure of a preset with its source',
        params: z.strictObject({ name: z.string().min(1).max(40) }),
        response: { 200: presetView, ...errorResponses },
      },
    },
    async (request) => json(presetByName(request.params.name)),
  );

  api.get(
    '/api/campaigns/:id/preset',
    {
      config: { access: 'compliance.read' },
      schema: {
        tags: ['compliance'],
        summary: 'the preset a campaign applies, with its overrides',
        params: idParam,
        response: { 200: presetView, ...errorResponses },
      },
    },
    async (request) => json(await campaignPresetOf(db, request.params.id)),
  );

  api.get(
    '/api/retention',
    {
      config: { access: 'compliance.read' },
      schema: {
        tags: ['compliance'],
        summary:
          'per kind of record and campaign: rows, oldest, the minimum kept, what is due for purge (at: default now)',
        querystring: z.strictObject({ at: instant.optional() }),
        response: {
          200: z.strictObject({
            at: z.string(),
            rows: z.array(
              z.strictObject({
                kind: z.string(),
                campaignId: z.number().nullable(),
                preset: z.string(),
                minimumDays: z.number(),
                rows: z.number(),
                oldest: z.string().nullable(),
                oldestKeptUntil: z.string().nullable(),
                cutoff: z.string(),
                due: z.number(),
                purge: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const at = request.query.at ? new Date(request.query.at) : deps.clock.now();
      const rows = await retentionReport(db, at);
      return {
        at: iso(at),
        rows: rows.map((r) => ({
          kind: r.kind,
          campaignId: r.campaignId ?? null,
          preset: r.preset,
          minimumDays: r.minimumDays,
          rows: Number(r.rows),
          oldest: isoOrNull(r.oldest),
          oldestKeptUntil: isoOrNull(r.oldestKeptUntil),
          cutoff: iso(r.cutoff),
          due: Number(r.due),
          purge: r.purge,
        })),
      };
    },
  );

  const purgedRecordings = z.strictObject({
    purged: z.array(z.strictObject({ id: z.number(), name: z.string(), sha256: z.string().nullable() })),
    kept: z.number(),
  });

  api.post(
    '/api/retention/purge',
    {
      config: { access: 'retention.purge' },
      schema: {
        tags: ['compliance'],
        summary:
          'delete the records of a kind past their minimum, audited (the chained kinds: their oldest prefix only); dryRun counts',
        body: z.strictObject({
          kind: z.enum(PURGE_KINDS),
          at: instant.optional().describe('the moment to purge for (default now; never later)'),
          dryRun: z.boolean().default(false),
        }),
        response: {
          200: z.strictObject({
            kind: z.string(),
            dryRun: z.boolean(),
            chain: z
              .record(z.string(), z.unknown())
              .optional()
              .describe('the chained kinds: the purge record'),
            due: z.array(z.number()).optional().describe('recordings, dry run: the ids that would go'),
            recordings: purgedRecordings.optional(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const b = request.body;
      const purge = await purgeRetention({ db, folder }, principalOf(request), {
        kind: b.kind,
        ...(b.at ? { at: new Date(b.at) } : {}),
        now: deps.clock.now(),
        dryRun: b.dryRun,
      });
      if (purge.kind !== 'recordings')
        return { kind: purge.kind, dryRun: b.dryRun, chain: json(purge.result) };
      if (purge.dryRun) return { kind: 'recordings', dryRun: true, due: purge.due };
      return { kind: 'recordings', dryRun: false, recordings: purge.result };
    },
  );

  api.post(
    '/api/recordings/purge',
    {
      config: { access: 'recording.purge' },
      schema: {
        tags: ['recordings'],
        summary: 'delete the files of recordings whose retention is over (each audited, its digest kept)',
        body: z.strictObject({ at: instant.optional() }),
        response: { 200: purgedRecordings, ...errorResponses },
      },
    },
    async (request) => {
      const at = request.body.at ? new Date(request.body.at) : deps.clock.now();
      return purgeRecordings({ db, folder: folder() }, principalOf(request), at);
    },
  );
}
