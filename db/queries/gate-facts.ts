import { type Kysely, sql, type Transaction } from 'kysely';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { resolveTimeZone } from '../../campaigns/import/time-zone.ts';
import {
  abandonmentWindowStart,
  campaignAbandonmentDefinition,
} from '../../engine/compliance/abandonment.ts';
import { callerNumberOf } from '../../engine/compliance/caller-number.ts';
import type {
  ApprovalCoverage,
  CampaignFacts,
  ConsentedCall,
  ContactFacts,
  DncHit,
  FrequencyFacts,
  GateCampaign,
  GateContact,
  GateDncScope,
  GateInput,
} from '../../engine/compliance/gate-types.ts';
import { type JurisdictionPolicy, policyForDefinition } from '../../engine/compliance/jurisdictions.ts';
import type { FrequencyRule } from '../../engine/compliance/presets/index.ts';
import { CONSENTED_CODE } from '../../engine/compliance/rules/frequency.ts';
import type { CampaignStatus, Database } from '../schema.ts';
import { getCampaign } from './campaigns.ts';
import { latestFullRegistryLoad } from './national-registry-age.ts';

/**
 * Loads what the compliance gate needs, for many contacts at once: one statement per batch in
 * which every fact is a correlated index probe per contact (national registry, do-not-call
 * entries, the contact's attempts, abandoned calls to the number, approvals naming it), so the
 * runner asks about thousands of contacts per round trip. The gate itself stays pure.
 */

type Db = Kysely<Database> | Transaction<Database>;

const HOUR = 3_600_000;
/** Attempts this recent are returned with their times, to count "today" in the contact's zone. */
const RECENT_ATTEMPTS_MS = 50 * HOUR;

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
  /**
   * The number the campaign's calls present (callerNumberOf(dialing.callerId)): what a frequency
   * rule counted per caller number counts by.
   */
  callerNumber?: string | null;
  /**
   * The policy the facts were loaded for, when the caller gave one instead of the jurisdiction's
   * default: gateInputFor hands it to the gate, so the rules judge by the policy the look-backs
   * were sized for.
   */
  policy?: JurisdictionPolicy;
}

/** The jurisdiction policy to load facts for; the campaign jurisdiction's default when absent. */
export interface GateFactsOptions {
  policy?: JurisdictionPolicy;
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
  return abandonmentWindowStart({ window }, now);
}

/**
 * Answered calls AMD judged machines: the base of the estimate of persons it hung up on, which
 * the abandonment definition may count (engine/compliance/abandonment.ts).
 */
export const machineVerdictSql = sql<boolean>`(answered_at is not null and coalesce(amd_result, '') like 'MACHINE%')`;

/** Campaign-wide facts: the definition, the registry's last full load, the abandonment figures. */
export async function loadCampaignGateFacts(
  db: Db,
  campaignId: number,
  now: Date,
  options: GateFactsOptions = {},
): Promise<CampaignGateFacts> {
  return campaignFacts(db, campaignId, now, options, (windowStart) =>
    sql<{ abandoned: number; human: number; machines: number; written: null }>`
      select count(*) filter (where abandoned) as abandoned,
             count(*) filter (where ${humanAnsweredSql}) as human,
             count(*) filter (where ${machineVerdictSql}) as machines,
             null as written
      from call_attempts
      where campaign_id = ${campaignId} and queued_at >= ${windowStart} and queued_at <= ${now}`.execute(db),
  ).then((r) => r.facts);
}

/**
 * A call answered by a person for good: abandoned or connected (each settles it), or finalized
 * (a finalized dial-log row never changes). An open call answered and still waiting for its AMD
 * verdict or its agent may yet turn out a machine, so it is not counted until it settles.
 */
const settledHumanSql = sql<boolean>`(abandoned or connected_at is not null
  or (finalized_at is not null and answered_at is not null and coalesce(amd_result, '') not like 'MACHINE%'))`;

