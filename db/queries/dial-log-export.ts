import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { Jurisdiction } from '../../campaigns/campaign-definition.ts';
import { neutralizeCell } from '../../campaigns/import/formula-cells.ts';
import { type AbandonClockFrom, jurisdictionPolicy } from '../../engine/compliance/jurisdictions.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';
import { createPrivateWriteStream } from '../../engine/platform/private-files.ts';
import type { CallAttemptRow, Database } from '../schema.ts';
import { type DialLogFilter, dialLogPages } from './reports.ts';

/**
 * Writes the dial log (filtered) as CSV or JSON lines, numbers masked unless `full`. Returns
 * the row count and the SHA-256 of exactly what was written, for the audit entry. CSV cells a
 * spreadsheet would run as formulas are neutralized.
 */

export type ExportFormat = 'csv' | 'jsonl';

export const EXPORT_COLUMNS = [
  'id',
  'chain_seq',
  'campaign_id',
  'contact_id',
  'phone',
  'agent_id',
  'channel_id',
  /** The number the call presented (sealed; empty for calls made before it was recorded). */
  'caller_number',
  'status',
  'queued_at',
  'originated_at',
  'sip_answered_at',
  'answered_at',
  'connected_at',
  'ended_at',
  'result',
  'hangup_cause',
  'dial_status',
  'amd_result',
  'abandoned',
  'abandon_clock_from',
  'recording_ref',
  'gate_codes',
  'finalized_at',
  'row_hash',
  /** The called person's consent reference from the list (CN: the evidence the call was lawful). */
  'consent_ref',
  /** The account (debt) the contact is called about, from the list. */
  'account_ref',
] as const;

/** A contact's references, shown and exported with each of its calls. */
export interface ContactReferences {
  consentRef: string | null;
  accountRef: string | null;
}

/** The consent and account references of the contacts of some calls (one statement). */
export async function contactReferences(
  db: Kysely<Database>,
  contactIds: readonly number[],
): Promise<Map<number, ContactReferences>> {
  const ids = [...new Set(contactIds)];
  if (ids.length === 0) return new Map();
  // contacts_pkey: one probe per contact of the page.
  const rows = await db
    .selectFrom('contacts')
    .select(['id', 'consent_ref', 'account_ref'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { consentRef: r.consent_ref, accountRef: r.account_ref }]));
}

function gateCodes(reasons: unknown): string[] {
  if (!Array.isArray(reasons)) return [];
  return reasons
    .map((r) =>
      typeof r === 'object' && r !== null && 'code' in r ? String((r as { code: unknown }).code) : '',
    )
    .filter((c) => c !== '');
}

export function exportRecord(
  row: CallAttemptRow,
  full: boolean,
  abandonClockFrom: AbandonClockFrom,
  references: ContactReferences | undefined = undefined,
): Record<(typeof EXPORT_COLUMNS)[number], unknown> {
  return {
    id: row.id,
    chain_seq: row.chain_seq,
    campaign_id: row.campaign_id,
    contact_id: row.contact_id,
    phone: full ? row.phone_e164 : maskPhone(row.phone_e164),
    agent_id: row.agent_id,
    channel_id: row.channel_id,
    caller_number: row.caller_number,
    status: row.status,
    queued_at: row.queued_at,
    originated_at: row.originated_at,
    sip_answered_at: row.sip_answered_at,
    answered_at: row.answered_at,
    connected_at: row.connected_at,
    ended_at: row.ended_at,
    result: row.result,
    hangup_cause: row.hangup_cause,
    dial_status: row.dial_status,
    amd_result: row.amd_result,
    abandoned: row.abandoned,
    // Per row, so a file read alone says what `abandoned` was measured against.
    abandon_clock_from: abandonClockFrom,
    recording_ref: row.recording_ref,
    gate_codes: gateCodes(row.gate_reasons),
    finalized_at: row.finalized_at,
    row_hash: row.row_hash,
    consent_ref: references?.consentRef ?? null,
    account_ref: references?.accountRef ?? null,
  };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return neutralizeCell(value.join(';'));
  // Every text cell, including a full number ("+1…" reads as a formula to a spreadsheet).
  return neutralizeCell(String(value));
}

export interface ExportResult {
  rows: number;
  sha256: string;
  bytes: number;
}

export async function exportDialLog(
  db: Kysely<Database>,
  options: {
    filter: DialLogFilter;
    /** The campaign's jurisdiction: names the moment its 2-second rule counts from. */
    jurisdiction: Jurisdiction;
    format: ExportFormat;
    full: boolean;
    output: string | NodeJS.WritableStream;
  },
): Promise<ExportResult> {
  const hash = createHash('sha256');
  const clockFrom = jurisdictionPolicy(options.jurisdiction).abandonClockFrom;
  // A file export may hold full numbers: owner-only (0600), an existing file's mode replaced.
  const out =
    typeof options.output === 'string' ? createPrivateWriteStream(options.output, 'w') : options.output;
  let bytes = 0;
  let rows = 0;
  const write = async (text: string) => {
    hash.update(text);
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  if (options.format === 'csv') await write(stringify([[...EXPORT_COLUMNS]]));
  for await (const page of dialLogPages(db, options.filter)) {
    const references = await contactReferences(
      db,
      page.map((r) => r.contact_id),
    );
    const records = page.map((r) => exportRecord(r, options.full, clockFrom, references.get(r.contact_id)));
    rows += records.length;
    if (options.format === 'csv') {
      await write(stringify(records.map((r) => EXPORT_COLUMNS.map((c) => csvCell(r[c])))));
    } else {
      await write(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
  }
  if (typeof options.output === 'string') {
    (out as ReturnType<typeof createWriteStream>).end();
    await once(out, 'finish');
  }
  return { rows, sha256: hash.digest('hex'), bytes };
}
