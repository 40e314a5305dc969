import { type Kysely, sql, type Transaction } from 'kysely';
import { NotFoundError, UserError } from '../../engine/platform/errors.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';
import type { Database, DncScope } from '../schema.ts';
import { recordAudit } from './audit.ts';
import { latestFullRegistryLoad } from './national-registry-age.ts';

/**
 * Do-not-call entries in the internal, client (the list owner's blacklist) and campaign scopes.
 * The national registry lives in its own table (national-dnc-import.ts). Every change is
 * audited in the same transaction, and the contacts the entry concerns are blocked at once
 * (the gate checks again at dial time in any case).
 *
 * The record is dnc_events: each addition and each removal (with its reason) is a new row,
 * append-only and sealed into the evidence chain by the database. dnc_entries, which the gate
 * and the import read, is the current state the events imply: the database maintains it from
 * dnc_events and refuses any other change to it (migration 2026-12-02-001). Contacts are
 * updated before the event is appended, so the evidence chain's head is locked last.
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
  // Contacts waiting to be dialed stop now; one already in a call ends it normally and the gate
  // refuses the next attempt.
  const blocked = await contactsInScope(trx, input.ref, input.phoneE164)
    .set({ status: 'blocked', status_reason: `dnc:${input.ref.scopeKey}`, updated_at: new Date() })
    .where('status', 'in', ['ready', 'awaiting_approval'])
    .executeTakeFirst();
  const contactsBlocked = Number(blocked.numUpdatedRows ?? 0);
  // The entry itself (new or refreshed) follows from this record (trigger dnc_events_apply).
  const event = await trx
    .insertInto('dnc_events')
    .values({
      at: new Date(),
      action: 'add',
      phone_e164: input.phoneE164,
      scope: input.ref.scope,
      scope_key: input.ref.scopeKey,
      reason: input.reason ?? null,
      source: input.source ?? null,
      actor: input.actor,
      expires_at: input.expiresAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
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
      event: Number(event.id),
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

/**
 * Removes an entry: a 'remove' record with its reason (the entry goes with it); contacts blocked
 * by exactly this entry become dialable again.
 */
export async function removeDnc(
  db: Kysely<Database>,
  input: { phoneE164: string; ref: DncScopeRef; reason: string; actor: string },
) {
  if (input.reason.trim() === '') {
    throw new UserError('taking a number off a do-not-call list needs a reason', 'invalid');
  }
  return db.transaction().execute(async (trx) => {
    // Locked so that two removals of one entry cannot both find it.
    const entry = await trx
      .selectFrom('dnc_entries')
      .select('phone_e164')
      .where('phone_e164', '=', input.phoneE164)
      .where('scope_key', '=', input.ref.scopeKey)
      .forUpdate()
      .executeTakeFirst();
    if (!entry) {
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
    const event = await trx
      .insertInto('dnc_events')
      .values({
        at: new Date(),
        action: 'remove',
        phone_e164: input.phoneE164,
        scope: input.ref.scope,
        scope_key: input.ref.scopeKey,
        reason: input.reason,
        actor: input.actor,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: input.actor,
      action: 'dnc.remove',
      subject: `dnc:${input.ref.scopeKey}`,
      details: {
        phone: maskForAudit(input.phoneE164),
        reason: input.reason,
        contactsReleased,
        event: Number(event.id),
      },
    });
    return { contactsReleased };
  });
}

/** The additions and removals of one number's entries, oldest first (the record behind dnc_entries). */
export function dncHistory(db: Db, phoneE164: string) {
  return db
    .selectFrom('dnc_events')
    .select(['id', 'at', 'action', 'scope_key', 'reason', 'source', 'actor', 'expires_at'])
    .where('phone_e164', '=', phoneE164)
    .orderBy('id')
    .execute();
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
