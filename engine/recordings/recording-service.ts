import { closeSync, rmSync, writeSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { recordAudit } from '../../db/queries/audit.ts';
import { getCampaignDefinition } from '../../db/queries/campaigns.ts';
import { listRecordingEvaluations } from '../../db/queries/qa.ts';
import {
  callFactsOf,
  findRecording,
  listRecordings,
  lockRecording,
  markRecordingPurged,
  type Recording,
  type RecordingFilter,
  type RecordingListItem,
  recordingsDueForPurge,
} from '../../db/queries/recordings.ts';
import type { Database } from '../../db/schema.ts';
import { decide, type Permission, type Principal } from '../access/permissions.ts';
import { recordingRetentionDays } from '../compliance/recording-policy.ts';
import { NotFoundError, UserError } from '../platform/errors.ts';
import { openPrivateFile } from '../platform/private-files.ts';
import type { RecordingFolder } from './recording-files-store.ts';

/**
 * Recordings for quality inspection: browse, show, download, purge. The one place these rules
 * live; the CLI and the HTTP API both call it with the authenticated principal, and each
 * function checks that principal's permission itself (a caller cannot forget it).
 */

export class RecordingAccessError extends UserError {
  constructor(principal: Principal, permission: Permission, needs: readonly string[]) {
    super(
      `${principal.name} (${principal.role}) may not ${permission.replace('.', ' ')}: it needs the role ${needs.join(' or ')}`,
      'forbidden',
    );
  }
}

function require(principal: Principal, permission: Permission): void {
  const decision = decide(principal, permission);
  if (!decision.allowed) throw new RecordingAccessError(principal, permission, decision.needs);
}

export async function browseRecordings(
  db: Kysely<Database>,
  principal: Principal,
  filter: RecordingFilter,
): Promise<RecordingListItem[]> {
  require(principal, 'recording.read');
  return listRecordings(db, filter);
}

export interface RecordingDetail extends Recording {
  facts: Array<{ kind: string; data: Record<string, unknown>; at: Date }>;
  evaluations: Array<{
    id: number;
    evaluator: string;
    score: number;
    passed: boolean;
    correctsEvaluationId: number | null;
    recordedAt: Date;
  }>;
}

export async function showRecording(
  db: Kysely<Database>,
  principal: Principal,
  id: number,
): Promise<RecordingDetail> {
  require(principal, 'recording.read');
  const recording = await findRecording(db, { id });
  if (!recording) throw new NotFoundError('recording', id);
  const facts = recording.attemptId === null ? [] : await callFactsOf(db, recording.attemptId);
  const evaluations = await listRecordingEvaluations(db, id);
  return {
    ...recording,
    facts,
    evaluations: evaluations.map((e) => ({
      id: e.id,
      evaluator: e.evaluator,
      score: e.score,
      passed: e.passed,
      correctsEvaluationId: e.corrects_evaluation_id,
      recordedAt: e.recorded_at,
    })),
  };
}

/** A stored recording's bytes, checked against its recorded SHA-256 (refused roles read nothing). */
async function verifiedFile(
  deps: { db: Kysely<Database>; folder: RecordingFolder },
  principal: Principal,
  id: number,
): Promise<{ recording: Recording & { sha256: string }; bytes: Buffer }> {
  require(principal, 'recording.download');
  const recording = await findRecording(deps.db, { id });
  if (!recording) throw new NotFoundError('recording', id);
  if (recording.state !== 'stored' || !recording.location || !recording.sha256) {
    throw new UserError(
      `recording ${id} is ${recording.state}: there is no file to download`,
      'recording_unavailable',
    );
  }
  const bytes = deps.folder.readVerified(recording.location, recording.sha256);
  return { recording: { ...recording, sha256: recording.sha256 }, bytes };
}

function auditDownload(
  db: Kysely<Database>,
  principal: Principal,
  recording: Recording,
  sizeBytes: number,
  now: Date,
): Promise<void> {
  return recordAudit(db, {
    actor: principal.name,
    role: principal.role,
    action: 'recording.download',
    subject: `recording:${recording.id}`,
    details: {
      recording: recording.name,
      attemptId: recording.attemptId,
      sha256: recording.sha256,
      sizeBytes,
    },
    at: now,
  });
}

/**
 * Copies a stored recording to `output` (created 0600, never over an existing file), after
 * checking the stored file against the SHA-256 recorded when it was stored; audited with that
 * digest. A refused role, a purged or failed recording, or a file that does not match its
 * digest writes nothing and changes nothing.
 */
export async function downloadRecording(
  deps: { db: Kysely<Database>; folder: RecordingFolder },
  principal: Principal,
  id: number,
  output: string,
  now: Date = new Date(),
): Promise<{ recording: Recording; output: string; sha256: string; sizeBytes: number }> {
  const { recording, bytes } = await verifiedFile(deps, principal, id);
  const fd = openPrivateFile(output, 'wx');
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
  try {
    await auditDownload(deps.db, principal, recording, bytes.length, now);
  } catch (error) {
    // Not audited, not handed out.
    rmSync(output, { force: true });
    throw error;
  }
  return { recording, output, sha256: recording.sha256, sizeBytes: bytes.length };
}

/**
 * The same rules for a caller that hands the bytes out itself (the HTTP API): checked against
 * the recorded SHA-256 and audited before they are returned; a failed audit returns nothing.
 */
export async function recordingForDownload(
  deps: { db: Kysely<Database>; folder: RecordingFolder },
  principal: Principal,
  id: number,
  now: Date = new Date(),
): Promise<{ recording: Recording; bytes: Buffer; sha256: string }> {
  const { recording, bytes } = await verifiedFile(deps, principal, id);
  await auditDownload(deps.db, principal, recording, bytes.length, now);
  return { recording, bytes, sha256: recording.sha256 };
}

export interface PurgeResult {
  purged: Array<{ id: number; name: string; sha256: string | null }>;
  /** Due by the stored date but kept: the campaign's retention (or the jurisdiction's minimum) is longer now. */
  kept: number;
}

/**
 * Deletes the files of stored recordings whose retention is over. Each one in its own
 * transaction: the row locked, the retention checked again against the campaign's current
 * setting and the jurisdiction's minimum (never shorter), the file removed, the row marked
 * purged (its digest stays), and an audit entry with the digest, inserted last (evidence).
 */
export async function purgeRecordings(
  deps: { db: Kysely<Database>; folder: RecordingFolder },
  principal: Principal,
  now: Date,
): Promise<PurgeResult> {
  require(principal, 'recording.purge');
  const result: PurgeResult = { purged: [], kept: 0 };
  for (const due of await recordingsDueForPurge(deps.db, now)) {
    await deps.db.transaction().execute(async (trx) => {
      const row = await lockRecording(trx, due.id);
      if (row?.state !== 'stored' || !row.location) return;
      if (row.campaignId !== null) {
        const { definition } = await getCampaignDefinition(trx, row.campaignId);
        const keepUntil =
          (row.storedAt ?? row.startedAt).getTime() + recordingRetentionDays(definition) * 86_400_000;
        if (keepUntil > now.getTime()) {
          result.kept += 1;
          return;
        }
      }
      deps.folder.remove(row.location);
      await markRecordingPurged(trx, row.id, now);
      await recordAudit(trx, {
        actor: principal.name,
        role: principal.role,
        action: 'recording.purge',
        subject: `recording:${row.id}`,
        details: {
          recording: row.name,
          attemptId: row.attemptId,
          sha256: row.sha256,
          sizeBytes: row.sizeBytes,
          storedAt: row.storedAt,
        },
        at: now,
      });
      result.purged.push({ id: row.id, name: row.name, sha256: row.sha256 });
    });
  }
  return result;
}