export interface HeldCampaignGateFacts {
  /**
   * Facts a cache may serve for `validForMs` of engine time after `now` without ever showing a
   * lower abandonment rate than the dial log's at any moment of that span, provided the caller
   * adds the abandons it makes meanwhile (and those of `abandonedAttemptIds` not in `written`).
   */
  facts: CampaignGateFacts;
  /** The ids of `abandonedAttemptIds` that the abandoned count already includes. */
  written: number[];
}

/**
 * Campaign-wide facts for the runner's cache, with the abandonment figures bounded so that the
 * rate they give never falls below the true one while the cache holds them:
 * - abandoned calls are counted over the whole window at `now`: later in the span the window
 *   only loses old ones, and the new ones are the runner's own, which it adds itself;
 * - calls answered by a person are counted over the window as it will be at the END of the span
 *   (it starts `validForMs` later), and only those whose answer is settled (settledHumanSql): a
 *   call leaving the window or turning out a machine cannot make the denominator shrink under it;
 * - `abandonedAttemptIds`, the runner's recent abandons, come back in `written` when the count
 *   already includes them (its dial-log update was committed), in the same snapshot, so that the
 *   caller adds exactly the others.
 * One statement over call_attempts_campaign_time: O(the window's attempts), run once per span.
 */
export async function loadHeldCampaignGateFacts(
  db: Db,
  campaignId: number,
  now: Date,
  options: GateFactsOptions & { validForMs: number; abandonedAttemptIds: readonly number[] },
): Promise<HeldCampaignGateFacts> {
  const ids = [...new Set(options.abandonedAttemptIds)];
  return campaignFacts(db, campaignId, now, options, (windowStart) => {
    const humanSince = new Date(windowStart.getTime() + Math.max(0, options.validForMs));
    // Machine verdicts over the whole window at `now`: the estimate they feed is added to the
    // abandoned calls and to the answered ones alike, so more of them never lowers the rate.
    return sql<{ abandoned: number; human: number; machines: number; written: number[] | null }>`
      select count(*) filter (where abandoned) as abandoned,
             count(*) filter (where queued_at >= ${humanSince} and ${settledHumanSql}) as human,
             count(*) filter (where ${machineVerdictSql}) as machines,
             array_agg(id) filter (where abandoned and id = any(${ids}::int[])) as written
      from call_attempts
      where campaign_id = ${campaignId} and queued_at >= ${windowStart} and queued_at <= ${now}`.execute(db);
  });
}

async function campaignFacts(
  db: Db,
  campaignId: number,
  now: Date,
  options: GateFactsOptions,
  abandonmentQuery: (windowStart: Date) => Promise<{
    rows: Array<{ abandoned: number; human: number; machines: number; written: number[] | null }>;
  }>,
): Promise<HeldCampaignGateFacts> {
  const row = await getCampaign(db as Kysely<Database>, campaignId);
  const definition = campaignDefinitionSchema.parse(row.config);
  const windowStart = abandonmentWindowStart(campaignAbandonmentDefinition(definition), now);
  const [sync, abandonment] = await Promise.all([
    latestFullRegistryLoad(db, now),
    abandonmentQuery(windowStart),
  ]);
  const counts = abandonment.rows[0];
  return {
    facts: {
      campaign: { id: row.id, clientId: row.client_id, definition },
      ...(options.policy ? { policy: options.policy } : {}),
      campaignStatus: row.status,
      callerNumber: callerNumberOf(definition.dialing.callerId),
      campaignFacts: {
        nationalRegistrySyncedAt: sync ? new Date(sync.synced_at) : null,
        abandonment: {
          abandoned: Number(counts?.abandoned ?? 0),
          humanAnswered: Number(counts?.human ?? 0),
          machineVerdicts: Number(counts?.machines ?? 0),
          windowStart,
        },
      },
    },
    written: (counts?.written ?? []).map(Number),
  };
}

/** The contact columns the gate reads. */
const CONTACT_COLUMNS = sql`id, phone_e164, batch_id, time_zone, time_zone_assumed, time_zone_candidates,
  consent_ref, account_ref, needs_approval, last_outcome, last_attempt_at`;

