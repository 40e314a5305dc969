import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Kysely table types: the one description of the database the application code uses.
 * Column names stay snake_case as in SQL; domain modules map rows to their own types.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON string or value. */
type Json<T> = ColumnType<T, T | string, T | string>;
type DefaultedJson<T> = ColumnType<T, T | string | undefined, T | string>;

export type CampaignType = 'survey' | 'collections' | 'reminder' | 'revisit';
export type DialMode = 'preview' | 'progressive' | 'predictive' | 'agentless';
export type CampaignStatus = 'draft' | 'running' | 'paused' | 'stopped' | 'finished';
export type ContactStatus = 'awaiting_approval' | 'ready' | 'in_progress' | 'done' | 'blocked' | 'exhausted';
export type DncScope = 'internal' | 'national' | 'client' | 'campaign';
export type AttemptStatus = 'queued' | 'originating' | 'ringing' | 'answered' | 'connected' | 'ended';

export interface ClientsTable {
  id: Generated<number>;
  code: string;
  name: string;
  contact: string | null;
  created_at: CreatedAt;
}

export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  client_id: number;
  type: CampaignType;
  mode: DialMode;
  status: ColumnType<CampaignStatus, CampaignStatus | undefined, CampaignStatus>;
  jurisdiction: ColumnType<string, string | undefined, string>;
  config: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: DefaultedTimestamp;
}

