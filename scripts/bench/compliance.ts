/**
 * `npm run bench:compliance [-- --contacts N --national M --batch B --concurrency C --copy-indexed]`
 *
 * On PostgreSQL (DATABASE_URL, or a database bench_compliance it re-creates on the local server):
 *   1. writes a registry file of M unique US numbers;
 *   2. times a raw `COPY … FROM STDIN` of that file into an unindexed table (the reference), then
 *      our `dialer dnc import --scope national --replace` path on the same file (normalize every
 *      line to E.164, COPY into a new table, build its primary key, swap it in, record the sync);
 *      with --copy-indexed, also a raw COPY straight into a table with a primary key; and the
 *      floor of any indexed load: the raw COPY followed by a primary key build, with the numbers
 *      as text and as bigint;
 *   3. loads N contacts (10 % on the national list, 1 % on the internal list, 5 % needing an
 *      approval of which half are covered, 20 % with earlier attempts, some abandoned, 5 % with an
 *      assumed zone and several candidate zones) and times gate decisions for all of them: facts
 *      loaded from the database in batches of B (loadGateFacts) plus the pure evaluateGate, with C
 *      batches in flight; then the pure evaluation alone on the loaded facts. The campaign uses the
 *      `us-collections` preset (or --preset): its frequency rule (7 calls in 7 days per account,
 *      quiet 7 days after a conversation, across the client's campaigns) is loaded and judged for
 *      every contact; two contacts share each account, and some earlier calls were conversations.
 *      Besides the wall-clock rates, the decisions per CPU-second (this process and the database's
 *      backends, read from /proc when the server runs on this host): on a shared machine the
 *      wall-clock figures move with whatever else runs, the CPU figures far less.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import {
  type CampaignGateFacts,
  type GateFactsOptions,
  gateInputFor,
  type LoadedGateFacts,
  loadCampaignGateFacts,
  loadGateFacts,
} from '../../db/queries/gate-facts.ts';
import { importNationalDnc } from '../../db/queries/national-dnc-import.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import type { GateDecision } from '../../engine/compliance/gate-types.ts';
import { jurisdictionPolicy, policyForDefinition } from '../../engine/compliance/jurisdictions.ts';
import { createPhoneNormalizer } from '../../engine/compliance/phone-number.ts';

const { values: flags } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    national: { type: 'string', default: '10000000' },
    batch: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '2' },
    'copy-indexed': { type: 'boolean', default: false },
    preset: { type: 'string', default: 'us-collections' },
    'database-url': { type: 'string' },
  },
});

const CONTACTS = Number(flags.contacts);
const NATIONAL = Number(flags.national);
const BATCH = Number(flags.batch);
const CONCURRENCY = Math.max(1, Number(flags.concurrency));
const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The i-th number of a set of distinct US numbers: i × 1,000,003 mod 8·10⁹ is a bijection (the
 * multiplier is prime to 2 and 5), shifted to ten digits starting 2–9. Numbers i ≥ M are
 * therefore never in the registry of the first M.
 */
function usNumber(i: number): string {
  return String(2_000_000_000 + ((i * 1_000_003) % 8_000_000_000));
}

async function writeRegistry(path: string, count: number) {
  const file = createWriteStream(path);
  const chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    chunk.push(usNumber(i));
    if (chunk.length === 100_000 || i === count - 1) {
      if (!file.write(`${chunk.join('\n')}\n`)) await once(file, 'drain');
      chunk.length = 0;
    }
  }
  file.end();
  await once(file, 'finish');
}

async function benchDatabaseUrl(): Promise<string> {
  const given = flags['database-url'] ?? process.env.DATABASE_URL;
  if (given) return given;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query('drop database if exists bench_compliance with (force)');
  await admin.query('create database bench_compliance');
  await admin.end();
  return 'postgres://postgres@127.0.0.1:5432/bench_compliance';
}

interface RawCopy {
  copySeconds: number;
  /** Building a primary key on the copied table afterwards (the import's key build, alone). */
  keySeconds: number | null;
}

