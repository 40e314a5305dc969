import { type Kysely, sql, type Transaction } from 'kysely';
import {
  EVIDENCE_TABLE_NAMES,
  EVIDENCE_TABLES,
  type EvidenceTable,
  evidenceRowHash,
  GENESIS_HASH,
  numbersDigester,
} from '../../engine/compliance/evidence-hash.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';
import type { Database } from '../schema.ts';
import { latestChainPurge } from './chain-purge.ts';

/**
 * Walks the evidence chain (outcomes, approvals, do-not-call events, audit log; migration
 * 2026-12-02-001) and names every record where it breaks, up to MAX_PROBLEMS:
 * - each position from 1 to the head is there once, links to the one before, and its hash is
 *   that of its own content (recomputed here, not by the database);
 * - after a retention purge (chain-purge.ts), the walk starts after the purged prefix: the first
 *   kept record sits at the next position and links to the purged record's recorded hash;
 * - the last row is the chain head (a deleted tail with the head left alone is seen; a deleted
 *   tail with the head rewound needs a checkpoint: checkpoint.ts);
 * - no row of these tables is outside the chain (inserted with the seal trigger off);
 * - each approval's numbers are the ones it sealed (count and digest);
 * - dnc_entries (what the gate reads) is exactly what the latest event of each entry says.
 *
 * Read in one repeatable-read transaction, so rows and head are one snapshot even while engines
 * write, with the session's time zone set to UTC (the content renders timestamps as the seal
 * trigger did).
 */

export type EvidenceProblemKind =
  | 'content_changed'
  | 'broken_link'
  | 'missing_rows'
  | 'head_mismatch'
  | 'outside_chain'
  | 'numbers_changed'
  | 'dnc_state_differs';

export interface EvidenceProblem {
  problem: EvidenceProblemKind;
  /** The table of the record where the problem shows (null: the head, or rows that are gone). */
  table: EvidenceTable | 'dnc_entries' | 'remarketing_approval_numbers' | null;
  recordId: number | null;
  /** Its position in the evidence chain. */
  position: number | null;
  message: string;
}

export interface EvidenceReport {
  ok: boolean;
  rowsChecked: number;
  head: { seq: number; hash: string } | null;
  /** The oldest records up to this position were purged past their retention; the walk starts after it. */
  purgedThrough: { seq: number; hash: string } | null;
  problems: EvidenceProblem[];
  /** More problems were found than are listed. */
  truncated: boolean;
}

const PAGE = 5_000;
const MAX_PROBLEMS = 50;

interface ChainRow {
  tbl: EvidenceTable;
  id: number;
  chain_seq: number;
  prev_hash: string | null;
  row_hash: string | null;
  content: string | null;
}

function contentOf(table: EvidenceTable) {
  return sql<string>`(select jsonb_object_agg(key, value) from jsonb_each(to_jsonb(x))
    where key = any(${sql.lit(`{${EVIDENCE_TABLES[table].join(',')}}`)}::text[]))::text`;
}

/** The next page of the chain after `after`, across the four tables (each branch by its chain_seq index). */
function chainPage(trx: Transaction<Database>, after: number) {
  const branches = EVIDENCE_TABLE_NAMES.map(
    (table) => sql`(select ${sql.lit(table)} as tbl, x.id::bigint as id, x.chain_seq, x.prev_hash, x.row_hash,
        ${contentOf(table)} as content
      from ${sql.table(table)} x where x.chain_seq > ${after} order by x.chain_seq limit ${PAGE})`,
  );
  return sql<ChainRow>`select * from (${sql.join(branches, sql` union all `)}) u order by chain_seq limit ${PAGE}`.execute(
    trx,
  );
}

/** The record at one position of the evidence chain (for checkpoints), or undefined. */
export async function evidenceRowAt(
  db: Kysely<Database> | Transaction<Database>,
  position: number,
): Promise<{ table: EvidenceTable; id: number; rowHash: string | null } | undefined> {
  const branches = EVIDENCE_TABLE_NAMES.map(
    (table) =>
      sql`select ${sql.lit(table)} as tbl, id::bigint as id, row_hash from ${sql.table(table)} where chain_seq = ${position}`,
  );
  const result = await sql<{ tbl: EvidenceTable; id: number; row_hash: string | null }>`${sql.join(
    branches,
    sql` union all `,
  )}`.execute(db);
  const row = result.rows[0];
  return row ? { table: row.tbl, id: Number(row.id), rowHash: row.row_hash } : undefined;
}

