import type { Kysely } from 'kysely';
import type { ChainHead } from '../../engine/compliance/checkpoint.ts';
import type { Database } from '../schema.ts';
import { type CheckpointMismatch, checkChainHeads } from './chain-heads.ts';
import { type VerifyReport, verifyDialLog } from './dial-log-verify.ts';
import { type EvidenceReport, verifyEvidence } from './evidence-verify.ts';
import { type StaleAttempt, staleOpenAttempts } from './stale-attempts.ts';

/**
 * `dialer log verify`: every chain and every anomaly in one report.
 * - the dial log's chain (global, or one campaign's with --campaign);
 * - the evidence chain (outcomes, approvals, do-not-call events, audit log), unless one
 *   campaign's dial log was asked for;
 * - stale open rows (stale-attempts.ts): anomalies, they make the report fail;
 * - each checkpoint given: its signature, and that the log still holds every head it names.
 */

export interface CheckpointInput {
  /** The file it came from, to name it. */
  name: string;
  at: string;
  heads: readonly ChainHead[];
  signatureValid: boolean;
}

export interface CheckpointResult {
  name: string;
  at: string;
  signatureValid: boolean;
  chains: number;
  mismatches: CheckpointMismatch[];
}

export interface LogVerifyReport {
  ok: boolean;
  dialLog: VerifyReport;
  evidence: EvidenceReport | null;
  staleOpenRows: StaleAttempt[];
  checkpoints: CheckpointResult[];
}

export async function verifyLog(
  db: Kysely<Database>,
  options: {
    campaignId?: number;
    now: Date;
    maxCallSeconds: number;
    checkpoints?: readonly CheckpointInput[];
  },
): Promise<LogVerifyReport> {
  const scope = options.campaignId !== undefined ? { campaignId: options.campaignId } : {};
  const dialLog = await verifyDialLog(db, scope);
  const evidence = options.campaignId === undefined ? await verifyEvidence(db) : null;
  const staleOpenRows = await staleOpenAttempts(db, {
    now: options.now,
    maxCallSeconds: options.maxCallSeconds,
    ...scope,
  });
  const checkpoints: CheckpointResult[] = [];
  for (const checkpoint of options.checkpoints ?? []) {
    checkpoints.push({
      name: checkpoint.name,
      at: checkpoint.at,
      signatureValid: checkpoint.signatureValid,
      chains: checkpoint.heads.length,
      mismatches: await checkChainHeads(db, checkpoint.heads),
    });
  }
  const ok =
    dialLog.ok &&
    (evidence?.ok ?? true) &&
    staleOpenRows.length === 0 &&
    checkpoints.every((c) => c.signatureValid && c.mismatches.length === 0);
  return { ok, dialLog, evidence, staleOpenRows, checkpoints };
}
