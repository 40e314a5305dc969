import { access, constants, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DatabaseHandle } from '../../db/connect.ts';
import { completeBatch, findBatchByFile, insertBatch, rejectedRowsOf } from '../../db/queries/batches.ts';
import { getCampaignDefinition } from '../../db/queries/campaigns.ts';
import { createStage, STAGE_TABLE, screenAndStore, screenOnly } from '../../db/queries/import-screening.ts';
import { type ImportSession, withImportSession } from '../../db/queries/import-session.ts';
import type { Clock } from '../../engine/platform/clock.ts';
import { ConflictError, UsageError, UserError } from '../../engine/platform/errors.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import type { ColumnMapSpec } from './column-map.ts';
import type { DelimiterChoice } from './csv-delimiter.ts';
import {
  archivedName,
  archiveFolder,
  digestFile,
  moveFile,
  receiveIntoArchive,
  rejectReportName,
  removeFiles,
  retainUntil,
} from './custody.ts';
import { ImportFileError } from './import-file-error.ts';
import type { EncodingChoice } from './list-decoder.ts';
import { createPhoneNormalizer, isKnownRegion } from './phone-normalizer.ts';
import { type ListLimits, readList, STAGE_COLUMNS } from './read-list.ts';
import { emptyRejectCounts, type RejectReason } from './reject-reasons.ts';
import { writeRejectReport } from './reject-report.ts';

/**
 * `dialer list import`: one received list → one batch, all or nothing.
 *
 * The file is copied into the archive and hashed, then streamed (decode → CSV → normalize) into
 * a temporary staging table with COPY, and one set-based statement screens every row and writes
 * contacts and rejected rows, all in one transaction. Any failure — a malformed line, a refusal,
 * an interruption — rolls it back and removes the archive copy: no batch, no contact, no file.
 */

export interface ImportListOptions {
  readonly campaignId: number;
  readonly file: string;
  readonly sourceRef?: string | undefined;
  readonly receivedBy?: string | undefined;
  readonly map?: ColumnMapSpec | undefined;
  readonly encoding?: EncodingChoice | undefined;
  /** The cell separator; default `auto` (read from the header line). */
  readonly delimiter?: DelimiterChoice | undefined;
  /** Numbering region for numbers without a country code; default the campaign's. */
  readonly region?: string | undefined;
  readonly dryRun?: boolean | undefined;
  /** Import a file already imported into this campaign (its numbers are then already_in_campaign). */
  readonly force?: boolean | undefined;
  /** Root of the archive (config.archiveDir or <dataDir>/archive). */
  readonly archiveRoot: string;
  /** The installation's minimum retention (config.retentionDays); the campaign's may be longer. */
  readonly retentionDays?: number | undefined;
  /** Cell, row and column limits (config.limits); defaults when absent. */
  readonly limits?: ListLimits | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ImportListDeps {
  readonly handle: DatabaseHandle;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Who ran the import, for the audit log. */
  readonly actor: string;
  /** Told how long each phase took (the benchmark prints them). */
  readonly onPhase?: ((phase: ImportPhase, milliseconds: number) => void) | undefined;
}

export type ImportPhase = 'receive' | 'stage' | 'screen' | 'report' | 'commit';

/** Exactly what `--json` prints. */
export interface ImportListResult {
  batchId: number | null;
  rows: number;
  imported: number;
  held: number;
  rejected: Record<RejectReason, number>;
  rejectReport: string | null;
}

export async function importList(
  options: ImportListOptions,
  deps: ImportListDeps,
): Promise<ImportListResult> {
  const { handle, clock, logger } = deps;
  const { row: campaign, definition } = await getCampaignDefinition(handle.db, options.campaignId);
  const region = (options.region ?? definition.region).toUpperCase();
  if (!isKnownRegion(region)) throw new UsageError(`--region ${region} is not a known numbering region`);
  await assertReadable(options.file);
  const fileName = basename(options.file);
  const receivedAt = clock.now();
  const retentionDays = Math.max(definition.retentionDays, options.retentionDays ?? 0);
  const log = logger.child({ campaignId: campaign.id, file: fileName });
  const phases: Partial<Record<ImportPhase, number>> = {};
  let mark = performance.now();
  const phase = (name: ImportPhase) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    deps.onPhase?.(name, now - mark);
    mark = now;
  };

  // What the import reads: the archive copy (so the hash is of the bytes kept), or for a dry run
  // the file itself, since a dry run writes nothing.
  const folder = archiveFolder(options.archiveRoot, receivedAt);
  const received = options.dryRun
    ? { path: options.file, ...(await digestFile(options.file)) }
    : await receiveIntoArchive(options.file, folder);
  const written: string[] = options.dryRun ? [] : [received.path];
  phase('receive');

