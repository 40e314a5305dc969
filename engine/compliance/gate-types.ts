import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import type { JurisdictionPolicy } from './jurisdictions.ts';

/**
 * The compliance gate's input and output. Everything the gate needs is in the input: the
 * contact, the campaign definition, the moment, and facts the caller pre-loaded from the
 * database (db/queries/gate-facts.ts). The gate itself reads nothing and writes nothing.
 */

/** The rules, one module each under rules/. */
export type RuleName =
  | 'dnc'
  | 'blacklist'
  | 'approval'
  | 'consent'
  | 'calling_window'
  | 'national_registry'
  | 'attempts'
  | 'retry_gap'
  | 'abandon_repeat'
  | 'machine_redial'
  | 'frequency'
  | 'in_flight'
  | 'abandonment_rate';

/**
 * pass: the rule allows the dial. deny: the rule forbids it. restrict: the dial is allowed but
 * something about how it is made is limited (abandonment over the cap: no predictive pacing).
 * not_applicable: the rule does not concern this contact or jurisdiction.
 */
export type RuleStatus = 'pass' | 'deny' | 'restrict' | 'not_applicable';

export interface RuleResult {
  rule: RuleName;
  status: RuleStatus;
  /** Machine-readable, `<rule>.<finding>`, e.g. `dnc.internal`, `calling_window.closed`. */
  code: string;
  /** One sentence for a compliance officer. Never contains the full number. */
  message: string;
  /**
   * For a denial that time lifts (hours, gap, 72 h): the earliest moment this rule would allow.
   * Absent for permanent denials (DNC, attempts exhausted).
   */
  retryAt?: Date;
}

export type GateDncScope = 'internal' | 'national' | 'client' | 'campaign';

/** A do-not-call entry matching the contact's number in a scope that concerns this campaign. */
export interface DncHit {
  scope: GateDncScope;
  /** 'internal', 'national', 'client:<id>' or 'campaign:<id>'. */
  scopeKey: string;
  reason: string | null;
  addedAt: Date | null;
  expiresAt: Date | null;
}

/** A re-marketing approval recorded for this campaign that covers the contact (number or batch). */
export interface ApprovalCoverage {
  approvalId: number;
  reference: string;
  validFrom: Date;
  validUntil: Date | null;
  /** When a revocation of this approval was recorded; null if never revoked. */
  revokedAt: Date | null;
}

export interface GateContact {
  id: number;
  phoneE164: string;
  batchId: number | null;
  /** The contact's IANA zone (given by the list or derived from the number at import). */
  timeZone: string;
  /** True when the zone was assumed (not given by the list and not certain from the number). */
  timeZoneAssumed: boolean;
  /**
   * Every zone the number may be in, when the import could tell several. When the zone is
   * assumed and this is absent, the gate takes the contact's zone plus the campaign default.
   */
  candidateTimeZones?: readonly string[] | undefined;
  consentRef: string | null;
  /** Worked in another campaign before: needs an approval valid at dial time. */
  needsApproval: boolean;
  /** The account (the debt) the contact is called about, from the list; per-account rules count by it. */
  accountRef?: string | null | undefined;
}

export interface GateCampaign {
  id: number;
  clientId: number;
  definition: GateCampaignDefinition;
}

/** The parts of the campaign definition the gate reads. */
export type GateCampaignDefinition = Pick<
  CampaignDefinition,
  'jurisdiction' | 'mode' | 'defaultTimeZone' | 'callingWindow' | 'holidays' | 'attempts' | 'abandon'
> &
  Partial<Pick<CampaignDefinition, 'compliance'>>;

/**
 * What one frequency rule of the policy counts for a contact: the times (epoch ms) of the calls
 * in the rule's longest window and the last conversation within its quiet period, about the
 * rule's unit (the number, or the contact's account — by the number when it has none).
 */
export interface FrequencyFacts {
  ruleId: string;
  countedBy: 'number' | 'account';
  attemptTimes: readonly number[];
  /** Epoch ms of the last call connected to an agent within the quiet period; null: none. */
  lastConversationAt: number | null;
  /** For a rule counted per caller number: the number whose calls were counted (null: unknown). */
  callerNumber?: string | null | undefined;
}

/**
 * The call about to be placed is one the called person asked for, directly, in a conversation
 * with an agent (the callback the runner serves now, scheduled from a connected call): consent
 * given at `consentAt`. Frequency rules with a consent exception neither hold nor count it.
 */
