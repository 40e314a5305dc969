/**
 * `npm run bench:dial-pass [-- --sizes 10000,100000,1000000 --passes 200 --before-passes 15
 *   --claim 10 --pglite]`
 *
 * What one pass of the dial loop costs the database as a campaign grows. For each size it fills a
 * fresh campaign with that many contacts in one INSERT … SELECT generate_series (60 % ready and
 * due, 30 % ready with a retry hours away, 10 % done; 2 % at a higher priority; every fifth one
 * with a finalized attempt in the last 30 days, some abandoned), a few due callbacks, 20 agents
 * logged in and 40 calls in flight, then runs the hot statements of a pass `--passes` times:
 *   agents (AgentPool.sync's read), claim N (claimLeads), gate facts for them (loadGateFacts with
 *   the cached campaign part), hasWork (campaignHasWork), lease renewal (renewLeases +
 *   releaseExpiredLeases, due every 40 s), the release of the N (releaseLead, back with a retry
 *   in 4 h, as after a call), and the campaign facts refresh (loadHeldCampaignGateFacts, at most
 *   once per 5 engine seconds);
 * and prints the median and p95 of each and of the pass (the every-pass statements; and with the
 * periodic ones due as well). References measured in the same run: a primary-key lookup of a
 * contact and a primary-key update (the cost of one commit: the release is N of them),
 * and the statements as they were before this change (the claim ordered by the lateral
 * callback join, leadCounts' count of the campaign's contacts, the full campaign facts that
 * launch() reloaded on every pass), each `--before-passes` times at 10,000 contacts and
 * proportionally fewer (at least 2) at the larger sizes (the claim in a rolled-back
 * transaction). At the largest size it prints EXPLAIN (ANALYZE, BUFFERS) of every statement.
 *
 * On PostgreSQL: DATABASE_URL, or a database bench_dial_pass it creates on the local server and
 * drops at the end. `--pglite` also runs the smallest size on an in-memory PGlite (no plans).
 */

import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { type DatabaseHandle, openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { listOpenSessions } from '../../db/queries/agent-sessions.ts';
import { insertCampaign } from '../../db/queries/campaigns.ts';
import { findClientByCode, insertClient } from '../../db/queries/clients.ts';
import {
  type CampaignGateFacts,
  loadCampaignGateFacts,
  loadGateFacts,
  loadHeldCampaignGateFacts,
} from '../../db/queries/gate-facts.ts';
import {
  type ClaimLeadsOptions,
  campaignHasWork,
  claimLeads,
  releaseExpiredLeases,
  releaseLead,
  renewLeases,
} from '../../db/queries/leads.ts';
import type { Database } from '../../db/schema.ts';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    passes: { type: 'string', default: '200' },
    'before-passes': { type: 'string', default: '15' },
    claim: { type: 'string', default: '10' },
    pglite: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
  },
});

const SIZES = flags.sizes.split(',').map((s) => Number(s.trim()));
const PASSES = Number(flags.passes);
const BEFORE_PASSES = Number(flags['before-passes']);
const CLAIM = Number(flags.claim);
const out = (line = '') => process.stdout.write(`${line}\n`);
const ENGINE = 'bench-engine';
const LEASE_SECONDS = 120;
const HOUR = 3_600_000;

type Db = Kysely<Database>;

interface Seeded {
  campaignId: number;
  readyAgentIds: number[];
  sampleContactId: number;
}

async function benchDatabaseUrl(): Promise<{ url: string; drop?: () => Promise<void> }> {
  const given = flags['database-url'] ?? process.env.DATABASE_URL;
  if (given) return { url: given };
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run('drop database if exists bench_dial_pass with (force)');
  await run('create database bench_dial_pass');
  return {
    url: 'postgres://postgres@127.0.0.1:5432/bench_dial_pass',
    drop: () => run('drop database if exists bench_dial_pass with (force)'),
  };
}