/**
 * A raw COPY of the file into a fresh table, as `text` (the file's lines as they are) or as
 * `bigint` (the same digits as integers, the most compact key PostgreSQL has); optionally with its
 * primary key present during the COPY, or built afterwards with the memory the import gives it.
 */
async function rawCopy(
  pool: pg.Pool,
  file: string,
  table: string,
  options: { type: 'text' | 'bigint'; key: 'none' | 'during' | 'after' },
): Promise<RawCopy> {
  const client = await pool.connect();
  try {
    await client.query(`drop table if exists ${table}`);
    const column = options.type === 'text' ? 'text collate "C"' : 'bigint';
    await client.query(
      `create table ${table} (phone_e164 ${column} not null${options.key === 'during' ? ' primary key' : ''})`,
    );
    await client.query('checkpoint');
    const started = performance.now();
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      client.query(copyFrom(`copy ${table} from stdin`)),
    );
    const copySeconds = (performance.now() - started) / 1000;
    let keySeconds: number | null = null;
    if (options.key === 'after') {
      const keyStarted = performance.now();
      await client.query('begin');
      await client.query(`set local maintenance_work_mem = '1GB'`);
      await client.query(`alter table ${table} add primary key (phone_e164)`);
      await client.query('commit');
      keySeconds = (performance.now() - keyStarted) / 1000;
    }
    await client.query(`drop table ${table}`);
    return { copySeconds, keySeconds };
  } finally {
    client.release();
  }
}

