import { type Kysely, sql } from 'kysely';

/**
 * The evidence chain: every record that matters besides the dial log (call outcomes and their
 * corrections, re-marketing approvals and revocations, do-not-call additions and removals, the
 * audit log) is append-only, enforced by the database, and hash-chained into ONE global chain.
 *
 * - One chain for the four tables, so a transaction that writes several kinds of evidence (an
 *   opt-out outcome: outcome, do-not-call event, audit entry) takes one chain-head lock, and two
 *   such transactions can never deadlock on chain heads taken in different orders.
 * - The database seals each row as it is inserted (BEFORE INSERT trigger `evidence_seal`): it
 *   locks the head row (FOR UPDATE, held to commit, like the dial log's), sets chain_seq,
 *   prev_hash and row_hash = sha256(table \n seq \n prev_hash \n content), and moves the head.
 *   Every insert is sealed whoever writes it (the application, an import session, a future
 *   module), with no extra round trip. Never use `on conflict do nothing` on these tables: the
 *   trigger has moved the head before the conflict is seen.
 * - content = the jsonb text of the row's hashed columns (trigger arguments, frozen here), with
 *   timestamps rendered in UTC (the function's own `set timezone`). Columns added to these
 *   tables later are not hashed, so adding one never breaks the chain already sealed.
 * - UPDATE, DELETE and TRUNCATE are refused on every evidence table (and on the numbers of an
 *   approval, which the approval seals as a count and a digest).
 * - do-not-call: dnc_events is the record (add / remove, with reason); dnc_entries stays the
 *   current state the gate reads, maintained from dnc_events by a trigger and refusing any other
 *   update or delete. verify checks that dnc_entries is exactly what the events say.
 * - Outcomes: a correction is a new row pointing at the one it corrects (corrects_outcome_id).
 * - Existing rows are chained here, in time order.
 *
 * The national registry copy (national_dnc) stays outside: tens of millions of bare numbers
 * replaced as a whole by each load; each load is recorded in national_dnc_syncs and audited.
 * Frozen in time: no application imports.
 */

const OUTCOME_COLUMNS = [
  'id',
  'attempt_id',
  'contact_id',
  'campaign_id',
  'agent_id',
  'tag',
  'data',
  'final',
  'retry_at',
  'recorded_by',
  'recorded_at',
  'corrects_outcome_id',
  'correction_reason',
];
const AUDIT_COLUMNS = ['id', 'at', 'actor', 'role', 'action', 'subject', 'details'];
const APPROVAL_COLUMNS = [
  'id',
  'client_id',
  'campaign_id',
  'batch_id',
  'reference',
  'approved_by',
  'valid_from',
  'valid_until',
  'note',
  'recorded_by',
  'recorded_at',
  'revokes_approval_id',
  'revoke_reason',
  'numbers_count',
  'numbers_sha256',
];
const DNC_EVENT_COLUMNS = [
  'id',
  'at',
  'action',
  'phone_e164',
  'scope',
  'scope_key',
  'reason',
  'source',
  'actor',
  'expires_at',
];

const CHAINED: Array<[table: string, columns: string[], timeColumn: string]> = [
  ['dnc_events', DNC_EVENT_COLUMNS, 'at'],
  ['remarketing_approvals', APPROVAL_COLUMNS, 'recorded_at'],
  ['outcomes', OUTCOME_COLUMNS, 'recorded_at'],
  ['audit_log', AUDIT_COLUMNS, 'at'],
];