/** A campaign of `size` contacts, its attempts, callbacks, agents and calls in flight. */
async function seed(db: Db, size: number, now: Date): Promise<Seeded> {
  const client =
    (await findClientByCode(db, 'bench')) ?? (await insertClient(db, { code: 'bench', name: 'Bench' }));
  const definition = campaignDefinitionSchema.parse({
    name: `dial pass ${size} ${now.getTime()}-${Math.random().toString(36).slice(2, 7)}`,
    client: client.code,
    type: 'collections',
    mode: 'predictive',
    dialing: { callerId: '+12125550100', endpointTemplate: 'PJSIP/{number}@carrier' },
    callingWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
  });
  const campaign = await insertCampaign(db, definition, 'bench');
  const c = campaign.id;
  await db.updateTable('campaigns').set({ status: 'running' }).where('id', '=', c).execute();
  await db
    .insertInto('national_dnc_syncs')
    .values({ synced_at: now, source: 'bench', numbers: 0, replaced: true })
    .execute();
  // Distinct numbers: i × 1,000,003 mod 8·10⁹ is a bijection on i < 8·10⁹.
  await sql`
    insert into contacts (campaign_id, phone_e164, time_zone, status, next_attempt_at, priority,
                          attempts, last_attempt_at, last_outcome)
    select ${c}, '+1' || (2000000000 + (i * 1000003) % 8000000000)::text, 'America/New_York',
           case when i % 10 = 9 then 'done' else 'ready' end,
           case when i % 10 < 6 then ${now}::timestamptz - interval '1 hour' - (i % 100000) * interval '1 second'
                else ${now}::timestamptz + interval '4 hours' + (i % 100000) * interval '1 second' end,
           case when i % 50 = 0 then 1 else 0 end,
           case when i % 5 = 0 then 1 else 0 end,
           case when i % 5 = 0 then ${now}::timestamptz - (i % 29 + 1) * interval '1 day' end,
           case when i % 5 = 0 then 'no_answer' end
    from generate_series(1::bigint, ${size}::bigint) i`.execute(db);
  // Every fifth contact was called once in the window: half answered by a person, 3 % of those
  // abandoned, the rest unanswered.
  await sql`
    insert into call_attempts (campaign_id, contact_id, phone_e164, channel_id, engine_id, status,
                               queued_at, answered_at, connected_at, ended_at, result, abandoned, finalized_at)
    select ${c}, k.id, k.phone_e164, 'bench-' || k.id, ${ENGINE}, 'ended',
           k.last_attempt_at,
           case when k.id % 2 = 0 then k.last_attempt_at + interval '10 seconds' end,
           case when k.id % 2 = 0 and k.id % 33 <> 0 then k.last_attempt_at + interval '11 seconds' end,
           k.last_attempt_at + interval '60 seconds',
           case when k.id % 2 = 1 then 'no_answer' when k.id % 33 = 0 then 'abandoned' else 'connected' end,
           k.id % 2 = 0 and k.id % 33 = 0,
           k.last_attempt_at + interval '60 seconds'
    from contacts k where k.campaign_id = ${c} and k.last_attempt_at is not null`.execute(db);
  // 20 agents logged in and ready; 40 calls in flight (claimed contacts with an open dial-log row).
  const agents = await db
    .insertInto('agents')
    .values(
      Array.from({ length: 20 }, (_, i) => ({
        code: `bench-${c}-${i}`,
        name: `Bench ${i}`,
        endpoint: `PJSIP/bench-${c}-${i}`,
      })),
    )
    .returning('id')
    .execute();
  await db
    .insertInto('agent_sessions')
    .values(
      agents.map((a) => ({
        agent_id: a.id,
        campaign_id: c,
        state: 'ready',
        state_since: now,
        started_at: now,
      })),
    )
    .execute();
  const away = await db
    .insertInto('agents')
    .values({ code: `bench-${c}-away`, name: 'Away', endpoint: `PJSIP/bench-${c}-away` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const inFlight = await sql<{ id: number; phone_e164: string }>`
    update contacts set status = 'in_progress', lease_owner = ${ENGINE},
           lease_expires_at = ${new Date(now.getTime() + LEASE_SECONDS * 1000)}
    where id in (select id from contacts where campaign_id = ${c} and status = 'ready'
                 and next_attempt_at > ${now} order by id limit 40)
    returning id, phone_e164`.execute(db);
  await db
    .insertInto('call_attempts')
    .values(
      inFlight.rows.map((r) => ({
        campaign_id: c,
        contact_id: r.id,
        phone_e164: r.phone_e164,
        channel_id: `bench-live-${r.id}`,
        engine_id: ENGINE,
        status: 'ringing',
        queued_at: now,
      })),
    )
    .execute();
  // Due callbacks: 20 anybody's (claimed first on the first passes), 10 for an agent who is away
  // (skipped on every pass, as long as their grace lasts).
  await sql`
    insert into callbacks (contact_id, campaign_id, agent_id, due_at)
    select id, ${c}, case when n > 20 then ${away.id}::int end, ${now}::timestamptz - interval '5 minutes'
    from (select id, row_number() over (order by id) as n from contacts
          where campaign_id = ${c} and status = 'ready' and next_attempt_at <= ${now}
          order by id desc limit 30) due`.execute(db);
  await sql`analyze contacts`.execute(db);
  await sql`analyze call_attempts`.execute(db);
  await sql`analyze callbacks`.execute(db);
  await sql`analyze agent_sessions`.execute(db);
  const sample = await db
    .selectFrom('contacts')
    .select('id')
    .where('campaign_id', '=', c)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return { campaignId: c, readyAgentIds: agents.map((a) => a.id), sampleContactId: sample.id };
}

/** The claim as it was before this change: ordered by an expression of a lateral join. */
function claimBefore(db: Db, campaignId: number, limit: number, now: Date, readyAgentIds: number[]) {
  const agents = sql.raw(`array[${readyAgentIds.map(Number).join(',')}]::int[]`);
  const graceStart = new Date(now.getTime() - 1800 * 1000);
  return sql`
    with candidates as (
      select c.id, cb.id as callback_id, cb.agent_id as callback_agent_id
      from contacts c
      left join lateral (
        select k.id, k.agent_id, k.due_at from callbacks k
        where k.contact_id = c.id and k.status = 'pending' and k.due_at <= ${now}
        order by k.due_at limit 1
      ) cb on true
      where c.campaign_id = ${campaignId}
        and c.status = 'ready'
        and c.next_attempt_at <= ${now}
        and (cb.agent_id is null or cb.agent_id = any(${agents}) or cb.due_at <= ${graceStart})
        and not exists (
          select 1 from call_attempts a where a.contact_id = c.id and a.finalized_at is null
        )
      order by (cb.id is not null) desc, c.priority desc, c.next_attempt_at, c.id
      limit ${limit}
      for update of c skip locked
    )
    update contacts set status = 'in_progress', lease_owner = 'before', lease_expires_at = ${now}, updated_at = ${now}
    from candidates where contacts.id = candidates.id
    returning contacts.id`.execute(db);
}

/** leadCounts as it was: every contact of the campaign counted, on every pass. */
function countsBefore(db: Db, campaignId: number, now: Date) {
  return sql`
    select count(*) as total,
           count(case when status = 'ready' then 1 end) as ready,
           count(case when status = 'ready' and next_attempt_at <= ${now} then 1 end) as due,
           count(case when status = 'in_progress' then 1 end) as in_progress
    from contacts where campaign_id = ${campaignId}`.execute(db);
}

class Rollback extends Error {}

/** Runs `work` in a transaction that is always rolled back. */
async function rolledBack(db: Db, work: (trx: Db) => Promise<unknown>): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      await work(trx);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

class Timings {
  readonly byName = new Map<string, number[]>();
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await work();
    const list = this.byName.get(name) ?? [];
    list.push(performance.now() - started);
    this.byName.set(name, list);
    return result;
  }
  last(name: string): number | undefined {
    return this.byName.get(name)?.at(-1);
  }
  add(name: string, ms: number) {
    const list = this.byName.get(name) ?? [];
    list.push(ms);
    this.byName.set(name, list);
  }
}

const STATEMENTS = [
  'agents (open sessions)',
  'claim N',
  'gate facts for the N',
  'hasWork',
  'lease renewal (every 40 s)',
  'release of the N',
  'campaign facts refresh (≤ 1 per 5 s)',
] as const;

/** The claim the engine makes each pass, as both the timed passes and the plans use it. */
function engineClaim(seeded: Seeded, now: Date): ClaimLeadsOptions {
  return {
    campaignId: seeded.campaignId,
    engineId: ENGINE,
    limit: CLAIM,
    now,
    leaseSeconds: LEASE_SECONDS,
    readyAgentIds: seeded.readyAgentIds,
  };
}

async function runPasses(db: Db, seeded: Seeded, now: Date, timings: Timings, passes: number) {
  const { campaignId } = seeded;
  const campaign: CampaignGateFacts = await loadCampaignGateFacts(db, campaignId, now);
  for (let pass = 0; pass < passes; pass++) {
    const started = performance.now();
    await timings.time(STATEMENTS[0], () => listOpenSessions(db, campaignId));
    const leads = await timings.time(STATEMENTS[1], () => claimLeads(db, engineClaim(seeded, now)));
    if (leads.length < CLAIM) throw new Error(`claimed ${leads.length} of ${CLAIM}: the campaign ran dry`);
    await timings.time(STATEMENTS[2], () =>
      loadGateFacts(
        db,
        campaignId,
        leads.map((l) => l.id),
        now,
        { campaign },
      ),
    );
    await timings.time(STATEMENTS[3], () => campaignHasWork(db, campaignId, now));
    await timings.time(STATEMENTS[4], async () => {
      await renewLeases(db, { campaignId, engineId: ENGINE, now, leaseSeconds: LEASE_SECONDS });
      await releaseExpiredLeases(db, campaignId, now);
    });
    await timings.time(STATEMENTS[5], async () => {
      for (const lead of leads) {
        await releaseLead(db, lead.id, ENGINE, {
          status: 'ready',
          nextAttemptAt: new Date(now.getTime() + 4 * HOUR),
          now,
        });
      }
    });
    const everyPass = performance.now() - started - (timings.last(STATEMENTS[4]) ?? 0);
    await timings.time(STATEMENTS[6], () =>
      loadHeldCampaignGateFacts(db, campaignId, now, { validForMs: 5000, abandonedAttemptIds: [] }),
    );
    timings.add('pass: the every-pass statements (agents, claim, gate facts, hasWork, release)', everyPass);
    timings.add('pass with renewal and facts refresh due as well', performance.now() - started);
  }
}

async function runReferences(db: Db, seeded: Seeded, size: number, now: Date, timings: Timings) {
  const { campaignId, readyAgentIds, sampleContactId } = seeded;
  for (let i = 0; i < PASSES; i++) {
    await timings.time('reference: primary-key lookup', () =>
      sql`select 1 from contacts where id = ${sampleContactId - (i % 1000)}`.execute(db),
    );
  }
  // What one write costs whatever the table's size: a commit (the release writes N of them).
  for (let i = 0; i < PASSES; i++) {
    await timings.time('reference: primary-key update (one commit)', () =>
      sql`update contacts set updated_at = updated_at where id = ${sampleContactId - (i % 1000)}`.execute(db),
    );
  }
  // The statements as they were read the whole campaign: fewer runs at the larger sizes.
  const beforePasses = Math.max(2, Math.round((BEFORE_PASSES * 10_000) / Math.max(10_000, size)));
  for (let i = 0; i < beforePasses; i++) {
    await timings.time('before: claim N (lateral order)', () =>
      rolledBack(db, (trx) => claimBefore(trx, campaignId, CLAIM, now, readyAgentIds)),
    );
    await timings.time('before: hasWork (leadCounts)', () => countsBefore(db, campaignId, now));
    await timings.time('before: campaign facts on every pass', () =>
      loadCampaignGateFacts(db, campaignId, now),
    );
  }
}

function table(size: number, timings: Timings) {
  out(`| ${size.toLocaleString('en-US')} contacts | median ms | p95 ms | runs |`);
  out('| --- | ---: | ---: | ---: |');
  for (const [name, values] of timings.byName) {
    out(
      `| ${name} | ${quantile(values, 0.5).toFixed(2)} | ${quantile(values, 0.95).toFixed(2)} | ${values.length} |`,
    );
  }
  out();
}

/** EXPLAIN (ANALYZE, BUFFERS) of every statement `work` sends, each in a rolled-back transaction. */
async function explainEach(pool: pg.Pool, title: string, work: (db: Db) => Promise<unknown>) {
  const captured: CompiledQuery[] = [];
  const logging = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  await rolledBack(logging, (trx) => work(trx));
  const statements = captured.filter((q) => !/^\s*(set local|begin|commit|rollback)/i.test(q.sql));
  for (const q of statements) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      // loadGateFacts runs its statement with JIT off (see withoutJit): plan it the same way.
      if (title.startsWith('gate facts')) await client.query('set local jit = off');
      const plan = await client.query(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]);
      out(`-- ${title}`);
      out(q.sql.replace(/\s+/g, ' ').trim());
      for (const row of plan.rows) out(`   ${row['QUERY PLAN']}`);
      out();
    } finally {
      await client.query('rollback');
      client.release();
    }
  }
}

