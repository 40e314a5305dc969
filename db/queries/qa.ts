import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface QaFormRow {
  id: number;
  campaignId: number;
  version: number;
  definition: unknown;
  createdBy: string;
  createdAt: Date;
}

/**
 * A new version of the campaign's form. The version is the next after the highest; two
 * managers saving at once: the unique (campaign_id, version) refuses the second (retry).
 */
export async function insertQaForm(
  db: Db,
  f: { campaignId: number; definition: unknown; createdBy: string; at: Date },
): Promise<QaFormRow> {
  const last = await db
    .selectFrom('qa_forms')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('campaign_id', '=', f.campaignId)
    .executeTakeFirst();
  const row = await db
    .insertInto('qa_forms')
    .values({
      campaign_id: f.campaignId,
      version: Number(last?.version ?? 0) + 1,
      definition: JSON.stringify(f.definition),
      created_by: f.createdBy,
      created_at: f.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toForm(row);
}

/** The campaign's current form (highest version), by the unique (campaign_id, version) index. */
export async function currentQaForm(db: Db, campaignId: number): Promise<QaFormRow | undefined> {
  const row = await db
    .selectFrom('qa_forms')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toForm(row) : undefined;
}

export async function qaFormById(db: Db, id: number): Promise<QaFormRow | undefined> {
  const row = await db.selectFrom('qa_forms').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toForm(row) : undefined;
}

function toForm(row: {
  id: number;
  campaign_id: number;
  version: number;
  definition: unknown;
  created_by: string;
  created_at: Date;
}): QaFormRow {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    version: row.version,
    definition: row.definition,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export interface QaEvaluation {
  id: number;
  recordingId: number;
  formId: number;
  campaignId: number;
  agentId: number | null;
  evaluator: string;
  scores: Record<string, number>;
  score: number;
  passed: boolean;
  note: string | null;
  recordedAt: Date;
  correctsEvaluationId: number | null;
  correctionReason: string | null;
  rowHash: string | null;
}

/**
 * Appends an evaluation (evidence: the database seals it into the evidence chain as it is
 * inserted; call it last in a transaction, and never with `on conflict do nothing`).
 */
export async function insertQaEvaluation(
  db: Db,
  e: Omit<QaEvaluation, 'id' | 'rowHash' | 'recordedAt'> & { recordedAt: Date },
): Promise<QaEvaluation> {
  const row = await db
    .insertInto('qa_evaluations')
    .values({
      recording_id: e.recordingId,
      form_id: e.formId,
      campaign_id: e.campaignId,
      agent_id: e.agentId,
      evaluator: e.evaluator,
      scores: JSON.stringify(e.scores),
      score: e.score,
      passed: e.passed,
      note: e.note,
      recorded_at: e.recordedAt,
      corrects_evaluation_id: e.correctsEvaluationId,
      correction_reason: e.correctionReason,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    recordingId: row.recording_id,
    formId: row.form_id,
    campaignId: row.campaign_id,
    agentId: row.agent_id,
    evaluator: row.evaluator,
    scores: row.scores,
    score: row.score,
    passed: row.passed,
    note: row.note,
    recordedAt: row.recorded_at,
    correctsEvaluationId: row.corrects_evaluation_id,
    correctionReason: row.correction_reason,
    rowHash: row.row_hash,
  };
}

/** A recording's evaluations, oldest first (index on recording_id; no lock). */
export function listRecordingEvaluations(db: Db, recordingId: number) {
  return db
    .selectFrom('qa_evaluations')
    .select(['id', 'evaluator', 'score', 'passed', 'corrects_evaluation_id', 'recorded_at'])
    .where('recording_id', '=', recordingId)
    .orderBy('id')
    .execute();
}

export async function qaEvaluationById(db: Db, id: number) {
  return db.selectFrom('qa_evaluations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether an evaluation has been corrected already (qa_evaluations_one_correction). */
export async function qaEvaluationCorrected(db: Db, id: number): Promise<boolean> {
  const row = await db
    .selectFrom('qa_evaluations')
    .select('id')
    .where('corrects_evaluation_id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

export interface QaReportRow {
  campaignId: number;
  agentId: number | null;
  agentCode: string | null;
  evaluations: number;
  averageScore: number;
  passRate: number;
}

/**
 * QA results per campaign and agent over [from, to): the standing evaluations only (one that a
 * later record corrects counts through its correction). Uses qa_evaluations_campaign_agent.
 */
export async function qaReport(
  db: Db,
  f: { from: Date; to: Date; campaignId?: number },
): Promise<QaReportRow[]> {
  const rows = await sql<{
    campaign_id: number;
    agent_id: number | null;
    agent_code: string | null;
    evaluations: number;
    average_score: number;
    pass_rate: number;
  }>`
    select e.campaign_id, e.agent_id, a.code as agent_code, count(*)::int as evaluations,
      round(avg(e.score)::numeric, 1)::float8 as average_score,
      round(avg(case when e.passed then 1 else 0 end)::numeric, 3)::float8 as pass_rate
    from qa_evaluations e
    left join agents a on a.id = e.agent_id
    where e.recorded_at >= ${f.from} and e.recorded_at < ${f.to}
      and not exists (select 1 from qa_evaluations c where c.corrects_evaluation_id = e.id)
      ${f.campaignId !== undefined ? sql`and e.campaign_id = ${f.campaignId}` : sql``}
    group by e.campaign_id, e.agent_id, a.code
    order by e.campaign_id, a.code nulls last`.execute(db);
  return rows.rows.map((r) => ({
    campaignId: r.campaign_id,
    agentId: r.agent_id,
    agentCode: r.agent_code,
    evaluations: Number(r.evaluations),
    averageScore: Number(r.average_score),
    passRate: Number(r.pass_rate),
  }));
}