interface FactsRow {
  id: number;
  phone_e164: string;
  batch_id: number | null;
  time_zone: string;
  time_zone_assumed: boolean;
  /** Set by the list import when the number's digits name several zones. */
  time_zone_candidates: string[] | null;
  consent_ref: string | null;
  account_ref: string | null;
  needs_approval: boolean;
  last_outcome: string | null;
  /** Times below come as epoch milliseconds: parsing thousands of timestamps is the client's main cost. */
  last_attempt_at: number | null;
  national: boolean;
  dnc: Array<{
    scope: GateDncScope;
    scope_key: string;
    reason: string | null;
    added_at: string | null;
    expires_at: string | null;
  }> | null;
  total: number;
  open: boolean | null;
  recent: number[] | null;
  last_result: string | null;
  last_at: number | null;
  last_abandoned_at: number | null;
  approval_ids: number[] | null;
  /** Per frequency rule i: `f<i>_times` (epoch ms) and `f<i>_conv` (epoch ms or null). */
  [frequencyColumn: `f${number}_${'times' | 'conv'}`]: number[] | number | null;
}

/**
 * Everything the gate needs about `contactIds` of one campaign at `now`: one statement (each
 * fact a correlated index probe per contact), so a batch of thousands costs one round trip.
 * Pass `campaign` (from loadCampaignGateFacts) to reuse it across the batches of one pass; its
 * policy then applies.
 */
export async function loadGateFacts(
  db: Db,
  campaignId: number,
  contactIds: readonly number[],
  now: Date,
  options: GateFactsOptions & { campaign?: CampaignGateFacts } = {},
): Promise<LoadedGateFacts> {
  const campaignPart = options.campaign ?? (await loadCampaignGateFacts(db, campaignId, now, options));
  const ids = [...new Set(contactIds)];
  const source = sql`select ${CONTACT_COLUMNS} from contacts
    where campaign_id = ${campaignId} and id = any(${ids}::int[])`;
  const contacts = ids.length ? await factsFor(db, campaignPart, source, now) : new Map();
  return { ...campaignPart, contacts };
}

/**
 * Facts for a number that may not be a contact of the campaign (compliance check of any
 * number): a stand-in contact (id 0) with the zone the list import would give it.
 */
export async function loadGateFactsForPhone(
  db: Db,
  campaignId: number,
  phoneE164: string,
  now: Date,
  options: GateFactsOptions = {},
): Promise<LoadedGateFacts & { contactId: number | null }> {
  const campaignPart = await loadCampaignGateFacts(db, campaignId, now, options);
  const existing = await db
    .selectFrom('contacts')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('phone_e164', '=', phoneE164)
    .executeTakeFirst();
  let source: ReturnType<typeof sql>;
  if (existing) {
    source = sql`select ${CONTACT_COLUMNS} from contacts where id = ${existing.id}`;
  } else {
    // Would it need an approval here? Only if another campaign has it.
    const elsewhere = await db
      .selectFrom('contacts')
      .select('id')
      .where('phone_e164', '=', phoneE164)
      .where('campaign_id', '<>', campaignId)
      .limit(1)
      .executeTakeFirst();
    const zone = resolveTimeZone(phoneE164, undefined, campaignPart.campaign.definition.defaultTimeZone);
    source = sql`select 0 as id, ${phoneE164}::text as phone_e164, null::int as batch_id,
      ${zone.timeZone}::text as time_zone, ${zone.assumed}::boolean as time_zone_assumed,
      ${zone.candidates ? [...zone.candidates] : null}::text[] as time_zone_candidates, null::text as consent_ref,
      null::text as account_ref,
      ${elsewhere !== undefined}::boolean as needs_approval,
      null::text as last_outcome, null::timestamptz as last_attempt_at`;
  }
  const contacts = await factsFor(db, campaignPart, source, now);
  return { ...campaignPart, contacts, contactId: existing ? existing.id : null };
}