async function explainAll(handle: DatabaseHandle, seeded: Seeded, now: Date) {
  const pool = handle.pool!;
  const { campaignId, readyAgentIds } = seeded;
  const campaign = await loadCampaignGateFacts(handle.db, campaignId, now);
  const claimOptions = engineClaim(seeded, now);
  const [lead] = await claimLeads(handle.db, { ...claimOptions, limit: 1 });
  const ids = (
    await handle.db
      .selectFrom('contacts')
      .select('id')
      .where('campaign_id', '=', campaignId)
      .where('status', '=', 'ready')
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .limit(CLAIM)
      .execute()
  ).map((r) => r.id);
  await explainEach(pool, 'agents (open sessions)', (db) => listOpenSessions(db, campaignId));
  await explainEach(pool, 'claim N', (db) => claimLeads(db, claimOptions));
  await explainEach(pool, 'gate facts for the N', (db) =>
    loadGateFacts(db, campaignId, ids, now, { campaign }),
  );
  await explainEach(pool, 'hasWork', (db) => campaignHasWork(db, campaignId, now));
  await explainEach(pool, 'lease renewal', (db) =>
    renewLeases(db, { campaignId, engineId: ENGINE, now, leaseSeconds: LEASE_SECONDS }),
  );
  await explainEach(pool, 'expired leases', (db) => releaseExpiredLeases(db, campaignId, now));
  if (lead) {
    await explainEach(pool, 'release', (db) =>
      releaseLead(db, lead.id, ENGINE, {
        status: 'ready',
        nextAttemptAt: new Date(now.getTime() + 4 * HOUR),
        now,
      }),
    );
    await releaseLead(handle.db, lead.id, ENGINE, { status: 'ready', now });
  }
  await explainEach(pool, 'campaign facts refresh', (db) =>
    loadHeldCampaignGateFacts(db, campaignId, now, { validForMs: 5000, abandonedAttemptIds: [] }),
  );
  await explainEach(pool, 'before: claim N (lateral order)', (db) =>
    claimBefore(db, campaignId, CLAIM, now, readyAgentIds),
  );
  await explainEach(pool, 'before: hasWork (leadCounts)', (db) => countsBefore(db, campaignId, now));
}

