import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { campaignExists } from '../../../db/queries/campaigns.ts';
import { findClientByCodeOrId } from '../../../db/queries/clients.ts';
import { type DncScopeRef, scopeRef } from '../../../db/queries/dnc.ts';
import type { Database } from '../../../db/schema.ts';
import { createPhoneNormalizer, UnknownRegionError } from '../../../engine/compliance/phone-number.ts';
import { NotFoundError, UsageError, UserError } from '../../../engine/platform/errors.ts';
import { parseId } from '../parse-id.ts';

/** Argument parsing shared by the compliance commands (dnc, approval, compliance, log, report). */

export function phoneNormalizer(region: string) {
  try {
    return createPhoneNormalizer(region.toUpperCase());
  } catch (error) {
    if (error instanceof UnknownRegionError) throw new UsageError(`--region: ${error.message}`);
    throw error;
  }
}

export function parsePhone(raw: string, region: string): string {
  const e164 = phoneNormalizer(region)(raw);
  if (!e164)
    throw new UserError(`"${raw}" is not a phone number (region ${region.toUpperCase()})`, 'invalid');
  return e164;
}

/** 'internal', 'client:<code or id>', 'campaign:<id>'. */
export async function parseScope(db: Kysely<Database>, text: string): Promise<DncScopeRef> {
  if (text === 'internal') return scopeRef('internal');
  const [kind, value] = text.split(':', 2) as [string, string | undefined];
  if ((kind === 'client' || kind === 'campaign') && value) {
    if (kind === 'campaign') {
      const id = parseId(value, 'campaign id');
      if (!(await campaignExists(db, id))) throw new NotFoundError('campaign', id);
      return scopeRef('campaign', id);
    }
    const client = await findClientByCodeOrId(db, value, (digits) => parseId(digits, 'client id'));
    if (client) return scopeRef('client', client.id);
    throw new NotFoundError('client', value);
  }
  throw new UsageError(
    `--scope must be internal, client:<code>, campaign:<id> (or national for import), got "${text}"`,
  );
}

/** An ISO date or date-time. `endOfDay` turns a bare date into the start of the next day (UTC). */
export function parseInstant(text: string, what: string, options: { endOfDay?: boolean } = {}): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const at = new Date(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(at.getTime())) throw new UsageError(`${what} must be an ISO date or time, got "${text}"`);
  if (dateOnly && options.endOfDay) return new Date(at.getTime() + 86_400_000);
  return at;
}

/** Numbers from a file: one per line, or the first CSV field; returns E.164 and the refusals. */
export function readNumbersFile(path: string, region: string): { numbers: string[]; rejected: number[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const normalize = phoneNormalizer(region);
  const numbers: string[] = [];
  const rejected: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const field = line.split(',')[0]?.trim().replace(/^"|"$/g, '') ?? '';
    if (field === '') return;
    const e164 = normalize(field);
    if (e164) numbers.push(e164);
    else if (!(i === 0 && /[a-z]/i.test(field))) rejected.push(i + 1);
  });
  return { numbers, rejected };
}

export function percent(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(2)} %`;
}