/** The next Wednesday 18:00 UTC (midday in the US): every calling window open, registry fresh. */
function benchNow(): Date {
  const d = new Date();
  d.setUTCHours(18, 0, 0, 0);
  while (d.getUTCDay() !== 3 || d.getTime() <= Date.now()) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

async function seedContacts(pool: pg.Pool, now: Date): Promise<{ campaignId: number; ids: number[] }> {
  const q = (text: string, params: unknown[] = []) => pool.query(text, params);
  const client = (await q(`insert into clients (code, name) values ('bench', 'Bench') returning id`)).rows[0]
    .id;
  const definition = {
    name: 'Bench',
    client: 'bench',
    type: 'collections',
    mode: 'predictive',
    jurisdiction: 'US',
    dialing: { callerId: '+12125550100' },
    compliance: { preset: flags.preset },
  };
  const campaign = (
    await q(
      `insert into campaigns (name, client_id, type, mode, jurisdiction, config)
       values ('Bench', $1, 'collections', 'predictive', 'US', $2) returning id`,
      [client, JSON.stringify(definition)],
    )
  ).rows[0].id as number;
  const earlier = (
    await q(
      `insert into campaigns (name, client_id, type, mode, jurisdiction, config)
       values ('Earlier', $1, 'collections', 'predictive', 'US', $2) returning id`,
      [client, JSON.stringify({ ...definition, name: 'Earlier' })],
    )
  ).rows[0].id as number;
  const batch = (
    await q(
      `insert into batches (client_id, campaign_id, file_name, file_sha256, retain_until)
       values ($1, $2, 'bench.csv', 'x', '2099-01-01') returning id`,
      [client, campaign],
    )
  ).rows[0].id as number;
  // Contact k: every 10th number is from the registry, the others from outside it.
  const phones: string[] = [];
  for (let k = 0; k < CONTACTS; k++) {
    const i = k % 10 === 0 ? (k * 97) % NATIONAL : NATIONAL + k;
    phones.push(`+1${usNumber(i)}`);
  }
  const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
  await q(
    `insert into contacts (campaign_id, batch_id, phone_e164, time_zone, time_zone_assumed, time_zone_candidates,
                           needs_approval, status, account_ref)
     select $1, $2, p.phone, ($4::text[])[1 + (p.k % 4)], p.k % 20 = 7,
            case when p.k % 20 = 7 then array['America/New_York','America/Chicago'] end,
            p.k % 20 = 3, 'ready', 'ACC-' || (p.k / 2)
     from unnest($3::text[]) with ordinality as p(phone, k)`,
    [campaign, batch, phones, zones],
  );
  const ids = (await q('select id from contacts where campaign_id = $1 order by id', [campaign])).rows.map(
    (r: { id: number }) => r.id,
  );
  // 1 % on the internal list.
  await q(
    `insert into dnc_entries (phone_e164, scope, scope_key, reason)
     select phone_e164, 'internal', 'internal', 'opt-out' from contacts where campaign_id = $1 and id % 100 = 5`,
    [campaign],
  );
  // Half the contacts that need an approval are covered by one (by number).
  const approval = (
    await q(
      `insert into remarketing_approvals (client_id, campaign_id, reference, approved_by, valid_from)
       values ($1, $2, 'BENCH-1', 'Owner', $3) returning id`,
      [client, campaign, new Date(now.getTime() - 86_400_000)],
    )
  ).rows[0].id;
  await q(
    `insert into remarketing_approval_numbers (approval_id, phone_e164)
     select $1, phone_e164 from contacts where campaign_id = $2 and needs_approval and id % 2 = 0`,
    [approval, campaign],
  );
  // 20 % of the contacts were called before: one or two finalized attempts in the last days.
  await q(
    `insert into call_attempts (campaign_id, contact_id, phone_e164, account_ref, caller_number, channel_id, status,
                                queued_at, ended_at, result, abandoned, answered_at, connected_at, finalized_at)
     select c.campaign_id, c.id, c.phone_e164, c.account_ref, '+12125550100', 'b-' || c.id || '-' || n, 'ended',
            $2::timestamptz - (n * 7 + (c.id % 50)) * interval '1 hour',
            $2::timestamptz - (n * 7 + (c.id % 50)) * interval '1 hour' + interval '1 minute',
            (array['no_answer','busy','answered','machine'])[1 + c.id % 4],
            c.id % 97 = 0,
            case when c.id % 4 = 2 or c.id % 97 = 0 then $2::timestamptz - (n * 7 + (c.id % 50)) * interval '1 hour' end,
            case when c.id % 4 = 2 and c.id % 97 <> 0 then $2::timestamptz - (n * 7 + (c.id % 50)) * interval '1 hour' + interval '2 seconds' end,
            $2::timestamptz - (n * 7 + (c.id % 50)) * interval '1 hour' + interval '1 minute'
     from contacts c, generate_series(1, 2) as n
     where c.campaign_id = $1 and c.id % 5 = 1 and (n = 1 or c.id % 10 = 1)`,
    [campaign, now],
  );
  // Those needing approval were worked in an earlier campaign.
  await q(
    `insert into contacts (campaign_id, phone_e164, time_zone, status)
     select $1, phone_e164, time_zone, 'done' from contacts where campaign_id = $2 and needs_approval`,
    [earlier, campaign],
  );
  await q('analyze');
  return { campaignId: campaign, ids };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'dialer-bench-compliance-'));
  const url = await benchDatabaseUrl();
  const handle = await openDatabase({ databaseUrl: url, maxConnections: 10 });
  try {
    await migrateToLatest(handle.db);
    const pool = handle.pool!;
    const registry = join(work, 'registry.txt');
    out(`generating a registry file of ${NATIONAL.toLocaleString('en-US')} numbers…`);
    await writeRegistry(registry, NATIONAL);
    const bytes = statSync(registry).size;

    out('raw COPY of the file (reference)…');
    const { copySeconds } = await rawCopy(pool, registry, 'bench_raw_copy', { type: 'text', key: 'none' });
    const copyIndexedSeconds = flags['copy-indexed']
      ? (await rawCopy(pool, registry, 'bench_raw_copy_pk', { type: 'text', key: 'during' })).copySeconds
      : null;
    out('raw COPY then a primary key, as text and as bigint (the floor of any indexed load)…');
    const keyedText = await rawCopy(pool, registry, 'bench_raw_copy_key', { type: 'text', key: 'after' });
    const keyedBigint = await rawCopy(pool, registry, 'bench_raw_copy_key', { type: 'bigint', key: 'after' });
    out('dnc import --scope national --replace…');
    await pool.query('checkpoint');
    const imported = await importNationalDnc(handle, {
      file: registry,
      normalize: createPhoneNormalizer('US'),
      replace: true,
      actor: 'bench',
    });
    const importSeconds = imported.durationMs / 1000;
    if (imported.totalNumbers !== NATIONAL)
      throw new Error(`imported ${imported.totalNumbers} of ${NATIONAL}`);

    const now = benchNow();
    out(`loading ${CONTACTS.toLocaleString('en-US')} contacts…`);
    const { campaignId, ids } = await seedContacts(pool, now);

    out(`gate decisions in batches of ${BATCH}, ${CONCURRENCY} in flight…`);
    // One warm-up batch (connections, plans, JIT) outside the timing.
    const campaign: CampaignGateFacts = await loadCampaignGateFacts(handle.db, campaignId, now);
    await loadGateFacts(handle.db, campaignId, ids.slice(0, BATCH), now, { campaign });

    const batches: number[][] = [];
    for (let i = 0; i < ids.length; i += BATCH) batches.push(ids.slice(i, i + BATCH));
    /** Every contact decided once: facts loaded in batches (C in flight) plus the pure gate. */
    // CPU spent on the decisions, this process and the database's backends together: on a shared
    // machine wall-clock rates move with whatever else runs, CPU time far less. The backends' CPU
    // is read from /proc (a database server on this host); absent elsewhere.
    // Per backend of this database: CPU ms so far; null when /proc cannot be read. A connection
    // the pool opens during a run has no earlier reading: all its CPU belongs to the run.
    const backendCpu = async (): Promise<Map<number, number> | null> => {
      const pids: number[] = (
        await pool.query('select pid from pg_stat_activity where datname = current_database()')
      ).rows.map((r: { pid: number }) => r.pid);
      const byPid = new Map<number, number>();
      for (const pid of pids) {
        try {
          const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
          byPid.set(pid, (Number(fields[11]) + Number(fields[12])) * 10); // clock ticks of 10 ms
        } catch {
          return null;
        }
      }
      return byPid;
    };
    const timeDecisions = async (options: GateFactsOptions) => {
      const loaded: LoadedGateFacts[] = [];
      const decisions: GateDecision[] = [];
      let loadSeconds = 0;
      const cpuBefore = process.cpuUsage();
      const backendBefore = await backendCpu();
      const started = performance.now();
      const campaignPart = await loadCampaignGateFacts(handle.db, campaignId, now, options);
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const t = performance.now();
          const facts = await loadGateFacts(handle.db, campaignId, batch, now, { campaign: campaignPart });
          loadSeconds += (performance.now() - t) / 1000;
          for (const id of batch) decisions.push(evaluateGate(gateInputFor(facts, id, now)!));
          loaded.push(facts);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const gateSeconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const backendAfter = await backendCpu();
      let database: number | null = null;
      if (backendBefore && backendAfter) {
        database = 0;
        for (const [pid, ms] of backendAfter) database += (ms - (backendBefore.get(pid) ?? 0)) / 1000;
      }
      const cpuSeconds = { node: (cpu.user + cpu.system) / 1e6, database };
      return { loaded, decisions, loadSeconds, gateSeconds, cpuSeconds };
    };
    // The same contacts judged without any frequency rule (the jurisdiction's plain US policy):
    // what the frequency rules cost, measured in the same run.
    const baseline = await timeDecisions({ policy: jurisdictionPolicy('US') });
    const { loaded, decisions, loadSeconds, gateSeconds, cpuSeconds } = await timeDecisions({});

    const pureStarted = performance.now();
    let pure = 0;
    for (const facts of loaded) {
      for (const id of facts.contacts.keys()) {
        evaluateGate(gateInputFor(facts, id, now)!);
        pure++;
      }
    }
    const pureSeconds = (performance.now() - pureStarted) / 1000;

    const denialsByCode = new Map<string, number>();
    for (const d of decisions)
      for (const r of d.denials) denialsByCode.set(r.code, (denialsByCode.get(r.code) ?? 0) + 1);
    const allowed = decisions.filter((d) => d.allowed).length;

    const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')}/s`;
    out('');
    out(
      `PostgreSQL ${(await pool.query('show server_version')).rows[0].server_version}, Node ${process.version}, ${new Date().toISOString()}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores (a shared machine: the figures move with whatever else runs)`,
    );
    out(
      `national set: ${NATIONAL.toLocaleString('en-US')} numbers (${(bytes / 1e6).toFixed(0)} MB file); contacts: ${CONTACTS.toLocaleString('en-US')}; batch ${BATCH}, ${CONCURRENCY} in flight; preset ${flags.preset} (frequency rules: ${
        policyForDefinition({ jurisdiction: 'US', compliance: { preset: flags.preset } })
          .frequency.map((r) => r.id)
          .join(', ') || 'none'
      })`,
    );
    out('');
    out('| measure | ours | reference (same run) | target |');
    out('| --- | --- | --- | --- |');
    out(
      `| gate decisions (DB facts + pure gate), preset ${flags.preset} | ${rate(decisions.length, gateSeconds)} (${decisions.length.toLocaleString('en-US')} in ${gateSeconds.toFixed(2)} s) | pure gate alone: ${rate(pure, pureSeconds)} | ≥ 50,000/s |`,
    );
    out(
      `| | | the same without frequency rules (policy US): ${rate(baseline.decisions.length, baseline.gateSeconds)} (${baseline.gateSeconds.toFixed(2)} s) | |`,
    );
    const perCpu = (n: number, c: { node: number; database: number | null }) =>
      c.database === null
        ? `n/a (node ${c.node.toFixed(2)} s; the database's CPU is not readable here)`
        : `${Math.round(n / (c.node + c.database)).toLocaleString('en-US')} per CPU-second (node ${c.node.toFixed(2)} s + PostgreSQL ${c.database.toFixed(2)} s)`;
    out(
      `| the same, per CPU-second (less moved by a busy machine) | ${perCpu(decisions.length, cpuSeconds)} | without frequency rules: ${perCpu(baseline.decisions.length, baseline.cpuSeconds)} | |`,
    );
    out(
      `| national import (--replace) | ${importSeconds.toFixed(1)} s, ${rate(NATIONAL, importSeconds)} | raw COPY, no index: ${copySeconds.toFixed(1)} s, ${rate(NATIONAL, copySeconds)} | ≤ 2× COPY: ${(importSeconds / copySeconds).toFixed(2)}× |`,
    );
    out(
      `|   of which | streaming COPY with normalization ${(imported.phasesMs.copy / 1000).toFixed(1)} s, primary key build ${(imported.phasesMs.index / 1000).toFixed(1)} s, swap + sync + analyze ${(imported.phasesMs.commit / 1000).toFixed(1)} s | | |`,
    );
    for (const [label, keyed] of [
      ['text', keyedText],
      ['bigint', keyedBigint],
    ] as const) {
      const floor = keyed.copySeconds + (keyed.keySeconds ?? 0);
      out(
        `| floor: raw COPY + primary key, ${label} | | ${keyed.copySeconds.toFixed(1)} s + ${(keyed.keySeconds ?? 0).toFixed(1)} s = ${floor.toFixed(1)} s | ${(floor / copySeconds).toFixed(2)}× COPY |`,
      );
    }
    if (copyIndexedSeconds !== null) {
      out(
        `| | | raw COPY into a table with its primary key: ${copyIndexedSeconds.toFixed(1)} s | ours is ${(importSeconds / copyIndexedSeconds).toFixed(2)}× that |`,
      );
    }
    out('');
    out(
      'The floor rows: the same file copied raw and then given the primary key any lookup needs, with no normalization and no swap; above 2× COPY, no indexed load can meet the 2× target here.',
    );
    out(
      `facts loading: ${loadSeconds.toFixed(2)} s summed over batches (${((loadSeconds / batches.length) * 1000).toFixed(0)} ms a batch); decisions: ${allowed.toLocaleString('en-US')} allowed`,
    );
    out(
      `denials: ${[...denialsByCode.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code} ${n}`)
        .join(', ')}`,
    );
  } finally {
    await handle.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