const args = (columns: string[]) => sql.raw(columns.map((c) => `'${c}'`).join(', '));

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = async (statement: ReturnType<typeof sql>) => {
    await statement.execute(db);
  };

  await run(sql`create table evidence_chain (
    id smallint primary key check (id = 1),
    last_seq bigint not null,
    last_hash text not null
  )`);
  await run(sql`insert into evidence_chain (id, last_seq, last_hash) values (1, 0, repeat('0', 64))`);

  // Outcome corrections: one correction per record (a correction of a correction corrects the
  // newest); the one-outcome-per-call rule holds for original records only.
  await run(sql`alter table outcomes add column corrects_outcome_id integer references outcomes(id)`);
  await run(sql`alter table outcomes add column correction_reason text`);
  await run(sql`alter table outcomes add constraint outcomes_correction_has_reason
    check ((corrects_outcome_id is null) = (correction_reason is null))`);
  await run(sql`drop index outcomes_one_per_attempt`);
  await run(sql`create unique index outcomes_one_per_attempt on outcomes (attempt_id)
    where attempt_id is not null and corrects_outcome_id is null`);
  await run(sql`create unique index outcomes_one_correction on outcomes (corrects_outcome_id)
    where corrects_outcome_id is not null`);

  // An approval seals the numbers it names as their count and digest (sha256 of the numbers
  // sorted bytewise, joined by \n), so numbers added or removed later are seen.
  await run(sql`alter table remarketing_approvals add column numbers_count integer not null default 0`);
  await run(sql`alter table remarketing_approvals add column numbers_sha256 text`);
  await run(sql`update remarketing_approvals a set numbers_count = n.count, numbers_sha256 = n.digest
    from (select approval_id, count(*)::int as count,
                 encode(sha256(convert_to(string_agg(phone_e164, E'\n' order by phone_e164 collate "C"), 'UTF8')), 'hex') as digest
          from remarketing_approval_numbers group by approval_id) n
    where n.approval_id = a.id`);

  await run(sql`create table dnc_events (
    id bigint generated by default as identity primary key,
    at timestamptz not null default now(),
    action text not null check (action in ('add','remove')),
    phone_e164 text not null,
    scope text not null check (scope in ('internal','client','campaign')),
    scope_key text not null,
    reason text,
    source text,
    actor text,
    expires_at timestamptz
  )`);
  await run(sql`create index dnc_events_entry on dnc_events (phone_e164, scope_key, id)`);
  // The entries there are today become their 'add' records.
  await run(sql`insert into dnc_events (at, action, phone_e164, scope, scope_key, reason, source, actor, expires_at)
    select added_at, 'add', phone_e164, scope, scope_key, reason, source, added_by, expires_at
    from dnc_entries where scope <> 'national'
    order by added_at, scope_key, phone_e164`);

  for (const [table] of CHAINED) {
    await run(sql`alter table ${sql.table(table)} add column chain_seq bigint`);
    await run(sql`alter table ${sql.table(table)} add column prev_hash text`);
    await run(sql`alter table ${sql.table(table)} add column row_hash text`);
    await run(sql`create unique index ${sql.raw(`${table}_chain_seq`)} on ${sql.table(table)} (chain_seq)`);
  }

  await run(sql`create function evidence_row_hash(tbl text, seq bigint, prev text, content text)
    returns text language sql immutable as $$
      select encode(sha256(convert_to(tbl || E'\n' || seq::text || E'\n' || prev || E'\n' || content, 'UTF8')), 'hex')
    $$`);

  // Chain the rows there already are, in time order across the four tables.
  await run(sql`create function evidence_chain_existing() returns void language plpgsql
    set timezone to 'UTC' as $$
    declare
      r record;
      seq bigint := 0;
      prev text := repeat('0', 64);
      content text;
      h text;
    begin
      for r in
        select 'dnc_events' as tbl, id::bigint as id, at as t, 0 as rank from dnc_events
        union all select 'remarketing_approvals', id, recorded_at, 1 from remarketing_approvals
        union all select 'outcomes', id, recorded_at, 2 from outcomes
        union all select 'audit_log', id, at, 3 from audit_log
        order by t, rank, id
      loop
        seq := seq + 1;
        execute format(
          'select (select jsonb_object_agg(key, value) from jsonb_each(to_jsonb(x)) where key = any($1))::text from %I x where id = $2',
          r.tbl)
          into content
          using (case r.tbl
            when 'dnc_events' then ${sql.lit(`{${DNC_EVENT_COLUMNS.join(',')}}`)}
            when 'remarketing_approvals' then ${sql.lit(`{${APPROVAL_COLUMNS.join(',')}}`)}
            when 'outcomes' then ${sql.lit(`{${OUTCOME_COLUMNS.join(',')}}`)}
            else ${sql.lit(`{${AUDIT_COLUMNS.join(',')}}`)} end)::text[], r.id;
        h := evidence_row_hash(r.tbl, seq, prev, content);
        execute format('update %I set chain_seq = $1, prev_hash = $2, row_hash = $3 where id = $4', r.tbl)
          using seq, prev, h, r.id;
        prev := h;
      end loop;
      update evidence_chain set last_seq = seq, last_hash = prev where id = 1;
    end $$`);
  await run(sql`select evidence_chain_existing()`);
  await run(sql`drop function evidence_chain_existing()`);

  await run(sql`create function evidence_seal() returns trigger language plpgsql
    set timezone to 'UTC' as $$
    declare
      head record;
      content text;
    begin
      select last_seq, last_hash into head from evidence_chain where id = 1 for update;
      new.chain_seq := head.last_seq + 1;
      new.prev_hash := head.last_hash;
      content := (select jsonb_object_agg(key, value) from jsonb_each(to_jsonb(new)) where key = any(tg_argv))::text;
      new.row_hash := evidence_row_hash(tg_table_name, new.chain_seq, new.prev_hash, content);
      update evidence_chain set last_seq = new.chain_seq, last_hash = new.row_hash where id = 1;
      return new;
    end $$`);
  await run(sql`create function evidence_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % of row % refused (record a new row instead)',
        tg_table_name, lower(tg_op), coalesce(to_jsonb(old)->>'id', to_jsonb(old)->>'approval_id')
        using errcode = 'P0001';
    end $$`);
  await run(sql`create function evidence_no_truncate() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: truncate refused', tg_table_name using errcode = 'P0001';
    end $$`);

  const guarded = [...CHAINED.map(([table]) => table), 'remarketing_approval_numbers'];
  for (const [table, columns] of CHAINED) {
    await run(sql`create trigger ${sql.raw(`${table}_seal`)} before insert on ${sql.table(table)}
      for each row execute function evidence_seal(${args(columns)})`);
  }
  for (const table of guarded) {
    await run(sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function evidence_append_only()`);
    await run(sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function evidence_no_truncate()`);
  }

  await run(sql`create function evidence_head_forward() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or new.last_seq <= old.last_seq then
        raise exception 'the evidence chain head only moves forward' using errcode = 'P0001';
      end if;
      return new;
    end $$`);
  await run(sql`create trigger evidence_chain_forward before update or delete on evidence_chain
    for each row execute function evidence_head_forward()`);

  // dnc_entries: the current state, derived from dnc_events and changed only through them.
  await run(sql`create function dnc_events_apply() returns trigger language plpgsql as $$
    begin
      if new.action = 'add' then
        insert into dnc_entries (phone_e164, scope, scope_key, reason, source, added_by, added_at, expires_at)
        values (new.phone_e164, new.scope, new.scope_key, new.reason, new.source, new.actor, new.at, new.expires_at)
        on conflict (phone_e164, scope_key) do update set scope = excluded.scope, reason = excluded.reason,
          source = excluded.source, added_by = excluded.added_by, added_at = excluded.added_at,
          expires_at = excluded.expires_at;
      else
        delete from dnc_entries where phone_e164 = new.phone_e164 and scope_key = new.scope_key;
      end if;
      return null;
    end $$`);
  await run(sql`create trigger dnc_events_apply after insert on dnc_events
    for each row execute function dnc_events_apply()`);
  // Depth 1 is a statement on dnc_entries itself; the event trigger's own changes run deeper.
  await run(sql`create function dnc_entries_guard() returns trigger language plpgsql as $$
    begin
      if pg_trigger_depth() < 2 then
        raise exception 'dnc_entries follows dnc_events: % refused (record an add or remove event)', lower(tg_op)
          using errcode = 'P0001';
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$`);
  await run(sql`create trigger dnc_entries_guard before update or delete on dnc_entries
    for each row execute function dnc_entries_guard()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = async (statement: ReturnType<typeof sql>) => {
    await statement.execute(db);
  };
  await run(sql`drop trigger if exists dnc_entries_guard on dnc_entries`);
  await run(sql`drop function if exists dnc_entries_guard()`);
  await run(sql`drop table if exists evidence_chain`);
  for (const [table] of CHAINED) {
    await run(sql`drop trigger if exists ${sql.raw(`${table}_seal`)} on ${sql.table(table)}`);
  }
  for (const table of [...CHAINED.map(([t]) => t), 'remarketing_approval_numbers']) {
    await run(sql`drop trigger if exists ${sql.raw(`${table}_append_only`)} on ${sql.table(table)}`);
    await run(sql`drop trigger if exists ${sql.raw(`${table}_no_truncate`)} on ${sql.table(table)}`);
  }
  await run(sql`drop table if exists dnc_events`);
  for (const [table] of CHAINED.filter(([t]) => t !== 'dnc_events')) {
    await run(sql`alter table ${sql.table(table)} drop column if exists chain_seq`);
    await run(sql`alter table ${sql.table(table)} drop column if exists prev_hash`);
    await run(sql`alter table ${sql.table(table)} drop column if exists row_hash`);
  }
  await run(sql`drop function if exists dnc_events_apply()`);
  await run(sql`drop function if exists evidence_head_forward()`);
  await run(sql`drop function if exists evidence_no_truncate()`);
  await run(sql`drop function if exists evidence_append_only()`);
  await run(sql`drop function if exists evidence_seal()`);
  await run(sql`drop function if exists evidence_row_hash(text, bigint, text, text)`);
  await run(sql`alter table remarketing_approvals drop column if exists numbers_sha256`);
  await run(sql`alter table remarketing_approvals drop column if exists numbers_count`);
  await run(sql`drop index if exists outcomes_one_correction`);
  await run(sql`drop index if exists outcomes_one_per_attempt`);
  await run(
    sql`create unique index outcomes_one_per_attempt on outcomes (attempt_id) where attempt_id is not null`,
  );
  await run(sql`alter table outcomes drop constraint if exists outcomes_correction_has_reason`);
  await run(sql`alter table outcomes drop column if exists correction_reason`);
  await run(sql`alter table outcomes drop column if exists corrects_outcome_id`);
}