  try {
    const done = await withImportSession(handle, !options.dryRun, async (session) => {
      // One import per campaign at a time: the same-file check and the duplicate screening
      // must see every earlier batch committed.
      await session.query('select pg_advisory_xact_lock($1, $2)', [0x4c495354 /* "LIST" */, campaign.id]);
      const earlier = await findBatchByFile(session, campaign.id, received.sha256);
      if (earlier && !options.force) {
        throw new ConflictError(
          `${fileName} (sha256 ${received.sha256.slice(0, 12)}…) was already imported into campaign ${campaign.id} ` +
            `as batch ${earlier.id} on ${new Date(earlier.received_at).toISOString().slice(0, 10)}; ` +
            'use --force to import it again (its numbers are then rejected as already_in_campaign)',
        );
      }

      const reader = readList({
        path: received.path,
        encoding: options.encoding ?? 'auto',
        delimiter: options.delimiter ?? 'auto',
        map: options.map ?? {},
        normalizer: createPhoneNormalizer(region),
        defaultTimeZone: definition.defaultTimeZone,
        limits: options.limits,
      });
      await createStage(session);
      await session.copyIn(STAGE_TABLE, STAGE_COLUMNS, abortable(reader.chunks, options.signal));
      const stats = reader.stats;
      phase('stage');
      const scope = { campaignId: campaign.id, clientId: campaign.client_id, now: receivedAt };

      if (options.dryRun) {
        const counts = await screenOnly(session, scope);
        return result(null, stats.rows, counts, null);
      }

      const batchId = await insertBatch(session, {
        clientId: campaign.client_id,
        campaignId: campaign.id,
        sourceRef: options.sourceRef ?? null,
        receivedBy: options.receivedBy ?? null,
        receivedAt,
        fileName,
        fileSha256: received.sha256,
        fileBytes: received.bytes,
        encoding: stats.encoding ?? null,
        retainUntil: retainUntil(receivedAt, retentionDays),
        forced: Boolean(earlier),
      });
      const counts = await screenAndStore(session, { ...scope, batchId });
      phase('screen');
      throwIfInterrupted(options.signal);
      const outcome = result(batchId, stats.rows, counts, join(folder, rejectReportName(batchId, fileName)));

      const archivePath = join(folder, archivedName(batchId, fileName));
      await moveFile(received.path, archivePath);
      written[0] = archivePath;
      written.push(outcome.rejectReport!);
      await writeRejectReport(outcome.rejectReport!, stats.headers, rejectedRowsOf(session, batchId));

      await completeBatch(session, batchId, {
        rows: outcome.rows,
        imported: outcome.imported,
        held: outcome.held,
        rejected: outcome.rejected,
        archivePath,
        rejectReportPath: outcome.rejectReport,
      });
      await recordImportAudit(session, deps.actor, receivedAt, batchId, outcome, received.sha256);
      phase('report');
      throwIfInterrupted(options.signal);
      return outcome;
    });
    if (!options.dryRun) {
      phase('commit');
      log.info(
        { batchId: done.batchId, rows: done.rows, imported: done.imported, held: done.held, ms: phases },
        'list imported',
      );
    }
    return done;
  } catch (error) {
    await removeFiles(written);
    if (error instanceof ImportFileError) throw error.inFile(fileName);
    throw error;
  }
}

function result(
  batchId: number | null,
  rows: number,
  counts: { imported: number; held: number; rejected: Record<string, number> },
  rejectReport: string | null,
): ImportListResult {
  const rejected = emptyRejectCounts();
  for (const [reason, n] of Object.entries(counts.rejected)) rejected[reason as RejectReason] = n;
  const outcome = { batchId, rows, imported: counts.imported, held: counts.held, rejected, rejectReport };
  const accounted = outcome.imported + outcome.held + Object.values(rejected).reduce((a, b) => a + b, 0);
  // The invariant the licence asks for; if it ever fails, nothing is committed.
  if (accounted !== rows) {
    throw new Error(`import accounting does not add up: ${rows} rows but ${accounted} accounted for`);
  }
  return outcome;
}

async function recordImportAudit(
  session: ImportSession,
  actor: string,
  at: Date,
  batchId: number,
  outcome: ImportListResult,
  sha256: string,
): Promise<void> {
  await session.query(
    'insert into audit_log (at, actor, action, subject, details) values ($1, $2, $3, $4, $5)',
    [
      at,
      actor,
      'list.import',
      `batch:${batchId}`,
      JSON.stringify({
        rows: outcome.rows,
        imported: outcome.imported,
        held: outcome.held,
        rejected: outcome.rejected,
        sha256,
      }),
    ],
  );
}

async function assertReadable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
    if (!(await stat(path)).isFile()) throw new UserError(`${path} is not a file`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UserError('import interrupted: nothing was imported', 'interrupted');
}

/** Stops the stream at the next chunk once the signal fires (Ctrl-C): the transaction rolls back. */
async function* abortable(chunks: AsyncGenerator<string>, signal: AbortSignal | undefined) {
  for await (const chunk of chunks) {
    throwIfInterrupted(signal);
    yield chunk;
  }
}
