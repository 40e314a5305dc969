import { type Kysely, sql, type Transaction } from 'kysely';
import { NotFoundError } from '../../engine/platform/errors.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';
import type { Database, DncScope } from '../schema.ts';
import { recordAudit } from './audit.ts';
import { latestFullRegistryLoad } from './national-registry-age.ts';

/**
 * Do-not-call entries in the internal, client (the list owner's blacklist) and campaign scopes.
 * The national registry lives in its own table (national-dnc-import.ts). Every change is
 * audited in the same transaction, and the contacts the entry concerns are blocked at once
 * (the gate checks again at dial time in any case).
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface DncScopeRef {
  scope: Exclude<DncScope, 'national'>;
  /** 'internal', 'client:<id>' or 'campaign:<id>'. */
  scopeKey: string;
}

export function scopeRef(scope: 'internal'): DncScopeRef;
export function scopeRef(scope: 'client' | 'campaign', id: number): DncScopeRef;
export function scopeRef(scope: Exclude<DncScope, 'national'>, id?: number): DncScopeRef {
  return { scope, scopeKey: scope === 'internal' ? 'internal' : `${scope}:${id}` };
}

/** The contacts an entry of this scope concerns (every campaign, the client's, or one). */
function contactsInScope(trx: Db, ref: DncScopeRef, phone: string) {
  let query = trx.updateTable('contacts').where('phone_e164', '=', phone);
  if (ref.scope === 'campaign') query = query.where('campaign_id', '=', Number(ref.scopeKey.split(':')[1]));
  if (ref.scope === 'client') {
    const clientId = Number(ref.scopeKey.split(':')[1]);
    query = query.where('campaign_id', 'in', (eb) =>
      eb.selectFrom('campaigns').select('id').where('client_id', '=', clientId),
    );
  }
  return query;
}

export interface DncAddInput {
  phoneE164: string;
  ref: DncScopeRef;
  reason?: string | null;
  source?: string | null;
  expiresAt?: Date | null;
  actor: string;
}

/** Adds (or refreshes) an entry; returns whether it was new, and how many contacts it blocked. */
export async function addDnc(db: Kysely<Database>, input: DncAddInput) {
  return db.transaction().execute((trx) => addDncIn(trx, input, 'dnc.add'));
}

async function addDncIn(trx: Transaction<Database>, input: DncAddInput, action: string) {
  const existing = await trx
    .selectFrom('dnc_entries')
    .select('phone_e164')
    .where('phone_e164', '=', input.phoneE164)
    .where('scope_key', '=', input.ref.scopeKey)
    .executeTakeFirst();
  await trx
    .insertInto('dnc_entries')
    .values({
      phone_e164: input.phoneE164,
      scope: input.ref.scope,
      scope_key: input.ref.scopeKey,
      reason: input.reason ?? null,
      source: input.source ?? null,
      added_by: input.actor,
      expires_at: input.expiresAt ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['phone_e164', 'scope_key']).doUpdateSet({
        reason: input.reason ?? null,
        source: input.source ?? null,
        added_by: input.actor,
        added_at: new Date(),
        expires_at: input.expiresAt ?? null,
      }),
    )
    .execute();
  // Contacts waiting to be dialed stop now; one already in a call ends it normally and the gate
  // refuses the next attempt.
  const blocked = await contactsInScope(trx, input.ref, input.phoneE164)
    .set({ status: 'blocked', status_reason: `dnc:${input.ref.scopeKey}`, updated_at: new Date() })
    .where('status', 'in', ['ready', 'awaiting_approval'])
    .executeTakeFirst();
  const contactsBlocked = Number(blocked.numUpdatedRows ?? 0);
  await recordAudit(trx, {
    actor: input.actor,
    action,
    subject: `dnc:${input.ref.scopeKey}`,
    details: {
      phone: maskForAudit(input.phoneE164),
      scope: input.ref.scopeKey,
      reason: input.reason ?? null,
      source: input.source ?? null,
      contactsBlocked,
      refreshed: existing !== undefined,
    },
  });
  return { created: existing === undefined, contactsBlocked };
}

// The audit log is read by more people than the number list; it keeps masked numbers.
const maskForAudit = maskPhone;

/**
 * A called person opted out: the number goes on the internal list at once, which blocks it in
 * every campaign (the gate reads the list at every dial, and waiting contacts are blocked now).
 * Pass the runner's transaction to commit it with the outcome.
 */
