import type { Kysely, Transaction } from 'kysely';
import type { AuditRow, Database } from '../schema.ts';

export interface AuditEntry {
  actor: string;
  role?: string | null;
  /** Dotted verb, e.g. `campaign.create`, `dnc.add`, `export.dial_log`, `contact.unmask`. */
  action: string;
  subject?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
}

/** Appends to the audit log. Callers pass their transaction so the entry commits with the change. */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry) {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      role: entry.role ?? null,
      action: entry.action,
      subject: entry.subject ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ...(entry.at ? { at: entry.at } : {}),
    })
    .execute();
}

export interface AuditFilter {
  action?: string;
  since?: Date;
  limit?: number;
}

export function listAudit(db: Kysely<Database>, filter: AuditFilter = {}): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc');
  if (filter.action) query = query.where('action', 'like', `${filter.action}%`);
  if (filter.since) query = query.where('at', '>=', filter.since);
  return query.limit(filter.limit ?? 100).execute();
}