export interface BatchesTable {
  id: Generated<number>;
  client_id: number;
  campaign_id: number;
  source_ref: string | null;
  received_by: string | null;
  received_at: DefaultedTimestamp;
  file_name: string;
  file_sha256: string;
  file_bytes: ColumnType<number, number | undefined, number>;
  encoding: string | null;
  rows_total: ColumnType<number, number | undefined, number>;
  rows_imported: ColumnType<number, number | undefined, number>;
  rows_held: ColumnType<number, number | undefined, number>;
  rows_rejected: ColumnType<number, number | undefined, number>;
  rejected_by_reason: DefaultedJson<Record<string, number>>;
  archive_path: string | null;
  reject_report_path: string | null;
  retain_until: ColumnType<Date, Date | string, Date | string>;
  forced: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface ContactsTable {
  id: Generated<number>;
  campaign_id: number;
  batch_id: number | null;
  line_number: number | null;
  phone_e164: string;
  phone_raw: string | null;
  time_zone: string;
  time_zone_assumed: ColumnType<boolean, boolean | undefined, boolean>;
  /** Every zone the number may be in when its digits name several (migration 010); else null. */
  time_zone_candidates: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  fields: DefaultedJson<Record<string, string>>;
  consent_ref: string | null;
  /** The account (debt) the contact is called about, from the list (migration 050); per-account rules count by it. */
  account_ref: ColumnType<string | null, string | null | undefined, string | null>;
  /** Worked in another campaign before: dialable only while a re-marketing approval covers it. */
  needs_approval: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<ContactStatus, ContactStatus | undefined, ContactStatus>;
  status_reason: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  attempts_today: ColumnType<number, number | undefined, number>;
  attempts_day: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_attempt_at: Timestamp | null;
  last_outcome: string | null;
  next_attempt_at: DefaultedTimestamp;
  priority: ColumnType<number, number | undefined, number>;
  reserved_agent_id: number | null;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: DefaultedTimestamp;
}

export interface RejectedRowsTable {
  id: Generated<number>;
  batch_id: number;
  line_number: number;
  reason: string;
  detail: string | null;
  raw_row: string;
  phone_e164: string | null;
}

export interface DncEntriesTable {
  phone_e164: string;
  scope: DncScope;
  scope_key: string;
  reason: string | null;
  source: string | null;
  added_by: string | null;
  added_at: DefaultedTimestamp;
  expires_at: Timestamp | null;
}

export interface NationalDncTable {
  phone_e164: string;
}

export interface NationalDncSyncsTable {
  id: Generated<number>;
  synced_at: DefaultedTimestamp;
  source: string | null;
  file_sha256: string | null;
  numbers: number;
  replaced: boolean;
}

export interface RemarketingApprovalsTable {
  id: Generated<number>;
  client_id: number;
  campaign_id: number;
  batch_id: number | null;
  reference: string;
  approved_by: string;
  valid_from: DefaultedTimestamp;
  valid_until: Timestamp | null;
  note: string | null;
  recorded_by: string | null;
  recorded_at: CreatedAt;
  revokes_approval_id: number | null;
  revoke_reason: string | null;
  /** The numbers it names, sealed with it: their count and digest (migration 2026-12-02-001). */
  numbers_count: ColumnType<number, number | undefined, number>;
  numbers_sha256: string | null;
  chain_seq: EvidenceChainColumn<number>;
  prev_hash: EvidenceChainColumn<string>;
  row_hash: EvidenceChainColumn<string>;
}

export interface RemarketingApprovalNumbersTable {
  approval_id: number;
  phone_e164: string;
}

export interface AgentsTable {
  id: Generated<number>;
  code: string;
  name: string;
  endpoint: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  /** The user who may operate this agent (migration 060); null for none. */
  user_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface AgentSessionsTable {
  id: Generated<number>;
  agent_id: number;
  campaign_id: number | null;
  state: string;
  state_reason: string | null;
  state_since: DefaultedTimestamp;
  channel_id: string | null;
  bridge_id: string | null;
  current_attempt_id: number | null;
  engine_id: string | null;
  started_at: DefaultedTimestamp;
  ended_at: Timestamp | null;
  /** Bumped by every state change (compare-and-set between the engine and agent terminals). */
  version: ColumnType<number, number | undefined, number>;
  /** The state machine's extra fields (wrap-up deadline, what follows wrap-up, preview). */
  state_data: DefaultedJson<Record<string, unknown>>;
}

export interface CallAttemptsTable {
  id: Generated<number>;
  campaign_id: number;
  contact_id: number;
  phone_e164: string;
  agent_id: number | null;
  channel_id: string;
  engine_id: string | null;
  status: ColumnType<AttemptStatus, AttemptStatus | undefined, AttemptStatus>;
  queued_at: DefaultedTimestamp;
  originated_at: Timestamp | null;
  answered_at: Timestamp | null;
  /** The SIP answer (migration 2026-12-03-010); answered_at is the AMD verdict when AMD ran. */
  sip_answered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  connected_at: Timestamp | null;
  ended_at: Timestamp | null;
  result: string | null;
  hangup_cause: number | null;
  dial_status: string | null;
  amd_result: string | null;
  abandoned: ColumnType<boolean, boolean | undefined, boolean>;
  recording_ref: string | null;
  gate_reasons: DefaultedJson<unknown[]>;
  finalized_at: Timestamp | null;
  chain_seq: number | null;
  prev_hash: string | null;
  row_hash: string | null;
  /** Position in the campaign's own chain (migration 020). */
  campaign_seq: number | null;
  campaign_prev_hash: string | null;
  /** The contact's account (debt) reference, copied when the row is written (migration 2026-12-04-300). */
  account_ref: ColumnType<string | null, string | null | undefined, string | null>;
  /** The number presented to the called person (migration 2026-12-04-300); null before it was recorded. */
  caller_number: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The dial log's global chain head: one row (id 1). */
export interface DialLogChainTable {
  id: number;
  last_seq: number;
  last_hash: string;
}

/** Each campaign's chain head. */
export interface DialLogCampaignChainTable {
  campaign_id: number;
  last_seq: number;
  last_hash: string;
}

/** Every refusal of the compliance gate the runner recorded. */
export interface GateDenialsTable {
  id: Generated<number>;
  at: DefaultedTimestamp;
  campaign_id: number;
  contact_id: number | null;
  phone_e164: string;
  disposition: string;
  codes: string[];
  engine_id: string | null;
}

export type UserRole = 'admin' | 'manager' | 'agent' | 'compliance_officer' | 'qa';

/** People known to the product, with the role that decides what they may do (engine/access). */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  role: UserRole;
  created_by: string | null;
  created_at: CreatedAt;
  disabled_at: Timestamp | null;
  /** argon2id PHC string (migration 060); null until a password is set. */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
  password_changed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** Personal API tokens (migration 060): only the SHA-256 of the token is stored. */
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: ColumnType<string, string | undefined, string>;
  token_hash: string;
  created_by: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_by: ColumnType<string | null, string | null | undefined, string | null>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface OutcomesTable {
  id: Generated<number>;
  attempt_id: number | null;
  contact_id: number;
  campaign_id: number;
  agent_id: number | null;
  tag: string;
  data: DefaultedJson<Record<string, unknown>>;
  final: boolean;
  retry_at: Timestamp | null;
  recorded_by: string | null;
  recorded_at: DefaultedTimestamp;
  /** A correction is a new row pointing at the outcome it corrects, with its reason. */
  corrects_outcome_id: ColumnType<number | null, number | null | undefined, never>;
  correction_reason: ColumnType<string | null, string | null | undefined, never>;
  chain_seq: EvidenceChainColumn<number>;
  prev_hash: EvidenceChainColumn<string>;
  row_hash: EvidenceChainColumn<string>;
}

export interface CallbacksTable {
  id: Generated<number>;
  contact_id: number;
  campaign_id: number;
  agent_id: number | null;
  due_at: Timestamp;
  status: ColumnType<'pending' | 'done' | 'cancelled', 'pending' | 'done' | 'cancelled' | undefined>;
  note: string | null;
  created_from_attempt_id: number | null;
  created_at: CreatedAt;
}

export type RecordingState = 'recording' | 'stored' | 'failed' | 'purged';

/** One recorded call (migration 2026-12-03-030): the link to its dial-log row lives here. */
export interface RecordingsTable {
  id: Generated<number>;
  attempt_id: number | null;
  name: string;
  format: string;
  target: string | null;
  started_at: DefaultedTimestamp;
  ended_at: Timestamp | null;
  duration_seconds: number | null;
  /** Path of the stored file under the recordings folder. */
  location: string | null;
  campaign_id: number | null;
  agent_id: number | null;
  contact_id: number | null;
  state: ColumnType<RecordingState, RecordingState | undefined, RecordingState>;
  size_bytes: number | null;
  sha256: string | null;
  failure: string | null;
  stored_at: Timestamp | null;
  purge_after: Timestamp | null;
  purged_at: Timestamp | null;
}

export type CallFactKind = 'recording_notice' | 'satisfaction';

/** What a call did besides its dial-log row (append-only). */
export interface CallFactsTable {
  id: Generated<number>;
  attempt_id: number;
  campaign_id: number;
  kind: CallFactKind;
  data: DefaultedJson<Record<string, unknown>>;
  at: DefaultedTimestamp;
}

/** Evaluation forms per campaign, versioned (append-only). */
export interface QaFormsTable {
  id: Generated<number>;
  campaign_id: number;
  version: number;
  definition: Json<unknown>;
  created_by: string;
  created_at: CreatedAt;
}

/** QA scores of recordings: evidence, append-only and sealed into the evidence chain. */
export interface QaEvaluationsTable {
  id: Generated<number>;
  recording_id: number;
  form_id: number;
  campaign_id: number;
  agent_id: number | null;
  evaluator: string;
  scores: Json<Record<string, number>>;
  score: number;
  passed: boolean;
  note: string | null;
  recorded_at: DefaultedTimestamp;
  corrects_evaluation_id: ColumnType<number | null, number | null | undefined, never>;
  correction_reason: ColumnType<string | null, string | null | undefined, never>;
  chain_seq: EvidenceChainColumn<number>;
  prev_hash: EvidenceChainColumn<string>;
  row_hash: EvidenceChainColumn<string>;
}

export interface AlarmsTable {
  id: Generated<number>;
  campaign_id: number | null;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  data: DefaultedJson<Record<string, unknown>>;
  raised_at: DefaultedTimestamp;
  cleared_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: DefaultedTimestamp;
  actor: string;
  role: string | null;
  action: string;
  subject: string | null;
  details: DefaultedJson<Record<string, unknown>>;
  chain_seq: EvidenceChainColumn<number>;
  prev_hash: EvidenceChainColumn<string>;
  row_hash: EvidenceChainColumn<string>;
}

/**
 * Chain fields of an evidence table, set by the database's seal trigger on insert (never by the
 * application) and never changed (migration 2026-12-02-001).
 */
type EvidenceChainColumn<T> = ColumnType<T | null, never, never>;

/** The evidence chain's head: one row (id 1). */
export interface EvidenceChainTable {
  id: number;
  last_seq: number;
  last_hash: string;
}

/** Do-not-call additions and removals: the record; dnc_entries is the current state it implies. */
export interface DncEventsTable {
  id: Generated<number>;
  at: DefaultedTimestamp;
  action: 'add' | 'remove';
  phone_e164: string;
  scope: Exclude<DncScope, 'national'>;
  scope_key: string;
  reason: string | null;
  source: string | null;
  actor: string | null;
  expires_at: Timestamp | null;
  chain_seq: EvidenceChainColumn<number>;
  prev_hash: EvidenceChainColumn<string>;
  row_hash: EvidenceChainColumn<string>;
}

/** The pacer's learned statistics per campaign (engine/pacing/statistics.ts), replaced in place. */
export interface PacingStatisticsTable {
  campaign_id: number;
  statistics: Json<unknown>;
  saved_at: Timestamp;
}

/** A retention purge of a chain's oldest records (migration 2026-12-03-051). Append-only. */
export interface ChainPurgesTable {
  id: Generated<number>;
  chain: 'dial_log' | 'evidence';
  through_seq: number;
  through_hash: string;
  /** Dial log: per campaign id, its last purged campaign position and hash. */
  campaign_heads: DefaultedJson<Record<string, { seq: number; hash: string }>>;
  rows_purged: number;
  purged_at: Timestamp;
  actor: string;
}

export interface Database {
  clients: ClientsTable;
  campaigns: CampaignsTable;
  batches: BatchesTable;
  contacts: ContactsTable;
  rejected_rows: RejectedRowsTable;
  dnc_entries: DncEntriesTable;
  national_dnc: NationalDncTable;
  national_dnc_syncs: NationalDncSyncsTable;
  remarketing_approvals: RemarketingApprovalsTable;
  remarketing_approval_numbers: RemarketingApprovalNumbersTable;
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
  call_attempts: CallAttemptsTable;
  outcomes: OutcomesTable;
  callbacks: CallbacksTable;
  recordings: RecordingsTable;
  call_facts: CallFactsTable;
  qa_forms: QaFormsTable;
  qa_evaluations: QaEvaluationsTable;
  alarms: AlarmsTable;
  audit_log: AuditLogTable;
  dial_log_chain: DialLogChainTable;
  dial_log_campaign_chain: DialLogCampaignChainTable;
  gate_denials: GateDenialsTable;
  users: UsersTable;
  evidence_chain: EvidenceChainTable;
  dnc_events: DncEventsTable;
  api_tokens: ApiTokensTable;
  pacing_statistics: PacingStatisticsTable;
  chain_purges: ChainPurgesTable;
}

export type ClientRow = Selectable<ClientsTable>;
export type NewClient = Insertable<ClientsTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type NewCampaign = Insertable<CampaignsTable>;
export type CampaignUpdate = Updateable<CampaignsTable>;
export type BatchRow = Selectable<BatchesTable>;
export type ContactRow = Selectable<ContactsTable>;
export type NewContact = Insertable<ContactsTable>;
export type CallAttemptRow = Selectable<CallAttemptsTable>;
export type NewCallAttempt = Insertable<CallAttemptsTable>;
export type AuditRow = Selectable<AuditLogTable>;