export async function recordOptOut(
  db: Db,
  phoneE164: string,
  options: { source: string; attemptId?: number | null; actor: string; reason?: string },
): Promise<{ created: boolean; contactsBlocked: number }> {
  const input: DncAddInput = {
    phoneE164,
    ref: scopeRef('internal'),
    reason: options.reason ?? 'opt-out',
    source: options.attemptId ? `${options.source} (attempt ${options.attemptId})` : options.source,
    actor: options.actor,
  };
  const run = (trx: Transaction<Database>) => addDncIn(trx, input, 'dnc.opt_out');
  return db.isTransaction
    ? run(db as Transaction<Database>)
    : (db as Kysely<Database>).transaction().execute(run);
}

/** Removes an entry; contacts blocked by exactly this entry become dialable again. */
export async function removeDnc(
  db: Kysely<Database>,
  input: { phoneE164: string; ref: DncScopeRef; reason?: string | null; actor: string },
) {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('dnc_entries')
      .where('phone_e164', '=', input.phoneE164)
      .where('scope_key', '=', input.ref.scopeKey)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows ?? 0) === 0) {
      throw new NotFoundError(
        `do-not-call entry in scope ${input.ref.scopeKey} for`,
        maskForAudit(input.phoneE164),
      );
    }
    // Back to where they were: held if they need an approval (the gate decides at dial time).
    const released = await contactsInScope(trx, input.ref, input.phoneE164)
      .set({
        status: sql`case when needs_approval then 'awaiting_approval' else 'ready' end`,
        status_reason: null,
        updated_at: new Date(),
      })
      .where('status', '=', 'blocked')
      .where('status_reason', '=', `dnc:${input.ref.scopeKey}`)
      .executeTakeFirst();
    const contactsReleased = Number(released.numUpdatedRows ?? 0);
    await recordAudit(trx, {
      actor: input.actor,
      action: 'dnc.remove',
      subject: `dnc:${input.ref.scopeKey}`,
      details: { phone: maskForAudit(input.phoneE164), reason: input.reason ?? null, contactsReleased },
    });
    return { contactsReleased };
  });
}

export interface DncCheckHit {
  scope: DncScope;
  scopeKey: string;
  reason: string | null;
  source: string | null;
  addedBy: string | null;
  addedAt: Date | null;
  expiresAt: Date | null;
}

/** Every list the number is on, national registry included. */
export async function checkDnc(db: Db, phoneE164: string): Promise<DncCheckHit[]> {
  const [entries, national] = await Promise.all([
    db
      .selectFrom('dnc_entries')
      .selectAll()
      .where('phone_e164', '=', phoneE164)
      .orderBy('scope_key')
      .execute(),
    db.selectFrom('national_dnc').select('phone_e164').where('phone_e164', '=', phoneE164).executeTakeFirst(),
  ]);
  const hits: DncCheckHit[] = entries.map((e) => ({
    scope: e.scope,
    scopeKey: e.scope_key,
    reason: e.reason,
    source: e.source,
    addedBy: e.added_by,
    addedAt: e.added_at,
    expiresAt: e.expires_at,
  }));
  if (national) {
    hits.push({
      scope: 'national',
      scopeKey: 'national',
      reason: null,
      source: 'national registry',
      addedBy: null,
      addedAt: null,
      expiresAt: null,
    });
  }
  return hits;
}

export interface DncListFilter {
  scopeKey?: string;
  limit?: number;
  afterPhone?: string;
}

export function listDnc(db: Db, filter: DncListFilter = {}) {
  let query = db.selectFrom('dnc_entries').selectAll().orderBy('scope_key').orderBy('phone_e164');
  if (filter.scopeKey) query = query.where('scope_key', '=', filter.scopeKey);
  return query.limit(filter.limit ?? 100).execute();
}

/** Entries per scope, and the national registry's size and last full load (what dates the copy). */
export async function dncSummary(db: Db) {
  const [scopes, national, sync] = await Promise.all([
    db
      .selectFrom('dnc_entries')
      .select(['scope_key', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('scope_key')
      .orderBy('scope_key')
      .execute(),
    db
      .selectFrom('national_dnc')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    // The copy's age is that of its last full load, as the gate counts it (not a later addition).
    latestFullRegistryLoad(db),
  ]);
  return {
    scopes: scopes.map((s) => ({ scopeKey: s.scope_key, entries: Number(s.n) })),
    national: { numbers: Number(national?.n ?? 0), lastSync: sync ?? null },
  };
}
