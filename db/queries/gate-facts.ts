import { type Kysely, sql, type Transaction } from 'kysely';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { resolveTimeZone } from '../../campaigns/import/time-zone.ts';
import type {
  ApprovalCoverage,
  CampaignFacts,
  ContactFacts,
  DncHit,
  GateCampaign,
  GateContact,
  GateDncScope,
  GateInput,
} from '../../engine/compliance/gate-types.ts';
import type { CampaignStatus, Database } from '../schema.ts';
import { getCampaign } from './campaigns.ts';

/**
 * Loads what the compliance gate needs, for many contacts at once: a handful of set-based
 * queries per batch (each `= any($array)` on an index), so the runner can ask the gate about
 * thousands of contacts per database round trip. The gate itself stays pure.
 */

type Db = Kysely<Database> | Transaction<Database>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Attempts this recent are returned with their times, to count "today" in the contact's zone. */
const RECENT_ATTEMPTS_MS = 50 * HOUR;
/** How far back an abandoned call matters (the longest repeat-after-abandon rule). */
const ABANDON_LOOKBACK_MS = 72 * HOUR;

/**
 * A call answered by a person: abandoned (a person answered, nobody came), connected to an
 * agent, or answered and not classified as a machine. The one definition of the abandonment
 * rate's denominator, shared with the reports.
 */
export const humanAnsweredSql = sql<boolean>`(abandoned or connected_at is not null or (answered_at is not null and coalesce(amd_result, '') not like 'MACHINE%'))`;

export interface CampaignGateFacts {
  campaign: GateCampaign;
  campaignStatus: CampaignStatus;
  campaignFacts: CampaignFacts;
}

export interface ContactGateFacts {
  contact: GateContact;
  facts: ContactFacts;
}

export interface LoadedGateFacts extends CampaignGateFacts {
  /** By contact id; contacts not in the campaign are absent. */
  contacts: Map<number, ContactGateFacts>;
}

export function abandonWindowStart(window: '30d' | '24h', now: Date): Date {
  return new Date(now.getTime() - (window === '24h' ? DAY : 30 * DAY));
}

/** Campaign-wide facts: the definition, the registry's last load, the abandonment figures. */
export async function loadCampaignGateFacts(
  db: Db,
  campaignId: number,
  now: Date,
): Promise<CampaignGateFacts> {
  const row = await getCampaign(db as Kysely<Database>, campaignId);
  const definition = campaignDefinitionSchema.parse(row.config);
  const windowStart = abandonWindowStart(definition.abandon.window, now);
  const [sync, abandonment] = await Promise.all([
    db
      .selectFrom('national_dnc_syncs')
      .select((eb) => eb.fn.max('synced_at').as('at'))
      .where('synced_at', '<=', now)
      .executeTakeFirst(),
    sql<{ abandoned: number; human: number }>`
      select count(*) filter (where abandoned) as abandoned,
             count(*) filter (where ${humanAnsweredSql}) as human
      from call_attempts
      where campaign_id = ${campaignId} and queued_at >= ${windowStart} and queued_at <= ${now}`.execute(db),
  ]);
  const counts = abandonment.rows[0];
  return {
    campaign: { id: row.id, clientId: row.client_id, definition },
    campaignStatus: row.status,
    campaignFacts: {
      nationalRegistrySyncedAt: sync?.at ? new Date(sync.at) : null,
      abandonment: {
        abandoned: Number(counts?.abandoned ?? 0),
        humanAnswered: Number(counts?.human ?? 0),
        windowStart,
      },
    },
  };
}

interface ContactRowLite {
  id: number;
  phone_e164: string;
  batch_id: number | null;
  time_zone: string;
  time_zone_assumed: boolean;
  /** Set by the list import when the number's digits name several zones. */
  time_zone_candidates: string[] | null;
  consent_ref: string | null;
  needs_approval: boolean;
  reserved_agent_id: number | null;
  last_outcome: string | null;
  last_attempt_at: Date | null;
}

/**
 * Everything the gate needs about `contactIds` of one campaign at `now`. Pass `campaign` (from
 * loadCampaignGateFacts) to reuse it across the batches of one pass.
 */
export async function loadGateFacts(
  db: Db,
  campaignId: number,
  contactIds: readonly number[],
  now: Date,
  options: { campaign?: CampaignGateFacts } = {},
): Promise<LoadedGateFacts> {
  const campaignPart = options.campaign ?? (await loadCampaignGateFacts(db, campaignId, now));
  const ids = [...new Set(contactIds)];
  const contactRows = ids.length
    ? (
        await sql<ContactRowLite>`
          select id, phone_e164, batch_id, time_zone, time_zone_assumed, time_zone_candidates, consent_ref, needs_approval,
                 reserved_agent_id, last_outcome, last_attempt_at
          from contacts where campaign_id = ${campaignId} and id = any(${ids}::int[])`.execute(db)
      ).rows
    : [];
  const contacts = await factsForContacts(db, campaignPart.campaign, contactRows, now);
  return { ...campaignPart, contacts };
}

