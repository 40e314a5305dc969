/**
 * `npm run bench:import [-- --rows N --dnc M --pglite-rows N --pglite-dnc M --skip-pglite]`
 *
 * Generates a list of N rows (5 % invalid, 3 % repeated numbers, 10 % on a national DNC list of
 * M entries), then times in the same run, on the same file:
 *   - our import, end to end (archive copy + SHA-256, decode, parse, normalize, COPY into
 *     staging, screening, contacts and rejected rows, reject report, commit);
 *   - a raw `COPY … FROM STDIN (FORMAT csv)` of the file into an unlogged staging table;
 *   - our read/parse/normalize alone, with no database (where Node's time goes).
 * On PostgreSQL (DATABASE_URL, or a database bench_import it creates on the local server) and on
 * PGlite with a smaller N. Loading the M-entry national list is setup and not timed.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { importList } from '../../campaigns/import/import-list.ts';
import { createPhoneNormalizer } from '../../campaigns/import/phone-normalizer.ts';
import { readList } from '../../campaigns/import/read-list.ts';
import { type DatabaseHandle, openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { insertCampaign } from '../../db/queries/campaigns.ts';
import { systemClock } from '../../engine/platform/clock.ts';
import { silentLogger } from '../../engine/platform/logger.ts';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    dnc: { type: 'string', default: '5000000' },
    'pglite-rows': { type: 'string', default: '100000' },
    'pglite-dnc': { type: 'string', default: '500000' },
    'skip-pglite': { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
  },
});

const work = mkdtempSync(join(tmpdir(), 'dialer-bench-import-'));
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Figures {
  database: string;
  rows: number;
  dnc: number;
  importSeconds: number;
  copySeconds: number;
  parseSeconds: number;
  insertOnlySeconds: number;
  imported: number;
  peakRssMb: number;
  counts: string;
}

const phone = (i: number) => `13${String(i).padStart(9, '0')}`;

/** The list, and the numbers of it that are on the national list. */
async function generateList(rows: number, path: string): Promise<string[]> {
  const file = await open(path, 'w');
  const onNational: string[] = [];
  let buffer = 'phone,name,note\n';
  for (let i = 1; i <= rows; i++) {
    let cell: string;
    if (i % 20 === 0)
      cell = `12345${i % 1000}`; // invalid: 5 %
    else if (i % 100 >= 11 && i % 100 <= 13)
      cell = phone(i - 10); // repeats an earlier row: 3 %
    else {
      const n = phone(i);
      // Written three ways, as clients do.
      cell =
        i % 3 === 0
          ? n
          : i % 3 === 1
            ? `+86 ${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`
            : `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
      if (i % 10 === 5) onNational.push(`+86${n}`); // 10 %
    }
    buffer += `${cell},Customer ${i},"note ${i % 7}, batch A"\n`;
    if (buffer.length > 1 << 20) {
      await file.write(buffer);
      buffer = '';
    }
  }
  await file.write(buffer);
  await file.close();
  return onNational;
}

function expectedCounts(rows: number) {
  let invalid = 0;
  let duplicate = 0;
  let national = 0;
  for (let i = 1; i <= rows; i++) {
    if (i % 20 === 0) invalid++;
    else if (i % 100 >= 11 && i % 100 <= 13) duplicate++;
    else if (i % 10 === 5) national++;
  }
  return { invalid, duplicate, national, imported: rows - invalid - duplicate - national };
}

async function loadNationalDnc(handle: DatabaseHandle, fromList: string[], total: number): Promise<void> {
  const filler = Math.max(0, total - fromList.length);
  const started = performance.now();
  if (handle.pool) {
    const client = await handle.pool.connect();
    try {
      await client.query('truncate national_dnc');
      const text = `${fromList.join('\n')}\n`;
      await pipeline(
        async function* () {
          yield text;
        },
        client.query(copyFrom('copy national_dnc (phone_e164) from stdin')),
      );
      await client.query(
        `insert into national_dnc select '+8615' || lpad(g::text, 9, '0') from generate_series(1, $1) g`,
        [filler],
      );
      await client.query('analyze national_dnc');
    } finally {
      client.release();
    }
  } else if (handle.pglite) {
    await handle.pglite.query('truncate national_dnc');
    await handle.pglite.query(`copy national_dnc (phone_e164) from '/dev/blob'`, [], {
      blob: new Blob([`${fromList.join('\n')}\n`]),
    });
    await handle.pglite.query(
      `insert into national_dnc select '+8615' || lpad(g::text, 9, '0') from generate_series(1, $1) g`,
      [filler],
    );
    await handle.pglite.query('analyze national_dnc');
  }
  out(
    `  (setup) national DNC: ${total.toLocaleString()} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function rawCopy(handle: DatabaseHandle, path: string): Promise<number> {
  const create = 'create unlogged table if not exists bench_raw_stage (phone text, name text, note text)';
  if (handle.pool) {
    const client = await handle.pool.connect();
    try {
      await client.query(create);
      await client.query('truncate bench_raw_stage');
      const started = performance.now();
      await pipeline(
        createReadStream(path),
        client.query(copyFrom('copy bench_raw_stage from stdin with (format csv, header true)')),
      );
      return (performance.now() - started) / 1000;
    } finally {
      client.release();
    }
  }
  const pglite = handle.pglite!;
  await pglite.query(create);
  await pglite.query('truncate bench_raw_stage');
  const started = performance.now();
  await pglite.query(`copy bench_raw_stage from '/dev/blob' with (format csv, header true)`, [], {
    blob: new Blob([readFileSync(path)]),
  });
  return (performance.now() - started) / 1000;
}

/**
 * The floor under any import: inserting `rows` plain rows into contacts (its five indexes), with no
 * screening at all, in a transaction that is rolled back. Foreign keys are handled as the import
 * handles them: checked once for the whole set where the database allows it (superuser), so the
 * per-row triggers do not run; otherwise per row, as the import then does too.
 */
async function contactsInsertOnly(handle: DatabaseHandle, rows: number, campaignId: number): Promise<number> {
  const insert = `insert into contacts (campaign_id, line_number, phone_e164, phone_raw, time_zone, fields,
      status, next_attempt_at)
    select $1, g, '+8617' || lpad(g::text, 9, '0'), '17' || lpad(g::text, 9, '0'), 'Asia/Shanghai',
      jsonb_build_object('name', 'Customer ' || g, 'note', 'note 1, batch A'), 'ready', now()
    from generate_series(1, $2) g`;
  const setWise = `do $$ begin
      if current_setting('is_superuser') = 'on' then set local session_replication_role = replica; end if;
    end $$`;
  if (handle.pool) {
    const client = await handle.pool.connect();
    try {
      await client.query('checkpoint');
      await client.query('begin');
      await client.query(setWise);
      const started = performance.now();
      await client.query(insert, [campaignId, rows]);
      const seconds = (performance.now() - started) / 1000;
      await client.query('rollback');
      return seconds;
    } finally {
      client.release();
    }
  }
  let seconds = 0;
  await handle.pglite!.transaction(async (tx) => {
    await tx.query(setWise);
    const started = performance.now();
    await tx.query(insert, [campaignId, rows]);
    seconds = (performance.now() - started) / 1000;
    await tx.rollback();
  });
  return seconds;
}

/** Starts a timed step with no other step's dirty pages or WAL pending (PostgreSQL only). */
async function checkpoint(handle: DatabaseHandle): Promise<void> {
  if (!handle.pool) return;
  const client = await handle.pool.connect();
  try {
    await client.query('checkpoint');
  } finally {
    client.release();
  }
}

async function parseOnly(path: string): Promise<number> {
  const started = performance.now();
  const reader = readList({
    path,
    encoding: 'auto',
    map: {},
    normalizer: createPhoneNormalizer('CN'),
    defaultTimeZone: 'Asia/Shanghai',
  });
  for await (const _chunk of reader.chunks) {
    // Discarded: this measures the Node side alone.
  }
  return (performance.now() - started) / 1000;
}

async function runOn(label: string, handle: DatabaseHandle, rows: number, dnc: number): Promise<Figures> {
  out(`${label}: ${rows.toLocaleString()} rows, national DNC ${dnc.toLocaleString()}`);
  await migrateToLatest(handle.db);
  const path = join(work, `list-${rows}.csv`);
  const onNational = await generateList(rows, path);
  out(`  (setup) list: ${(statSync(path).size / 2 ** 20).toFixed(1)} MiB`);
  await loadNationalDnc(handle, onNational, dnc);
  const definition = campaignDefinitionSchema.parse({
    name: `bench import ${Date.now()}`,
    client: 'bench-client',
    clientName: 'Bench client',
    type: 'survey',
    mode: 'progressive',
    jurisdiction: 'CN',
    region: 'CN',
    defaultTimeZone: 'Asia/Shanghai',
    dialing: { callerId: '+861012345678' },
  });
  const campaign = await insertCampaign(handle.db, definition, 'bench');

  const parseSeconds = await parseOnly(path);
  await checkpoint(handle);
  const copySeconds = await rawCopy(handle, path);
  const insertOnlySeconds = await contactsInsertOnly(handle, expectedCounts(rows).imported, campaign.id);

  await checkpoint(handle);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const phases: string[] = [];
  const result = await importList(
    { campaignId: campaign.id, file: path, archiveRoot: join(work, 'archive') },
    {
      handle,
      clock: systemClock,
      logger: silentLogger(),
      actor: 'bench',
      onPhase: (name, ms) => phases.push(`${name} ${(ms / 1000).toFixed(2)} s`),
    },
  );
  const importSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const expected = expectedCounts(rows);
  const ok =
    result.rows === rows &&
    result.imported === expected.imported &&
    result.rejected.invalid_number === expected.invalid &&
    result.rejected.duplicate_in_file === expected.duplicate &&
    result.rejected.national_dnc === expected.national;
  if (!ok) throw new Error(`unexpected counts: ${JSON.stringify(result)} vs ${JSON.stringify(expected)}`);
  rmSync(path, { force: true });
  out(`  import phases: ${phases.join(', ')}`);
  return {
    database: label,
    rows,
    dnc,
    importSeconds,
    copySeconds,
    parseSeconds,
    insertOnlySeconds,
    imported: result.imported,
    peakRssMb: peakRss / 2 ** 20,
    counts: `${result.imported} imported, ${result.rejected.invalid_number} invalid, ${result.rejected.duplicate_in_file} dup, ${result.rejected.national_dnc} DNC`,
  };
}

async function postgresHandle(): Promise<DatabaseHandle> {
  const given = process.env.DATABASE_URL;
  if (given) return openDatabase({ databaseUrl: given, maxConnections: 2 });
  const server = 'postgres://postgres@127.0.0.1:5432';
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query('drop database if exists bench_import with (force)');
  await admin.query('create database bench_import');
  await admin.end();
  return openDatabase({ databaseUrl: `${server}/bench_import`, maxConnections: 2 });
}

const rate = (rows: number, seconds: number) => Math.round(rows / seconds).toLocaleString();

function printTable(figures: Figures[]): void {
  const rowsOut = figures.map((f) => ({
    database: f.database,
    rows: f.rows.toLocaleString(),
    'national DNC': f.dnc.toLocaleString(),
    'import s': f.importSeconds.toFixed(2),
    'import rows/s': rate(f.rows, f.importSeconds),
    'raw COPY s': f.copySeconds.toFixed(2),
    'raw COPY rows/s': rate(f.rows, f.copySeconds),
    'import / COPY': `${(f.importSeconds / f.copySeconds).toFixed(2)}x`,
    'parse only rows/s': rate(f.rows, f.parseSeconds),
    'contacts INSERT only s': f.insertOnlySeconds.toFixed(2),
    'INSERT only / COPY': `${(f.insertOnlySeconds / f.copySeconds).toFixed(2)}x`,
    'peak RSS MiB': f.peakRssMb.toFixed(0),
  }));
  const columns = Object.keys(rowsOut[0] ?? {});
  const widths = columns.map((c) =>
    Math.max(c.length, ...rowsOut.map((r) => String(r[c as keyof typeof r]).length)),
  );
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  out('');
  out(line(columns));
  out(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rowsOut) out(line(columns.map((c) => String(r[c as keyof typeof r]))));
  out('');
  for (const f of figures) out(`${f.database}: ${f.counts}`);
  out(
    'contacts INSERT only: the same number of plain rows (the imported count) inserted into contacts (its indexes, foreign keys checked as the import checks them), no reading, no screening: the floor any import into contacts pays. Where INSERT only / COPY is above 3x, so is every import.',
  );
  out('Target (PostgreSQL): >= 100,000 rows/s end to end, import / COPY <= 3x.');
}

const figures: Figures[] = [];
try {
  if (!flags['skip-postgres']) {
    const handle = await postgresHandle();
    try {
      figures.push(await runOn('PostgreSQL', handle, Number(flags.rows), Number(flags.dnc)));
    } finally {
      await handle.close();
    }
  }
  if (!flags['skip-pglite']) {
    const handle = await openDatabase({ dataDir: join(work, 'pglite') });
    try {
      figures.push(await runOn('PGlite', handle, Number(flags['pglite-rows']), Number(flags['pglite-dnc'])));
    } finally {
      await handle.close();
    }
  }
  printTable(figures);
} finally {
  rmSync(work, { recursive: true, force: true });
}