/** A timestamp as epoch milliseconds (a float the driver parses far faster than a timestamp). */
function epochMs(expression: ReturnType<typeof sql>) {
  return sql`(extract(epoch from ${expression}) * 1000)::float8`;
}

/**
 * Runs `query` with PostgreSQL's JIT compilation off: the planner's cost for thousands of
 * correlated index probes crosses jit_above_cost, and compiling the plan then costs more than
 * running it (tens of milliseconds a batch). Inside the caller's transaction if there is one.
 */
async function withoutJit<T>(db: Db, query: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const run = async (trx: Transaction<Database>) => {
    await sql`set local jit = off`.execute(trx);
    return query(trx);
  };
  return db.isTransaction
    ? run(db as Transaction<Database>)
    : (db as Kysely<Database>).transaction().execute(run);
}

/** The policy the gate will apply to these facts (the same choice as gateInputFor's). */
function effectivePolicy(campaignPart: CampaignGateFacts): JurisdictionPolicy {
  return campaignPart.policy ?? policyForDefinition(campaignPart.campaign.definition);
}

/**
 * The calls one frequency rule counts, as one correlated probe per contact: by the account when
 * the rule counts accounts and the contact has one (call_attempts_account_time: the dial log
 * carries the account each call was about), else by the number (call_attempts_phone_time). The
 * two probes are cut off by one-time filters on the contact's own column, so each contact runs
 * one. Each returns the times of the calls the rule counts in its longest window (not those of
 * `uncountedResults`, nor those placed with consent when the rule has that exception: their
 * frequency result is `frequency.consented` in the row's gate reasons) and the last conversation
 * (a call connected to an agent) in its quiet period. A rule counted per caller number reads only
 * the calls presented from `callerNumber`. No lock: a snapshot read.
 */
function frequencyColumns(
  rule: FrequencyRule,
  i: number,
  campaign: GateCampaign,
  callerNumber: string | null,
  now: Date,
) {
  const MINUTE = 60_000;
  const longest = Math.max(0, ...rule.windows.map((w) => w.minutes));
  const quiet = rule.quietAfterConversationMinutes ?? 0;
  const windowSince = new Date(now.getTime() - longest * MINUTE);
  const convSince = new Date(now.getTime() - quiet * MINUTE);
  // A conversation is connected within a ring timeout (≤ 120 s) and queueing of its dial: an
  // hour of slack finds every call connected in the quiet period by the queued_at index.
  const since = new Date(now.getTime() - Math.max(longest, quiet > 0 ? quiet + 60 : 0) * MINUTE);
  const scope =
    rule.across === 'campaign'
      ? sql`and x.campaign_id = ${campaign.id}`
      : rule.across === 'client'
        ? // An init plan: the client's campaigns are listed once per statement, not per call row.
          sql`and x.campaign_id = any(array(select cc.id from campaigns cc where cc.client_id = ${campaign.clientId}))`
        : sql``;
  // Per caller number: the calls presented from the number the next call presents (none match
  // when the campaign's caller id has no number: nothing is counted against an unknown line).
  const line = rule.callerNumbers === 'each' ? sql`and x.caller_number = ${callerNumber ?? ''}` : sql``;
  const counted = [sql`x.queued_at > ${windowSince}`];
  if (rule.uncountedResults.length > 0)
    counted.push(sql`(x.result is null or x.result <> all(${[...rule.uncountedResults]}::text[]))`);
  if (rule.consentExclusionDays !== null)
    counted.push(sql`not (x.gate_reasons @> ${JSON.stringify([{ code: CONSENTED_CODE }])}::jsonb)`);
  const figures = sql`array_agg(${epochMs(sql`x.queued_at`)}) filter (where ${sql.join(counted, sql` and `)}) as times,
      ${epochMs(sql`max(x.connected_at) filter (where x.connected_at > ${convSince} and x.connected_at <= ${now})`)} as conv`;
  const byNumber = sql`select ${figures} from call_attempts x
      where ${rule.unit === 'account' ? sql`src.account_ref is null and ` : sql``}x.phone_e164 = src.phone_e164
        and x.queued_at > ${since} and x.queued_at <= ${now} ${scope} ${line}`;
  const select = sql.raw(
    rule.unit === 'account'
      ? `coalesce(f${i}a.times, f${i}n.times) as f${i}_times, coalesce(f${i}a.conv, f${i}n.conv) as f${i}_conv`
      : `f${i}n.times as f${i}_times, f${i}n.conv as f${i}_conv`,
  );
  const joins = [sql`left join lateral (${byNumber}) ${sql.raw(`f${i}n`)} on true`];
  if (rule.unit === 'account') {
    const byAccount = sql`select ${figures} from call_attempts x
      where src.account_ref is not null and x.account_ref = src.account_ref
        and x.queued_at > ${since} and x.queued_at <= ${now} ${scope} ${line}`;
    joins.push(sql`left join lateral (${byAccount}) ${sql.raw(`f${i}a`)} on true`);
  }
  return { select, joins: sql.join(joins, sql` `) };
}