/**
 * Facts for a number that may not be a contact of the campaign (compliance check of any
 * number): a stand-in contact with the zone the list import would give it.
 */
export async function loadGateFactsForPhone(
  db: Db,
  campaignId: number,
  phoneE164: string,
  now: Date,
): Promise<LoadedGateFacts & { contactId: number | null }> {
  const campaignPart = await loadCampaignGateFacts(db, campaignId, now);
  const existing = (
    await sql<ContactRowLite>`
      select id, phone_e164, batch_id, time_zone, time_zone_assumed, time_zone_candidates, consent_ref, needs_approval,
             reserved_agent_id, last_outcome, last_attempt_at
      from contacts where campaign_id = ${campaignId} and phone_e164 = ${phoneE164}`.execute(db)
  ).rows[0];
  let row: ContactRowLite;
  if (existing) row = existing;
  else {
    // Not in the campaign: would it need an approval? Only if another campaign worked it.
    const elsewhere = await db
      .selectFrom('contacts')
      .select('id')
      .where('phone_e164', '=', phoneE164)
      .where('campaign_id', '<>', campaignId)
      .limit(1)
      .executeTakeFirst();
    // The zone as the list import would have set it from the number alone.
    const zone = resolveTimeZone(phoneE164, undefined, campaignPart.campaign.definition.defaultTimeZone);
    row = {
      id: 0,
      phone_e164: phoneE164,
      batch_id: null,
      time_zone: zone.timeZone,
      time_zone_assumed: zone.assumed,
      time_zone_candidates: zone.candidates ? [...zone.candidates] : null,
      consent_ref: null,
      needs_approval: elsewhere !== undefined,
      reserved_agent_id: null,
      last_outcome: null,
      last_attempt_at: null,
    };
  }
  const contacts = await factsForContacts(db, campaignPart.campaign, [row], now);
  return { ...campaignPart, contacts, contactId: existing ? existing.id : null };
}