/**
 * Inside the caller's transaction when given one (its snapshot; its time zone is UTC from here
 * on), else in its own repeatable-read one.
 */
export async function verifyEvidence(db: Kysely<Database> | Transaction<Database>): Promise<EvidenceReport> {
  if (db.isTransaction) return verifyIn(db as Transaction<Database>);
  return db.transaction().setIsolationLevel('repeatable read').execute(verifyIn);
}

async function verifyIn(trx: Transaction<Database>): Promise<EvidenceReport> {
  await sql`set local timezone to 'UTC'`.execute(trx);
  const headRow = await trx.selectFrom('evidence_chain').selectAll().where('id', '=', 1).executeTakeFirst();
  const head = headRow ? { seq: Number(headRow.last_seq), hash: headRow.last_hash } : null;
  const problems: EvidenceProblem[] = [];
  let found = 0;
  const add = (p: EvidenceProblem) => {
    found++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  let rowsChecked = 0;
  const purged = await latestChainPurge(trx, 'evidence');
  let prevSeq = purged?.through ?? 0;
  let prevHash = purged?.hash ?? GENESIS_HASH;
  for (;;) {
    const { rows } = await chainPage(trx, prevSeq);
    for (const raw of rows) {
      const row = { ...raw, id: Number(raw.id), chain_seq: Number(raw.chain_seq) };
      const seq = row.chain_seq;
      const where = `${row.tbl} id ${row.id} (evidence position ${seq})`;
      let gap = false;
      if (seq !== prevSeq + 1) {
        gap = true;
        add({
          problem: 'missing_rows',
          table: row.tbl,
          recordId: row.id,
          position: seq,
          message: `evidence positions ${prevSeq + 1}${seq - 1 > prevSeq + 1 ? `-${seq - 1}` : ''} are missing before ${where}: records were deleted`,
        });
      }
      const expected = evidenceRowHash(row.tbl, seq, row.prev_hash ?? '', row.content ?? '');
      if (expected !== row.row_hash) {
        add({
          problem: 'content_changed',
          table: row.tbl,
          recordId: row.id,
          position: seq,
          message: `${where} does not match its sealed hash: its content was changed after it was recorded`,
        });
      }
      if (!gap && row.prev_hash !== prevHash) {
        add({
          problem: 'broken_link',
          table: row.tbl,
          recordId: row.id,
          position: seq,
          message: `${where} does not link to the record before it: a record was inserted, replaced or removed before it`,
        });
      }
      prevSeq = seq;
      prevHash = row.row_hash ?? '';
      rowsChecked++;
    }
    if (rows.length < PAGE) break;
  }
  if (!head || head.seq !== prevSeq || head.hash !== prevHash) {
    const missingTail = head !== null && head.seq > prevSeq;
    add({
      problem: missingTail ? 'missing_rows' : 'head_mismatch',
      table: null,
      recordId: null,
      position: missingTail ? prevSeq + 1 : prevSeq,
      message: missingTail
        ? `the evidence chain head is at position ${head?.seq} but the records end at ${prevSeq}: the newest records were deleted`
        : `the evidence chain head (position ${head?.seq ?? 'none'}) does not match the last record (position ${prevSeq})`,
    });
  }
  for (const p of await outsideChain(trx)) add(p);
  for (const p of await approvalNumbers(trx)) add(p);
  for (const p of await dncState(trx)) add(p);
  return {
    ok: found === 0,
    rowsChecked,
    head,
    purgedThrough: purged ? { seq: purged.through, hash: purged.hash } : null,
    problems,
    truncated: found > problems.length,
  };
}

/** Rows of the evidence tables that carry no seal (inserted with the trigger off, or unsealed later). */
async function outsideChain(trx: Transaction<Database>): Promise<EvidenceProblem[]> {
  const problems: EvidenceProblem[] = [];
  for (const table of EVIDENCE_TABLE_NAMES) {
    const rows = await sql<{ id: number }>`select id::bigint as id from ${sql.table(table)}
      where chain_seq is null or row_hash is null or prev_hash is null order by id limit ${MAX_PROBLEMS}`.execute(
      trx,
    );
    for (const r of rows.rows) {
      problems.push({
        problem: 'outside_chain',
        table,
        recordId: Number(r.id),
        position: null,
        message: `${table} id ${r.id} is not sealed into the evidence chain: it was written around the chain`,
      });
    }
  }
  return problems;
}

/**
 * Each approval's numbers against the count and digest it sealed, recomputed here from the
 * numbers streamed in keyset pages (an approval may name a whole list), one approval at a time.
 */
async function approvalNumbers(trx: Transaction<Database>): Promise<EvidenceProblem[]> {
  const sealed = new Map<number, { count: number; digest: string | null }>();
  for (const a of await trx
    .selectFrom('remarketing_approvals')
    .select(['id', 'numbers_count', 'numbers_sha256'])
    .execute()) {
    sealed.set(a.id, { count: Number(a.numbers_count), digest: a.numbers_sha256 });
  }
  const actual = new Map<number, { count: number; digest: string | null }>();
  let current: { id: number; digest: ReturnType<typeof numbersDigester> } | undefined;
  const close = () => {
    if (current) actual.set(current.id, { count: current.digest.count, digest: current.digest.done() });
  };
  let after = { approvalId: 0, phone: '' };
  for (;;) {
    const page = await sql<{ approval_id: number; phone_e164: string }>`
      select approval_id, phone_e164 from remarketing_approval_numbers
      where (approval_id, phone_e164 collate "C") > (${after.approvalId}, ${after.phone} collate "C")
      order by approval_id, phone_e164 collate "C" limit ${PAGE * 4}`.execute(trx);
    for (const n of page.rows) {
      if (current?.id !== n.approval_id) {
        close();
        current = { id: n.approval_id, digest: numbersDigester() };
      }
      current.digest.add(n.phone_e164);
    }
    const last = page.rows.at(-1);
    if (!last || page.rows.length < PAGE * 4) break;
    after = { approvalId: last.approval_id, phone: last.phone_e164 };
  }
  close();
  const problems: EvidenceProblem[] = [];
  for (const [id, seal] of sealed) {
    const now = actual.get(id) ?? { count: 0, digest: null };
    if (now.count === seal.count && now.digest === seal.digest) continue;
    problems.push({
      problem: 'numbers_changed',
      table: 'remarketing_approval_numbers',
      recordId: id,
      position: null,
      message: `the numbers of approval ${id} are not the ones it sealed (${now.count} now, ${seal.count} sealed${now.count === seal.count ? ', different numbers' : ''})`,
    });
  }
  return problems;
}

/**
 * dnc_entries against the latest add/remove event of each entry. One pass over both tables
 * (DISTINCT ON over dnc_events_entry's order, a hash full join with dnc_entries).
 */
async function dncState(trx: Transaction<Database>): Promise<EvidenceProblem[]> {
  const rows = await sql<{
    phone: string;
    scope_key: string;
    event_id: number | null;
    action: string | null;
    has_entry: boolean;
  }>`
    with latest as (
      select distinct on (phone_e164, scope_key) id, action, at, phone_e164, scope, scope_key, reason, source, actor, expires_at
      from dnc_events order by phone_e164, scope_key, id desc)
    select coalesce(l.phone_e164, d.phone_e164) as phone, coalesce(l.scope_key, d.scope_key) as scope_key,
           l.id::bigint as event_id, l.action, d.phone_e164 is not null as has_entry
    from latest l
    full join (select * from dnc_entries where scope <> 'national') d
      on d.phone_e164 = l.phone_e164 and d.scope_key = l.scope_key
    where (d.phone_e164 is not null and l.action is distinct from 'add')
       or (l.action = 'add' and d.phone_e164 is null)
       or (l.action = 'add' and (d.scope, d.reason, d.source, d.added_by, d.added_at, d.expires_at)
           is distinct from (l.scope, l.reason, l.source, l.actor, l.at, l.expires_at))
    order by 2, 1 limit ${MAX_PROBLEMS}`.execute(trx);
  return rows.rows.map((r) => {
    const entry = `the do-not-call entry ${maskPhone(r.phone)} in scope ${r.scope_key}`;
    const message = !r.has_entry
      ? `${entry} was added by dnc_events id ${r.event_id} but is gone: it was deleted around its record`
      : r.event_id === null
        ? `${entry} has no add record in dnc_events: it was written around the evidence chain`
        : r.action === 'remove'
          ? `${entry} is present although dnc_events id ${r.event_id} removed it`
          : `${entry} differs from its add record dnc_events id ${r.event_id}: it was changed around the evidence chain`;
    return {
      problem: 'dnc_state_differs' as const,
      table: 'dnc_entries' as const,
      recordId: r.event_id === null ? null : Number(r.event_id),
      position: null,
      message,
    };
  });
}
