import { z } from 'zod';
import type { RecordingState } from '../../../db/schema.ts';
import { recordingsRoot } from '../../../engine/platform/config.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import {
  campaignQaForm,
  defineQaForm,
  qaResults,
  scoreRecording,
} from '../../../engine/recordings/qa-service.ts';
import { RecordingFolder } from '../../../engine/recordings/recording-files-store.ts';
import {
  browseRecordings,
  recordingForDownload,
  showRecording,
} from '../../../engine/recordings/recording-service.ts';
import { auditAgentOperation, authorizeAgentOperation } from '../../../engine/services/agent-operations.ts';
import { sendAgentCallToSatisfaction } from '../../../engine/services/agent-satisfaction.ts';
import { parseInstant } from '../../cli/commands/compliance-args.ts';
import { type Api, type ApiDeps, actorOf, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { isoOrNull } from '../json.ts';
import { limitQuery } from '../schemas.ts';

/**
 * Recordings and quality inspection: the same services as `dialer recording …` and
 * `dialer qa …` (engine/recordings), which check the principal's permission again themselves.
 * Rows carry contact ids, never phone numbers; the file's place on disk never leaves.
 */

const id = z.coerce.number().int().min(1).max(2147483647);
const STATES = ['recording', 'stored', 'failed', 'purged'] as const satisfies readonly RecordingState[];
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const seconds = z.coerce.number().int().min(0).max(2147483647);

const recordingView = z.strictObject({
  id: z.number(),
  name: z.string(),
  attemptId: z.number().nullable(),
  campaignId: z.number().nullable(),
  agentId: z.number().nullable(),
  contactId: z.number().nullable(),
  format: z.string(),
  state: z.enum(STATES),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  failure: z.string().nullable(),
  storedAt: z.string().nullable(),
  purgeAfter: z.string().nullable(),
  purgedAt: z.string().nullable(),
});
const listItemView = recordingView.extend({ result: z.string().nullable(), outcome: z.string().nullable() });

interface RecordingLike {
  id: number;
  name: string;
  attemptId: number | null;
  campaignId: number | null;
  agentId: number | null;
  contactId: number | null;
  format: string;
  state: RecordingState;
  startedAt: Date;
  endedAt: Date | null;
  durationSeconds: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  failure: string | null;
  storedAt: Date | null;
  purgeAfter: Date | null;
  purgedAt: Date | null;
}

function recordingJson(r: RecordingLike): z.infer<typeof recordingView> {
  return {
    id: r.id,
    name: r.name,
    attemptId: r.attemptId,
    campaignId: r.campaignId,
    agentId: r.agentId,
    contactId: r.contactId,
    format: r.format,
    state: r.state,
    startedAt: r.startedAt.toISOString(),
    endedAt: isoOrNull(r.endedAt),
    durationSeconds: r.durationSeconds,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    failure: r.failure,
    storedAt: isoOrNull(r.storedAt),
    purgeAfter: isoOrNull(r.purgeAfter),
    purgedAt: isoOrNull(r.purgedAt),
  };
}

const criterionView = z.strictObject({
  id: z.string(),
  label: z.string(),
  weight: z.number(),
  maxPoints: z.number(),
});
const qaFormView = z.strictObject({
  id: z.number(),
  campaignId: z.number(),
  version: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
  form: z.strictObject({ name: z.string(), passMark: z.number(), criteria: z.array(criterionView) }),
});

function formJson(f: {
  id: number;
  campaignId: number;
  version: number;
  createdBy: string;
  createdAt: Date;
  form: z.infer<typeof qaFormView>['form'];
}): z.infer<typeof qaFormView> {
  return {
    id: f.id,
    campaignId: f.campaignId,
    version: f.version,
    createdBy: f.createdBy,
    createdAt: f.createdAt.toISOString(),
    form: f.form,
  };
}

const evaluationView = z.strictObject({
  id: z.number(),
  recordingId: z.number(),
  formId: z.number(),
  campaignId: z.number(),
  agentId: z.number().nullable(),
  evaluator: z.string(),
  scores: z.record(z.string(), z.number()),
  score: z.number(),
  passed: z.boolean(),
  note: z.string().nullable(),
  recordedAt: z.string(),
  correctsEvaluationId: z.number().nullable(),
  correctionReason: z.string().nullable(),
  rowHash: z.string().nullable(),
});

export function recordingRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;
  // Resolved per request: a server on PostgreSQL without a recordings folder still serves
  // everything else, and says why a download cannot be made.
  const folder = () => new RecordingFolder(recordingsRoot(deps.config));

  api.get(
    '/api/recordings',
    {
      config: { access: 'recording.read' },
      schema: {
        tags: ['recordings'],
        summary: 'recordings, newest first, filtered like `dialer recording list` (contact ids, no numbers)',
        querystring: z.strictObject({
          campaign: id.optional(),
          agent: id.optional(),
          day: day.optional(),
          outcome: z.string().min(1).max(FIELD_LIMITS.code).optional(),
          minDuration: seconds.optional(),
          maxDuration: seconds.optional(),
          state: z.enum(STATES).optional(),
          limit: limitQuery.default(100),
        }),
        response: { 200: z.array(listItemView), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const from = q.day ? parseInstant(q.day, 'day') : undefined;
      const rows = await browseRecordings(db, principalOf(request), {
        ...(q.campaign !== undefined ? { campaignId: q.campaign } : {}),
        ...(q.agent !== undefined ? { agentId: q.agent } : {}),
        ...(from ? { from, to: new Date(from.getTime() + 86_400_000) } : {}),
        ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
        ...(q.minDuration !== undefined ? { minDurationSeconds: q.minDuration } : {}),
        ...(q.maxDuration !== undefined ? { maxDurationSeconds: q.maxDuration } : {}),
        ...(q.state !== undefined ? { state: q.state } : {}),
        limit: q.limit,
      });
      return rows.map((r) => ({ ...recordingJson(r), result: r.result, outcome: r.outcome }));
    },
  );

  api.get(
    '/api/recordings/:id',
    {
      config: { access: 'recording.read' },
      schema: {
        tags: ['recordings'],
        summary: 'one recording: its call facts (notice, satisfaction), its evaluations',
        params: z.strictObject({ id }),
        response: {
          200: recordingView.extend({
            facts: z.array(
              z.strictObject({ kind: z.string(), data: z.record(z.string(), z.unknown()), at: z.string() }),
            ),
            evaluations: z.array(
              z.strictObject({
                id: z.number(),
                evaluator: z.string(),
                score: z.number(),
                passed: z.boolean(),
                correctsEvaluationId: z.number().nullable(),
                recordedAt: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const detail = await showRecording(db, principalOf(request), request.params.id);
      return {
        ...recordingJson(detail),
        facts: detail.facts.map((f) => ({ kind: f.kind, data: f.data, at: new Date(f.at).toISOString() })),
        evaluations: detail.evaluations.map((e) => ({ ...e, recordedAt: e.recordedAt.toISOString() })),
      };
    },
  );

  api.get(
    '/api/recordings/:id/file',
    {
      config: { access: 'recording.download' },
      schema: {
        tags: ['recordings'],
        summary: 'the recording’s file (audio/wav), checked against its SHA-256 and audited',
        params: z.strictObject({ id }),
        // No response schema: the body is the file's bytes (errors keep the API's shape).
      },
    },
    async (request, reply) => {
      const file = await recordingForDownload(
        { db, folder: folder() },
        principalOf(request),
        request.params.id,
        deps.clock.now(),
      );
      return reply
        .header('content-type', file.recording.format === 'wav' ? 'audio/wav' : 'application/octet-stream')
        .header(
          'content-disposition',
          `attachment; filename="${file.recording.name}.${file.recording.format}"`,
        )
        .header('x-content-sha256', file.sha256)
        .header('cache-control', 'no-store')
        .send(file.bytes);
    },
  );

  api.get(
    '/api/campaigns/:id/qa-form',
    {
      config: { access: 'qa.read' },
      schema: {
        tags: ['qa'],
        summary: 'the campaign’s current evaluation form (404 when it has none)',
        params: z.strictObject({ id }),
        response: { 200: qaFormView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await campaignQaForm(db, principalOf(request), request.params.id);
      if (!current) {
        return reply.code(404).send({
          error: { code: 'not_found', message: `campaign ${request.params.id} has no evaluation form` },
        });
      }
      return formJson(current);
    },
  );

  api.put(
    '/api/campaigns/:id/qa-form',
    {
      config: { access: 'qa.form' },
      schema: {
        tags: ['qa'],
        summary: 'a new version of the campaign’s evaluation form {name, passMark, criteria}',
        params: z.strictObject({ id }),
        // The service parses the form with its own schema (errors as 422 with the fields).
        body: z.record(z.string(), z.unknown()),
        response: { 200: qaFormView, ...errorResponses },
      },
    },
    async (request) => {
      const saved = await defineQaForm(
        db,
        principalOf(request),
        request.params.id,
        request.body,
        deps.clock.now(),
      );
      return formJson(saved);
    },
  );

  api.post(
    '/api/recordings/:id/evaluations',
    {
      config: { access: 'qa.score' },
      schema: {
        tags: ['qa'],
        summary: 'evaluate a recording (append-only; `corrects` records a correction of an evaluation)',
        params: z.strictObject({ id }),
        body: z.strictObject({
          points: z.record(z.string().regex(/^[a-z0-9_]+$/), z.number().int().min(0).max(100)),
          note: z.string().max(FIELD_LIMITS.text).optional(),
          corrects: z
            .strictObject({ evaluationId: id, reason: z.string().min(1).max(FIELD_LIMITS.text) })
            .optional(),
        }),
        response: { 200: evaluationView, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const evaluation = await scoreRecording(
        db,
        principalOf(request),
        {
          recordingId: request.params.id,
          points: b.points,
          ...(b.note !== undefined ? { note: b.note } : {}),
          ...(b.corrects ? { corrects: b.corrects } : {}),
        },
        deps.clock.now(),
      );
      return { ...evaluation, recordedAt: evaluation.recordedAt.toISOString() };
    },
  );

  api.get(
    '/api/qa/report',
    {
      config: { access: 'qa.read' },
      schema: {
        tags: ['qa'],
        summary: 'QA results per campaign and agent (standing evaluations), default the last 30 days',
        querystring: z.strictObject({
          campaign: id.optional(),
          from: z.string().max(40).optional(),
          to: z.string().max(40).optional(),
        }),
        response: {
          200: z.array(
            z.strictObject({
              campaignId: z.number(),
              agentId: z.number().nullable(),
              agentCode: z.string().nullable(),
              evaluations: z.number(),
              averageScore: z.number(),
              passRate: z.number(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ? parseInstant(q.to, 'to') : deps.clock.now();
      const from = q.from ? parseInstant(q.from, 'from') : new Date(to.getTime() - 30 * 86_400_000);
      const rows = await qaResults(db, principalOf(request), {
        from,
        to,
        ...(q.campaign !== undefined ? { campaignId: q.campaign } : {}),
      });
      return rows.map((r) => ({ ...r }));
    },
  );

  api.post(
    '/api/agents/:code/satisfaction',
    {
      // Which agent the caller may operate is decided below (an agent: only their own; `me`).
      config: { access: 'authenticated' },
      schema: {
        tags: ['agents'],
        summary: 'send the customer of the agent’s current call to the satisfaction prompt (1–5)',
        params: z.strictObject({
          code: z
            .string()
            .max(FIELD_LIMITS.code)
            .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be an agent code such as agent-101, or me'),
        }),
        response: {
          200: z.strictObject({ agent: z.string(), attemptId: z.string(), campaignId: z.number() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const code = await authorizeAgentOperation(db, principalOf(request), request.params.code);
      const sent = await sendAgentCallToSatisfaction(
        { agents: deps.services.agents, runners: deps.host },
        code,
      );
      await auditAgentOperation(db, actorOf(request), code, 'satisfaction', { via: 'api', ...sent });
      deps.feed.poke();
      return { agent: code, ...sent };
    },
  );
}