export interface ConsentedCall {
  /** When the consent was given: the start of the conversation (connected_at) it was given in. */
  consentAt: Date;
  /** The dial-log row of that conversation. */
  attemptId: number;
}

/** Per-contact facts from the database. */
export interface ContactFacts {
  /** DNC entries for the number in internal, national, client:<campaign's client>, campaign:<id>. */
  dnc: readonly DncHit[];
  /** Approvals recorded for this campaign covering the contact, including revoked/expired ones. */
  approvals: readonly ApprovalCoverage[];
  /** Attempts made to this contact in this campaign (every dial-log row, whatever its state). */
  attemptsTotal: number;
  /** Times (queued_at) of this contact's attempts in the last 48 h, to count "today" in its zone. */
  recentAttemptTimes: readonly Date[];
  /** The latest attempt in the dial log and its result (null while it has none yet). */
  lastAttempt: { result: string | null; at: Date } | null;
  /** The last abandoned call to this number, in any campaign. */
  lastAbandonedAt: Date | null;
  /** A dial-log row for this contact that has not ended yet. */
  openAttempt: boolean;
  /**
   * An agent is held for this very call (the personal callback due now that the runner serves
   * with its agent reserved): lifts the no-repeat-after-abandon rule.
   */
  agentReserved: boolean;
  /** The outcome the contact carries (contacts.last_outcome / last_attempt_at), if any. */
  lastOutcome: { tag: string; at: Date } | null;
  /**
   * One entry per frequency rule of the policy (by ruleId), loaded by loadGateFacts. Absent when
   * the policy has none; a rule without its facts holds the contact (never dials blind).
   */
  frequency?: readonly FrequencyFacts[] | undefined;
  /** Set when the call about to be placed carries the called person's prior consent. */
  consentedCall?: ConsentedCall | null | undefined;
}

/** Campaign-wide facts, loaded once per batch. */
export interface CampaignFacts {
  /**
   * Last full replacement of the national registry (an addition without --replace does not
   * date the copy); null if never fully loaded.
   */
  nationalRegistrySyncedAt: Date | null;
  /** Abandoned and human-answered calls of this campaign over its abandonment definition's window. */
  abandonment: {
    abandoned: number;
    humanAnswered: number;
    /** Answered calls AMD judged machines (the base of the false-positive estimate); 0 if absent. */
    machineVerdicts?: number;
    windowStart: Date;
  };
}

export interface GateInput {
  contact: GateContact;
  campaign: GateCampaign;
  now: Date;
  facts: ContactFacts;
  campaignFacts: CampaignFacts;
  /**
   * The jurisdiction's rules; defaults to jurisdictionPolicy(campaign.definition.jurisdiction).
   * The facts must be loaded for the same policy (loadGateFacts' `policy` option): their
   * look-backs, such as the abandoned calls, are sized by it.
   */
  policy?: JurisdictionPolicy;
}

/**
 * What the runner should do with the contact:
 * - dial: allowed;
 * - retry_later: only time-based rules deny; set next_attempt_at to retryAt;
 * - hold: an outside change is needed (an approval, a consent record, a registry load, the open
 *   call ending); keep the contact, check again later (approval missing: 'awaiting_approval');
 * - block: on a do-not-call list or the client's blacklist (contact status 'blocked');
 * - exhausted: no attempt left in this campaign (contact status 'exhausted').
 * The most final applicable disposition wins: block > exhausted > hold > retry_later.
 */
export type GateDisposition = 'dial' | 'retry_later' | 'hold' | 'block' | 'exhausted';

export interface GateDecision {
  allowed: boolean;
  disposition: GateDisposition;
  /** False when the abandonment rate is at or over the cap: the runner must pace progressively. */
  predictiveAllowed: boolean;
  /** True when the disposition is block or exhausted: no time will make the dial lawful. */
  permanent: boolean;
  /** When every denial is time-based: the earliest moment all of them lift. */
  retryAt: Date | null;
  /** The jurisdiction preset whose figures decided (a refusal names it and its rules' codes). */
  preset: string;
  /** Every rule's result, in a fixed order. */
  results: RuleResult[];
  /** The denying results only (empty when allowed). */
  denials: RuleResult[];
  evaluatedAt: Date;
}

/** What the dial log stores as the gate's reasons: JSON-safe, one entry per rule. */
export interface LoggedGateReason {
  rule: RuleName;
  status: RuleStatus;
  code: string;
  message: string;
}