async function factsFor(
  db: Db,
  campaignPart: CampaignGateFacts,
  source: ReturnType<typeof sql>,
  now: Date,
): Promise<Map<number, ContactGateFacts>> {
  const campaign: GateCampaign = campaignPart.campaign;
  const policy = effectivePolicy(campaignPart);
  const scopeKeys = ['internal', `client:${campaign.clientId}`, `campaign:${campaign.id}`];
  const recentSince = new Date(now.getTime() - RECENT_ATTEMPTS_MS);
  // An abandoned call matters for the policy's whole no-repeat window (a fixed look-back would
  // silently cap a longer rule: a 96 h policy would not see a call abandoned 80 h ago).
  const abandonSince = new Date(now.getTime() - policy.repeatAfterAbandonHours * HOUR);
  // Approvals matter only to contacts that need one, or where consent may rest on one.
  const requiresConsent = policy.requiresConsent;
  const callerNumber = campaignPart.callerNumber ?? null;
  const frequency = policy.frequency.map((rule, i) => frequencyColumns(rule, i, campaign, callerNumber, now));
  const frequencySelect = frequency.length ? sql`, ${sql.join(frequency.map((f) => f.select))}` : sql``;
  const frequencyJoins = sql.join(
    frequency.map((f) => f.joins),
    sql` `,
  );
  const [factRows, approvalRows] = await Promise.all([
    withoutJit(db, (trx) =>
      sql<FactsRow>`
      with src as (${source})
      select src.id, src.phone_e164, src.batch_id, src.time_zone, src.time_zone_assumed, src.time_zone_candidates,
        src.consent_ref, src.account_ref, src.needs_approval, src.last_outcome,
        ${epochMs(sql`src.last_attempt_at`)} as last_attempt_at,
        exists (select 1 from national_dnc n where n.phone_e164 = src.phone_e164) as national,
        (select json_agg(json_build_object('scope', d.scope, 'scope_key', d.scope_key, 'reason', d.reason,
                                           'added_at', d.added_at, 'expires_at', d.expires_at))
           from dnc_entries d
          where d.phone_e164 = src.phone_e164 and d.scope_key = any(${scopeKeys}::text[])) as dnc,
        att.total, att.open, att.recent, att.last_result, att.last_at,
        -- call_attempts_abandoned_phone_time: only the number's abandoned calls are read.
        (select ${epochMs(sql`max(coalesce(x.answered_at, x.queued_at))`)} from call_attempts x
          where x.phone_e164 = src.phone_e164 and x.abandoned
            and x.queued_at >= ${abandonSince} and x.queued_at <= ${now}) as last_abandoned_at,
        case when src.needs_approval or ${requiresConsent} then
          (select array_agg(r.approval_id) from remarketing_approval_numbers r
             join remarketing_approvals g on g.id = r.approval_id
            where r.phone_e164 = src.phone_e164 and g.campaign_id = ${campaign.id})
        end as approval_ids${frequencySelect}
      from src
      left join lateral (
        select count(*) as total,
               bool_or(a.finalized_at is null) as open,
               array_agg(${epochMs(sql`a.queued_at`)}) filter (where a.queued_at >= ${recentSince}) as recent,
               (array_agg(a.result order by a.queued_at desc))[1] as last_result,
               ${epochMs(sql`(array_agg(coalesce(a.ended_at, a.queued_at) order by a.queued_at desc))[1]`)} as last_at
          from call_attempts a
         where a.contact_id = src.id and a.queued_at <= ${now}
      ) att on true ${frequencyJoins}`.execute(trx),
    ),
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
  const rows = factRows.rows;

  // Approvals: revocations recorded at or before `now` count; later ones do not exist yet.
  const revokedAt = new Map<number, Date>();
  const grants = approvalRows.filter((a) => a.revokes_approval_id === null && a.recorded_at <= now);
  for (const a of approvalRows) {
    if (a.revokes_approval_id === null || a.recorded_at > now) continue;
    const prev = revokedAt.get(a.revokes_approval_id);
    if (!prev || a.recorded_at < prev) revokedAt.set(a.revokes_approval_id, a.recorded_at);
  }
  const coverage = new Map<number, ApprovalCoverage>(
    grants.map((a) => [
      a.id,
      {
        approvalId: a.id,
        reference: a.reference,
        validFrom: a.valid_from,
        validUntil: a.valid_until,
        revokedAt: revokedAt.get(a.id) ?? null,
      },
    ]),
  );
  // Only an approval of a batch of this campaign covers the batch's contacts (an approval of
  // another campaign's batch covers its numbers, copied into remarketing_approval_numbers).
  const byBatch = new Map<number, ApprovalCoverage[]>();
  const batchIds = [...new Set(grants.map((a) => a.batch_id).filter((b): b is number => b !== null))];
  if (batchIds.length > 0) {
    const own = await db
      .selectFrom('batches')
      .select('id')
      .where('id', 'in', batchIds)
      .where('campaign_id', '=', campaign.id)
      .execute();
    const ownIds = new Set(own.map((b) => b.id));
    for (const a of grants) {
      if (a.batch_id === null || !ownIds.has(a.batch_id)) continue;
      const list = byBatch.get(a.batch_id) ?? [];
      list.push(coverage.get(a.id)!);
      byBatch.set(a.batch_id, list);
    }
  }

  // An agent reserved for the call lifts the no-repeat-after-abandon rule. The runner holds an
  // agent before dialing in one case only: the callback claimLeads serves (the earliest pending
  // one due now) is personal, and the runner reserves that callback's agent or does not dial.
  // So only that counts: not a callback due later, nor a personal one behind an earlier
  // agentless one (on equal due times the agentless one is taken, as the runner may pick it).
  // contacts.reserved_agent_id is not read: nothing writes it and the runner never holds that
  // agent, so trusting it would call a number within the window with nobody guaranteed.
  // Looked up for the few contacts with a recent abandoned call. The same served callback carries the called person's consent when it was scheduled in a
  // conversation (its call connected to an agent): a rule with a consent exception neither
  // holds nor counts the call (Regulation F 1006.14(b)(3)(i)). Looked up for the whole batch
  // only when the policy has such a rule: one probe of callbacks_due (the campaign's pending
  // callbacks due now) per batch.
  const consentRules = policy.frequency.some((r) => r.consentExclusionDays !== null);
  const needReservation = rows
    .filter((r) => r.id > 0 && (consentRules || r.last_abandoned_at !== null))
    .map((r) => r.id);
  const reserved = new Set<number>();
  const consented = new Map<number, ConsentedCall>();
  if (needReservation.length > 0) {
    const served = await db
      .selectFrom('callbacks as cb')
      .leftJoin('call_attempts as ca', 'ca.id', 'cb.created_from_attempt_id')
      .distinctOn('cb.contact_id')
      .select(['cb.contact_id', 'cb.agent_id', 'cb.created_from_attempt_id', 'ca.connected_at'])
      .where('cb.campaign_id', '=', campaign.id)
      // One array parameter, not one per contact (a whole batch when a rule has a consent exception).
      .where(sql<boolean>`cb.contact_id = any(${needReservation}::int[])`)
      .where('cb.status', '=', 'pending')
      .where('cb.due_at', '<=', now)
      .orderBy('cb.contact_id')
      .orderBy('cb.due_at')
      .orderBy(sql`cb.agent_id is null`, 'desc')
      .execute();
    for (const c of served) {
      if (c.agent_id !== null) reserved.add(c.contact_id);
      if (c.created_from_attempt_id !== null && c.connected_at !== null && c.connected_at <= now)
        consented.set(c.contact_id, { consentAt: c.connected_at, attemptId: c.created_from_attempt_id });
    }
  }

  const out = new Map<number, ContactGateFacts>();
  // Each rule's column names, built once per batch rather than once per row.
  const frequencyColumnNames = policy.frequency.map((_, i) => [`f${i}_times`, `f${i}_conv`] as const);
  const noTimes: readonly number[] = [];
  for (const r of rows) {
    const dnc: DncHit[] = (r.dnc ?? []).map((d) => ({
      scope: d.scope,
      scopeKey: d.scope_key,
      reason: d.reason,
      addedAt: d.added_at ? new Date(d.added_at) : null,
      expiresAt: d.expires_at ? new Date(d.expires_at) : null,
    }));
    if (r.national)
      dnc.push({ scope: 'national', scopeKey: 'national', reason: null, addedAt: null, expiresAt: null });
    const approvals: ApprovalCoverage[] = [
      ...(r.batch_id !== null ? (byBatch.get(r.batch_id) ?? []) : []),
      ...(r.approval_ids ?? []).flatMap((id) => {
        const c = coverage.get(Number(id));
        return c ? [c] : [];
      }),
    ];
    const contact: GateContact = {
      id: r.id,
      phoneE164: r.phone_e164,
      batchId: r.batch_id,
      timeZone: r.time_zone,
      timeZoneAssumed: r.time_zone_assumed,
      candidateTimeZones: r.time_zone_candidates ?? undefined,
      consentRef: r.consent_ref,
      accountRef: r.account_ref,
      needsApproval: r.needs_approval,
    };
    const facts: ContactFacts = {
      dnc,
      approvals,
      attemptsTotal: Number(r.total ?? 0),
      recentAttemptTimes: (r.recent ?? []).map((t) => new Date(t)),
      lastAttempt: r.last_at ? { result: r.last_result, at: new Date(r.last_at) } : null,
      lastAbandonedAt: r.last_abandoned_at ? new Date(r.last_abandoned_at) : null,
      openAttempt: Boolean(r.open),
      agentReserved: reserved.has(r.id),
      lastOutcome:
        r.last_outcome && r.last_attempt_at ? { tag: r.last_outcome, at: new Date(r.last_attempt_at) } : null,
      // Plain properties, one object shape for every row (no conditional spreads): the gate
      // reads these facts for every contact of a batch.
      frequency: policy.frequency.length
        ? policy.frequency.map((rule, i): FrequencyFacts => {
            const [timesColumn, convColumn] = frequencyColumnNames[i]!;
            const times = r[timesColumn] as number[] | null;
            const conv = r[convColumn] as number | null;
            return {
              ruleId: rule.id,
              countedBy: rule.unit === 'account' && r.account_ref !== null ? 'account' : 'number',
              attemptTimes: times === null ? noTimes : times.map(Number),
              lastConversationAt: conv === null ? null : Number(conv),
              callerNumber: rule.callerNumbers === 'each' ? callerNumber : undefined,
            };
          })
        : undefined,
      consentedCall: consentRules ? (consented.get(r.id) ?? null) : undefined,
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
    ...(loaded.policy ? { policy: loaded.policy } : {}),
    now,
  };
}