async function factsForContacts(
  db: Db,
  campaign: GateCampaign,
  rows: readonly ContactRowLite[],
  now: Date,
): Promise<Map<number, ContactGateFacts>> {
  const out = new Map<number, ContactGateFacts>();
  if (rows.length === 0) return out;
  const ids = rows.filter((r) => r.id > 0).map((r) => r.id);
  const phones = [...new Set(rows.map((r) => r.phone_e164))];
  const scopeKeys = ['internal', `client:${campaign.clientId}`, `campaign:${campaign.id}`];
  const recentSince = new Date(now.getTime() - RECENT_ATTEMPTS_MS);
  const abandonSince = new Date(now.getTime() - ABANDON_LOOKBACK_MS);

  const [dncRows, nationalRows, attemptRows, abandonRows, approvalRows] = await Promise.all([
    sql<{
      phone_e164: string;
      scope: GateDncScope;
      scope_key: string;
      reason: string | null;
      added_at: Date | null;
      expires_at: Date | null;
    }>`select phone_e164, scope, scope_key, reason, added_at, expires_at from dnc_entries
       where phone_e164 = any(${phones}::text[]) and scope_key = any(${scopeKeys}::text[])`.execute(db),
    sql<{ phone_e164: string }>`select phone_e164 from national_dnc
       where phone_e164 = any(${phones}::text[])`.execute(db),
    ids.length
      ? sql<{
          contact_id: number;
          total: number;
          open: boolean;
          recent: Date[] | null;
          last_result: string | null;
          last_at: Date | null;
        }>`select contact_id, count(*) as total,
             bool_or(finalized_at is null) as open,
             array_agg(queued_at) filter (where queued_at >= ${recentSince} and queued_at <= ${now}) as recent,
             (array_agg(result order by queued_at desc))[1] as last_result,
             (array_agg(coalesce(ended_at, queued_at) order by queued_at desc))[1] as last_at
           from call_attempts
           where contact_id = any(${ids}::int[]) and queued_at <= ${now}
           group by contact_id`.execute(db)
      : Promise.resolve({ rows: [] }),
    sql<{ phone_e164: string; at: Date }>`
      select phone_e164, max(coalesce(answered_at, queued_at)) as at from call_attempts
      where phone_e164 = any(${phones}::text[]) and abandoned
        and queued_at >= ${abandonSince} and queued_at <= ${now}
      group by phone_e164`.execute(db),
    db
      .selectFrom('remarketing_approvals')
      .select([
        'id',
        'batch_id',
        'reference',
        'valid_from',
        'valid_until',
        'revokes_approval_id',
        'recorded_at',
      ])
      .where('campaign_id', '=', campaign.id)
      .execute(),
  ]);

  const dncByPhone = new Map<string, DncHit[]>();
  for (const r of dncRows.rows) {
    const list = dncByPhone.get(r.phone_e164) ?? [];
    list.push({
      scope: r.scope,
      scopeKey: r.scope_key,
      reason: r.reason,
      addedAt: r.added_at ? new Date(r.added_at) : null,
      expiresAt: r.expires_at ? new Date(r.expires_at) : null,
    });
    dncByPhone.set(r.phone_e164, list);
  }
  for (const r of nationalRows.rows) {
    const list = dncByPhone.get(r.phone_e164) ?? [];
    list.push({ scope: 'national', scopeKey: 'national', reason: null, addedAt: null, expiresAt: null });
    dncByPhone.set(r.phone_e164, list);
  }
  const attemptsByContact = new Map(attemptRows.rows.map((r) => [Number(r.contact_id), r]));
  const abandonByPhone = new Map(abandonRows.rows.map((r) => [r.phone_e164, new Date(r.at)]));

  // Approvals: revocations recorded at or before `now` count; later ones do not exist yet.
  const revokedAt = new Map<number, Date>();
  const grants = approvalRows.filter((a) => a.revokes_approval_id === null && a.recorded_at <= now);
  for (const a of approvalRows) {
    if (a.revokes_approval_id === null || a.recorded_at > now) continue;
    const prev = revokedAt.get(a.revokes_approval_id);
    if (!prev || a.recorded_at < prev) revokedAt.set(a.revokes_approval_id, a.recorded_at);
  }
  const coverage = (a: (typeof grants)[number]): ApprovalCoverage => ({
    approvalId: a.id,
    reference: a.reference,
    validFrom: a.valid_from,
    validUntil: a.valid_until,
    revokedAt: revokedAt.get(a.id) ?? null,
  });
  const numberCoverage = new Map<string, ApprovalCoverage[]>();
  const byBatch = new Map<number, ApprovalCoverage[]>();
  if (grants.length > 0) {
    for (const a of grants) {
      if (a.batch_id === null) continue;
      const list = byBatch.get(a.batch_id) ?? [];
      list.push(coverage(a));
      byBatch.set(a.batch_id, list);
    }
    const grantById = new Map(grants.map((a) => [a.id, a]));
    const numbers = await sql<{ approval_id: number; phone_e164: string }>`
      select approval_id, phone_e164 from remarketing_approval_numbers
      where phone_e164 = any(${phones}::text[]) and approval_id = any(${[...grantById.keys()]}::int[])`.execute(
      db,
    );
    for (const n of numbers.rows) {
      const grant = grantById.get(n.approval_id);
      if (!grant) continue;
      const list = numberCoverage.get(n.phone_e164) ?? [];
      list.push(coverage(grant));
      numberCoverage.set(n.phone_e164, list);
    }
  }

  // An agent reserved for the contact: its own reservation or a pending personal callback.
  const needReservation = rows.filter((r) => abandonByPhone.has(r.phone_e164) && r.id > 0).map((r) => r.id);
  const reserved = new Set<number>();
  if (needReservation.length > 0) {
    const callbacks = await db
      .selectFrom('callbacks')
      .select('contact_id')
      .where('contact_id', 'in', needReservation)
      .where('status', '=', 'pending')
      .where('agent_id', 'is not', null)
      .execute();
    for (const c of callbacks) reserved.add(c.contact_id);
  }

  for (const r of rows) {
    const attempts = attemptsByContact.get(r.id);
    const approvals = [
      ...(r.batch_id !== null ? (byBatch.get(r.batch_id) ?? []) : []),
      ...(numberCoverage.get(r.phone_e164) ?? []),
    ];
    const contact: GateContact = {
      id: r.id,
      phoneE164: r.phone_e164,
      batchId: r.batch_id,
      timeZone: r.time_zone,
      timeZoneAssumed: r.time_zone_assumed,
      candidateTimeZones: r.time_zone_candidates ?? undefined,
      consentRef: r.consent_ref,
      needsApproval: r.needs_approval,
      reservedAgentId: r.reserved_agent_id,
    };
    const facts: ContactFacts = {
      dnc: dncByPhone.get(r.phone_e164) ?? [],
      approvals,
      attemptsTotal: attempts ? Number(attempts.total) : 0,
      recentAttemptTimes: (attempts?.recent ?? []).map((t) => new Date(t)),
      lastAttempt: attempts?.last_at
        ? { result: attempts.last_result, at: new Date(attempts.last_at) }
        : null,
      lastAbandonedAt: abandonByPhone.get(r.phone_e164) ?? null,
      openAttempt: attempts ? Boolean(attempts.open) : false,
      agentReserved: r.reserved_agent_id !== null || reserved.has(r.id),
      lastOutcome:
        r.last_outcome && r.last_attempt_at ? { tag: r.last_outcome, at: new Date(r.last_attempt_at) } : null,
    };
    out.set(r.id, { contact, facts });
  }
  return out;
}

/** The gate's input for one loaded contact. */
export function gateInputFor(loaded: LoadedGateFacts, contactId: number, now: Date): GateInput | undefined {
  const entry = loaded.contacts.get(contactId);
  if (!entry) return undefined;
  return {
    contact: entry.contact,
    facts: entry.facts,
    campaign: loaded.campaign,
    campaignFacts: loaded.campaignFacts,
    now,
  };
}
