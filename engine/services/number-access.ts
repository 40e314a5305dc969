import type { Kysely } from 'kysely';
import { recordAudit } from '../../db/queries/audit.ts';
import { getCampaignDefinition } from '../../db/queries/campaigns.ts';
import { getAttempt } from '../../db/queries/dial-log.ts';
import {
  contactReferences,
  type ExportFormat,
  type ExportResult,
  exportDialLog,
} from '../../db/queries/dial-log-export.ts';
import { listDnc } from '../../db/queries/dnc.ts';
import type { Database } from '../../db/schema.ts';
import { ForbiddenError } from '../access/errors.ts';
import { decide, type Principal } from '../access/permissions.ts';
import { type AbandonClockBasis, abandonClockBasis } from '../compliance/abandon-clock-basis.ts';
import { UsageError } from '../platform/errors.ts';
import { maskPhone } from '../platform/mask-phone.ts';

/**
 * Full phone numbers leave the database here and only here, for every edge (CLI, API): the
 * `numbers.full` check against the real identity, the audit entry of each unmasking (who, the
 * role they hold, what was asked, how many numbers were shown) and of each export (before the
 * first byte, then what was written). An edge says which edge it is (`via`) and nothing more.
 */
export type Via = 'cli' | 'api';

/** Refuses full numbers to a principal without `numbers.full`; `asked` false is always fine. */
export function allowFullNumbers(principal: Principal, asked: boolean, what: string): boolean {
  if (!asked) return false;
  const decision = decide(principal, 'numbers.full');
  if (!decision.allowed) throw new ForbiddenError(principal, 'numbers.full', decision.needs, what);
  return true;
}

type AttemptRow = Awaited<ReturnType<typeof getAttempt>>;

/** One dial-log row; with `full`, the number unmasked and the unmasking audited first. */
export async function showAttempt(
  db: Kysely<Database>,
  principal: Principal,
  attemptId: number,
  options: { full: boolean; via: Via },
): Promise<AttemptView> {
  const full = allowFullNumbers(principal, options.full, 'showing a full number');
  const row = await getAttempt(db, attemptId);
  // The contact's consent reference (CN: the evidence the call was lawful) and account.
  const refs = (await contactReferences(db, [row.contact_id])).get(row.contact_id);
  const withRefs = { ...row, consent_ref: refs?.consentRef ?? null, account_ref: refs?.accountRef ?? null };
  if (!full) return { ...withRefs, phone_e164: maskPhone(row.phone_e164) };
  await recordAudit(db, {
    actor: principal.name,
    role: principal.role,
    action: 'contact.unmask',
    subject: `attempt:${row.id}`,
    details: {
      filter: { attemptId: row.id },
      rows: 1,
      campaignId: row.campaign_id,
      contactId: row.contact_id,
      via: options.via,
    },
  });
  return withRefs;
}

/** A dial-log row as shown: with its contact's consent and account references. */
export type AttemptView = AttemptRow & { consent_ref: string | null; account_ref: string | null };

type DncRow = Awaited<ReturnType<typeof listDnc>>[number];

/** Do-not-call entries of one scope (or all); with `full`, unmasked and audited. */
export async function listDncEntries(
  db: Kysely<Database>,
  principal: Principal,
  filter: { scopeKey?: string; limit: number },
  options: { full: boolean; via: Via },
): Promise<DncRow[]> {
  const full = allowFullNumbers(principal, options.full, 'showing full numbers');
  const rows = await listDnc(db, {
    ...(filter.scopeKey ? { scopeKey: filter.scopeKey } : {}),
    limit: filter.limit,
  });
  if (!full) return rows.map((r) => ({ ...r, phone_e164: maskPhone(r.phone_e164) }));
  await recordAudit(db, {
    actor: principal.name,
    role: principal.role,
    action: 'dnc.unmask',
    subject: filter.scopeKey ? `dnc:${filter.scopeKey}` : 'dnc:all',
    details: {
      filter: { scope: filter.scopeKey ?? null, limit: filter.limit },
      rows: rows.length,
      via: options.via,
    },
  });
  return rows;
}

export interface DialLogExportRequest {
  campaignId: number;
  from: Date;
  to: Date;
  format: ExportFormat;
  full: boolean;
  /** A file path (written 0600) or a stream (standard output, an HTTP response). */
  output: string | NodeJS.WritableStream;
  /** How the audit names the destination: the path, `(stdout)`, `(http)`. */
  outputName: string;
  via: Via;
}

/**
 * Checks an export (the role for full numbers, the campaign, the period) and returns a function
 * that records the start in the audit log, calls `beforeFirstByte` (an HTTP response sends its
 * headers there) and writes. Two steps so that an edge can answer a bad request with an error
 * before it commits to a stream. The start is recorded before the first byte leaves: an export
 * cut short (a closed pipe, Ctrl-C, a dropped download) has still been an access to the numbers;
 * the entry after it adds what was written (rows, SHA-256, bytes).
 */
export async function prepareDialLogExport(
  db: Kysely<Database>,
  principal: Principal,
  request: DialLogExportRequest,
): Promise<(beforeFirstByte?: () => void) => Promise<ExportResult & { abandonClock: AbandonClockBasis }>> {
  const full = allowFullNumbers(principal, request.full, 'exporting full numbers');
  if (request.to <= request.from) throw new UsageError('the end of the period must be after its start');
  const { definition } = await getCampaignDefinition(db, request.campaignId);
  const audit = { actor: principal.name, role: principal.role, subject: `campaign:${request.campaignId}` };
  const details = {
    filter: {
      campaignId: request.campaignId,
      from: request.from.toISOString(),
      to: request.to.toISOString(),
    },
    format: request.format,
    fullNumbers: full,
    output: request.outputName,
    via: request.via,
  };
  return async (beforeFirstByte) => {
    await recordAudit(db, { ...audit, action: 'export.dial_log.started', details });
    beforeFirstByte?.();
    const result = await exportDialLog(db, {
      filter: { campaignId: request.campaignId, from: request.from, to: request.to },
      jurisdiction: definition.jurisdiction,
      format: request.format,
      full,
      output: request.output,
    });
    await recordAudit(db, {
      ...audit,
      action: 'export.dial_log',
      details: { ...details, rows: result.rows, sha256: result.sha256, bytes: result.bytes },
    });
    // What `abandoned` in the rows means: the moment the jurisdiction's 2-second rule counts from.
    return { ...result, abandonClock: abandonClockBasis(definition.jurisdiction) };
  };
}