async function benchDatabase(handle: DatabaseHandle, label: string, sizes: number[], explain: boolean) {
  await migrateToLatest(handle.db);
  const now = new Date(Date.UTC(2026, 11, 2, 15, 0, 0));
  const results: Array<{ size: number; timings: Timings }> = [];
  for (const size of sizes) {
    const filled = performance.now();
    out(`${label}: filling a campaign with ${size.toLocaleString('en-US')} contacts…`);
    const seeded = await seed(handle.db, size, now);
    out(`  filled in ${((performance.now() - filled) / 1000).toFixed(1)} s; running ${PASSES} passes…`);
    const timings = new Timings();
    // Warm-up outside the timing (connections, plans, caches).
    await runPasses(handle.db, seeded, now, new Timings(), 5);
    await runPasses(handle.db, seeded, now, timings, PASSES);
    await runReferences(handle.db, seeded, size, now, timings);
    results.push({ size, timings });
    if (explain && size === Math.max(...sizes)) {
      out();
      out(`EXPLAIN (ANALYZE, BUFFERS) at ${size.toLocaleString('en-US')} contacts, ${label}:`);
      out();
      await explainAll(handle, seeded, now);
    }
  }
  out();
  out(`${label}: N = ${CLAIM} leads per pass; times per statement (median / p95 of the runs)`);
  out();
  for (const r of results) table(r.size, r.timings);
}

async function main() {
  const { url, drop } = await benchDatabaseUrl();
  const handle = await openDatabase({ databaseUrl: url, maxConnections: 4 });
  try {
    const version = (await sql<{ server_version: string }>`show server_version`.execute(handle.db)).rows[0]
      ?.server_version;
    out(
      `PostgreSQL ${version}, Node ${process.version}, ${new Date().toISOString()}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores (a shared machine: the figures move with whatever else runs)`,
    );
    await benchDatabase(handle, 'PostgreSQL', SIZES, true);
  } finally {
    await handle.close();
    await drop?.();
  }
  if (flags.pglite) {
    const lite = await openDatabase({ dataDir: 'memory://' });
    try {
      await benchDatabase(lite, 'PGlite (in memory)', [Math.min(...SIZES)], false);
    } finally {
      await lite.close();
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
