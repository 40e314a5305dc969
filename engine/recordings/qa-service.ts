import type { Kysely } from 'kysely';
import { getCampaign } from '../../db/queries/campaigns.ts';
import {
  currentQaForm,
  insertQaEvaluation,
  insertQaForm,
  type QaEvaluation,
  type QaFormRow,
  type QaReportRow,
  qaEvaluationById,
  qaEvaluationCorrected,
  qaFormById,
  qaReport,
} from '../../db/queries/qa.ts';
import { findRecording } from '../../db/queries/recordings.ts';
import type { Database } from '../../db/schema.ts';
import { decide, type Permission, type Principal } from '../access/permissions.ts';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.ts';
import { FIELD_LIMITS } from '../platform/field-limits.ts';
import { parseOrThrow } from '../platform/zod-error.ts';
import { type QaForm, qaFormSchema, scoreEvaluation } from './qa-form.ts';
import { RecordingAccessError } from './recording-service.ts';

/**
 * Quality inspection: evaluation forms per campaign (versioned), evaluations of recordings
 * (append-only evidence; a correction is a new record pointing at the one it corrects, with its
 * reason), and the QA report per agent and campaign. Called by the CLI and the HTTP API alike.
 */

function require(principal: Principal, permission: Permission): void {
  const decision = decide(principal, permission);
  if (!decision.allowed) throw new RecordingAccessError(principal, permission, decision.needs);
}

export async function defineQaForm(
  db: Kysely<Database>,
  principal: Principal,
  campaignId: number,
  input: unknown,
  now: Date = new Date(),
): Promise<QaFormRow & { form: QaForm }> {
  require(principal, 'qa.form');
  const form = parseOrThrow(qaFormSchema, input, 'evaluation form');
  await getCampaign(db, campaignId);
  const row = await insertQaForm(db, { campaignId, definition: form, createdBy: principal.name, at: now });
  return { ...row, form };
}

export async function campaignQaForm(
  db: Kysely<Database>,
  principal: Principal,
  campaignId: number,
): Promise<(QaFormRow & { form: QaForm }) | undefined> {
  require(principal, 'qa.read');
  const row = await currentQaForm(db, campaignId);
  return row ? { ...row, form: qaFormSchema.parse(row.definition) } : undefined;
}

export interface ScoreInput {
  recordingId: number;
  points: Record<string, number>;
  note?: string;
  /** A correction: the evaluation it replaces, and why. */
  corrects?: { evaluationId: number; reason: string };
}

/**
 * Records an evaluation of a recording against its campaign's current form (a correction: the
 * form of the evaluation it corrects). The recording must have been stored (a failed one has
 * nothing to listen to); a purged one can no longer be heard either, but may still be corrected.
 */
export async function scoreRecording(
  db: Kysely<Database>,
  principal: Principal,
  input: ScoreInput,
  now: Date = new Date(),
): Promise<QaEvaluation> {
  require(principal, 'qa.score');
  if (input.note !== undefined && input.note.length > FIELD_LIMITS.text) {
    throw new UserError(`--note must be at most ${FIELD_LIMITS.text} characters`, 'invalid');
  }
  const recording = await findRecording(db, { id: input.recordingId });
  if (!recording) throw new NotFoundError('recording', input.recordingId);
  if (recording.campaignId === null) throw new UserError(`recording ${recording.id} belongs to no campaign`);
  let form: QaFormRow | undefined;
  if (input.corrects) {
    if (input.corrects.reason.trim() === '') throw new UserError('a correction needs a reason', 'invalid');
    const previous = await qaEvaluationById(db, input.corrects.evaluationId);
    if (!previous || previous.recording_id !== recording.id) {
      throw new NotFoundError(`evaluation of recording ${recording.id}`, input.corrects.evaluationId);
    }
    if (await qaEvaluationCorrected(db, previous.id)) {
      throw new ConflictError(`evaluation ${previous.id} was corrected already: correct the newest record`);
    }
    form = await qaFormById(db, previous.form_id);
  } else {
    if (recording.state !== 'stored') {
      throw new UserError(
        `recording ${recording.id} is ${recording.state}: there is nothing to evaluate`,
        'recording_unavailable',
      );
    }
    form = await currentQaForm(db, recording.campaignId);
  }
  if (!form) {
    throw new UserError(
      `campaign ${recording.campaignId} has no evaluation form: define one with dialer qa form set`,
      'no_qa_form',
    );
  }
  const scored = scoreEvaluation(qaFormSchema.parse(form.definition), input.points);
  try {
    return await insertQaEvaluation(db, {
      recordingId: recording.id,
      formId: form.id,
      campaignId: recording.campaignId,
      agentId: recording.agentId,
      evaluator: principal.name,
      scores: scored.scores,
      score: scored.score,
      passed: scored.passed,
      note: input.note ?? null,
      recordedAt: now,
      correctsEvaluationId: input.corrects?.evaluationId ?? null,
      correctionReason: input.corrects?.reason ?? null,
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new ConflictError(
        `evaluation ${input.corrects?.evaluationId} was corrected meanwhile: correct the newest record`,
      );
    }
    throw error;
  }
}

export async function qaResults(
  db: Kysely<Database>,
  principal: Principal,
  filter: { from: Date; to: Date; campaignId?: number },
): Promise<QaReportRow[]> {
  require(principal, 'qa.read');
  return qaReport(db, filter);
}
