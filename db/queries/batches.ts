import type { Kysely } from 'kysely';
import { NotFoundError } from '../../engine/platform/errors.ts';
import type { BatchRow, Database } from '../schema.ts';
import type { ImportSession } from './import-session.ts';

/**
 * Batches: one received list each, with its custody record (provenance, archive, hash, retention)
 * and its accounting (rows = imported + held + Σ rejected). Writes run on the import's session,
 * inside its transaction; reads use kysely.
 */

export interface NewBatch {
  clientId: number;
  campaignId: number;
  sourceRef: string | null;
  receivedBy: string | null;
  receivedAt: Date;
  fileName: string;
  fileSha256: string;
  fileBytes: number;
  encoding: string | null;
  retainUntil: string;
  forced: boolean;
}

export async function insertBatch(session: ImportSession, batch: NewBatch): Promise<number> {
  const [row] = await session.query<{ id: number }>(
    `insert into batches (client_id, campaign_id, source_ref, received_by, received_at, file_name,
       file_sha256, file_bytes, encoding, retain_until, forced)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id`,
    [
      batch.clientId,
      batch.campaignId,
      batch.sourceRef,
      batch.receivedBy,
      batch.receivedAt,
      batch.fileName,
      batch.fileSha256,
      batch.fileBytes,
      batch.encoding,
      batch.retainUntil,
      batch.forced,
    ],
  );
  return row!.id;
}

export interface BatchOutcome {
  rows: number;
  imported: number;
  held: number;
  rejected: Record<string, number>;
  archivePath: string | null;
  rejectReportPath: string | null;
}

export async function completeBatch(session: ImportSession, batchId: number, outcome: BatchOutcome) {
  const rejectedTotal = Object.values(outcome.rejected).reduce((a, b) => a + b, 0);
  await session.query(
    `update batches set rows_total = $2, rows_imported = $3, rows_held = $4, rows_rejected = $5,
       rejected_by_reason = $6, archive_path = $7, reject_report_path = $8
     where id = $1`,
    [
      batchId,
      outcome.rows,
      outcome.imported,
      outcome.held,
      rejectedTotal,
      JSON.stringify(outcome.rejected),
      outcome.archivePath,
      outcome.rejectReportPath,
    ],
  );
}

/** An earlier batch of the same file (same SHA-256) into the same campaign, if any. */
export async function findBatchByFile(
  session: ImportSession,
  campaignId: number,
  sha256: string,
): Promise<{ id: number; received_at: Date } | undefined> {
  const [row] = await session.query<{ id: number; received_at: Date }>(
    'select id, received_at from batches where campaign_id = $1 and file_sha256 = $2 order by id limit 1',
    [campaignId, sha256],
  );
  return row;
}

export interface RejectedRowPage {
  line_number: number;
  reason: string;
  detail: string | null;
  raw_row: string;
}

/** A batch's rejected rows in line order, a page at a time (keyset on line_number). */
export async function* rejectedRowsOf(
  session: ImportSession,
  batchId: number,
  pageSize = 20_000,
): AsyncGenerator<RejectedRowPage[]> {
  let after = 0;
  for (;;) {
    const page = await session.query<RejectedRowPage>(
      `select line_number, reason, detail, raw_row from rejected_rows
        where batch_id = $1 and line_number > $2 order by line_number limit $3`,
      [batchId, after, pageSize],
    );
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.line_number;
    if (page.length < pageSize) return;
  }
}

export function listBatches(db: Kysely<Database>, campaignId?: number): Promise<BatchRow[]> {
  let query = db.selectFrom('batches').selectAll().orderBy('id', 'desc');
  if (campaignId !== undefined) query = query.where('campaign_id', '=', campaignId);
  return query.limit(200).execute();
}

export interface HeldContact {
  id: number;
  batch_id: number | null;
  line_number: number | null;
  phone_e164: string;
  time_zone: string;
  created_at: Date;
}

/** Contacts held for a re-marketing approval (full numbers: the caller masks them). */
export function listHeldContacts(
  db: Kysely<Database>,
  campaignId: number,
  limit = 1000,
): Promise<HeldContact[]> {
  return db
    .selectFrom('contacts')
    .select(['id', 'batch_id', 'line_number', 'phone_e164', 'time_zone', 'created_at'])
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'awaiting_approval')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countHeldContacts(db: Kysely<Database>, campaignId: number): Promise<number> {
  const row = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'awaiting_approval')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A rejected row of a batch as the views show it (before masking). */
export interface RejectedRow {
  line: number;
  reason: string;
  detail: string | null;
  phoneE164: string | null;
}

/**
 * One page of a batch's rejected rows in line order: the first `limit` after line `after` (0: from
 * the start). Keyset on line_number, like `rejectedRowsOf`: a line of the file gets one verdict, so
 * within a batch the line is a key, and the next page starts after the last line shown. Served by
 * the index rejected_rows_batch (batch_id, line_number) as a range scan in order, no sort, so the
 * last page of a million rejects costs what the first does (an offset would read every row before
 * it). No lock: an imported batch's rejected rows are never changed.
 */
export async function listRejectedRows(
  db: Kysely<Database>,
  batchId: number,
  page: { after?: number; limit: number },
): Promise<RejectedRow[]> {
  const rows = await db
    .selectFrom('rejected_rows')
    .select(['line_number', 'reason', 'detail', 'phone_e164'])
    .where('batch_id', '=', batchId)
    .where('line_number', '>', page.after ?? 0)
    .orderBy('line_number')
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({
    line: r.line_number,
    reason: r.reason,
    detail: r.detail,
    phoneE164: r.phone_e164,
  }));
}

export async function getBatch(db: Kysely<Database>, id: number): Promise<BatchRow> {
  const row = await db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('batch', id);
  return row;
}
