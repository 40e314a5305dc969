import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { PhoneNormalizer } from '../../engine/compliance/phone-number.ts';
import { UserError } from '../../engine/platform/errors.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';
import type { DatabaseHandle } from '../connect.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';

/**
 * Loads a national do-not-call registry file (tens of millions of numbers) without holding it
 * in memory: the file is read as a stream, each line normalized to E.164 and streamed into a
 * COPY (pg-copy-streams on PostgreSQL; chunks of `COPY … FROM '/dev/blob'` on PGlite).
 *
 * --replace loads into a new table, builds its primary key once (a sorted build, much cheaper
 * than maintaining the index row by row), then swaps it for the live table in one short
 * transaction: readers see the old set or the new one, never a half-loaded one. Without
 * --replace the file's numbers are added to the live set. Each load is recorded in
 * national_dnc_syncs (which the gate's 31-day rule reads) and in the audit log.
 */

export interface NationalImportOptions {
  file: string;
  normalize: PhoneNormalizer;
  replace: boolean;
  actor: string;
  source?: string;
  now?: Date;
  /** Lines per COPY on PGlite (each chunk is one blob in memory). */
  pgliteChunkLines?: number;
}

export interface NationalImportResult {
  file: string;
  fileBytes: number;
  fileSha256: string;
  linesRead: number;
  numbersCopied: number;
  rejected: number;
  /** The first few rejected lines, numbers masked. */
  rejectedSamples: Array<{ line: number; text: string }>;
  duplicates: number;
  replaced: boolean;
  /** Numbers the load added (the whole new set with --replace). */
  added: number;
  /** The national set's size after the load. */
  totalNumbers: number;
  syncId: number;
  durationMs: number;
  /** Where the time went: streaming COPY (with normalization), primary key build, swap and sync. */
  phasesMs: { copy: number; index: number; commit: number };
}

interface Stats {
  lines: number;
  rejected: number;
  samples: Array<{ line: number; text: string }>;
  bytes: number;
}

/**
 * The number a registry line holds: a bare number, or "area code,number" (the US registry's
 * download format), or a CSV line whose first field is the number.
 */
function lineNumber(line: string): string {
  const comma = line.indexOf(',');
  if (comma < 0) return line;
  const first = line.slice(0, comma).trim();
  const rest = line.slice(comma + 1);
  const second = (rest.includes(',') ? rest.slice(0, rest.indexOf(',')) : rest).trim();
  if (/^\d{3}$/.test(first) && /^\d{7}$/.test(second)) return first + second;
  return first.replace(/^"|"$/g, '');
}

/** A rejected line for the report: masked when it looks like a number, else as written. */
function sampleText(line: string): string {
  const text = line.slice(0, 40);
  return /\d{5}/.test(text) ? maskPhone(text) : JSON.stringify(text);
}

const OUT_BYTES = 1 << 20;
/** maintenance_work_mem needed per number for an in-memory sort of the key (with headroom). */
const KEY_BYTES_PER_NUMBER = 100;

/**
 * Normalized numbers as COPY text, one chunk per output megabyte (or per `maxLines` numbers);
 * counts and hashes the file as it goes. The registry's own shape (a line of only digits, of a
 * national length, or the calling code and a national number) is handled on the bytes without
 * making a string; any other line goes through the full normalizer.
 */
async function* normalizedChunks(
  file: string,
  normalize: PhoneNormalizer,
  stats: Stats,
  hash: ReturnType<typeof createHash>,
  maxLines = Number.POSITIVE_INFINITY,
): AsyncGenerator<Buffer> {
  const cc = Buffer.from(normalize.callingCode);
  const nationalLength = new Array<boolean>(32).fill(false);
  for (const l of normalize.nationalLengths) if (l < 32) nationalLength[l] = true;
  let out = Buffer.allocUnsafe(OUT_BYTES);
  let pos = 0;
  let numbers = 0;

  const emit = (digits: Buffer, s: number, e: number, withCode: boolean) => {
    out[pos++] = 43; // '+'
    if (withCode) pos += cc.copy(out, pos);
    pos += digits.copy(out, pos, s, e);
    out[pos++] = 10;
    numbers++;
  };
  const reject = (text: string) => {
    stats.rejected++;
    if (stats.samples.length < 10) stats.samples.push({ line: stats.lines, text: sampleText(text) });
  };
  const takeLine = (buf: Buffer, s: number, end: number) => {
    stats.lines++;
    const e = end > s && buf[end - 1] === 13 ? end - 1 : end;
    let digitsOnly = e > s;
    for (let i = s; i < e; i++) {
      const c = buf[i]!;
      if (c < 48 || c > 57) {
        digitsOnly = false;
        break;
      }
    }
    const length = e - s;
    if (digitsOnly && length < 32) {
      if (nationalLength[length] && buf[s] !== 48) return emit(buf, s, e, true);
      const rest = length - cc.length;
      if (rest > 0 && nationalLength[rest] && buf.compare(cc, 0, cc.length, s, s + cc.length) === 0) {
        return emit(buf, s, e, false);
      }
    }
    const text = buf.toString('utf8', s, e);
    if (text.trim() === '') return;
    const e164 = normalize(lineNumber(text));
    if (e164) {
      pos += out.write(e164, pos, 'latin1');
      out[pos++] = 10;
      numbers++;
    } else reject(text);
  };
  const full = () => pos > OUT_BYTES - 64 || numbers >= maxLines;
  const take = () => {
    const chunk = out.subarray(0, pos);
    out = Buffer.allocUnsafe(OUT_BYTES);
    pos = 0;
    numbers = 0;
    return chunk;
  };

  let carry: Buffer | null = null;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const read = chunk as Buffer;
    hash.update(read);
    stats.bytes += read.length;
    const buf: Buffer = carry ? Buffer.concat([carry, read]) : read;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      takeLine(buf, start, nl);
      start = nl + 1;
      if (full()) yield take();
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
  }
  if (carry) takeLine(carry, 0, carry.length);
  if (pos > 0) yield take();
}

/** The two databases differ only in how statements and COPY are sent. */
interface Loader {
  exec(text: string): Promise<number>;
  query<R>(text: string, params: unknown[]): Promise<R[]>;
  copyInto(table: string, chunks: AsyncIterable<Buffer>): Promise<number>;
  release(): Promise<void>;
}

async function pgLoader(handle: DatabaseHandle): Promise<Loader> {
  const client = await handle.pool!.connect();
  return {
    async exec(text) {
      return (await client.query(text)).rowCount ?? 0;
    },
    async query<R>(text: string, params: unknown[]) {
      return (await client.query(text, params)).rows as R[];
    },
    async copyInto(table, chunks) {
      const stream = client.query(copyFrom(`copy ${table} (phone_e164) from stdin`));
      await pipeline(Readable.from(chunks), stream);
      return stream.rowCount;
    },
    async release() {
      client.release();
    },
  };
}

async function pgliteLoader(handle: DatabaseHandle): Promise<Loader> {
  const pglite = handle.pglite!;
  return {
    async exec(text) {
      const results = await pglite.exec(text);
      return results.at(-1)?.affectedRows ?? 0;
    },
    async query<R>(text: string, params: unknown[]) {
      return (await pglite.query<R>(text, params)).rows;
    },
    async copyInto(table, chunks) {
      let rows = 0;
      for await (const chunk of chunks) {
        const result = await pglite.query(`copy ${table} (phone_e164) from '/dev/blob'`, [], {
          blob: new Blob([chunk]),
        });
        rows += result.affectedRows ?? 0;
      }
      return rows;
    },
    async release() {},
  };
}

export async function importNationalDnc(
  handle: DatabaseHandle,
  options: NationalImportOptions,
): Promise<NationalImportResult> {
  let fileBytes: number;
  try {
    const st = statSync(options.file);
    if (!st.isFile()) throw new Error('not a file');
    fileBytes = st.size;
  } catch (error) {
    throw new UserError(`cannot read registry file ${options.file}: ${(error as Error).message}`);
  }
  const started = performance.now();
  const now = options.now ?? new Date();
  const table = `national_dnc_load_${randomBytes(4).toString('hex')}`;
  const loader = handle.kind === 'postgres' ? await pgLoader(handle) : await pgliteLoader(handle);
  const stats: Stats = { lines: 0, rejected: 0, samples: [], bytes: 0 };
  const hash = createHash('sha256');
  try {
    // A replacement is the future live table, so it is logged; an addition only passes through.
    await loader.exec(
      `create ${options.replace ? '' : 'unlogged '}table ${table} (phone_e164 text collate "C" not null)`,
    );
    const copied = await loader.copyInto(
      table,
      normalizedChunks(
        options.file,
        options.normalize,
        stats,
        hash,
        handle.kind === 'pglite' ? (options.pgliteChunkLines ?? 250_000) : undefined,
      ),
    );
    const copiedAt = performance.now();
    const fileSha256 = hash.digest('hex');
    let added: number;
    let distinct: number;
    if (options.replace) {
      const addKey = async () => {
        // The key's sort stays in memory only when maintenance_work_mem holds every index
        // tuple (about 82 bytes a number, measured with trace_sort: 818 MB for 10 M); spilling
        // to an external merge made the build of 10 M numbers about 15 % slower. Set for this
        // one statement only, bounded so a huge file spills rather than exhausting the server.
        if (handle.kind !== 'postgres') {
          await loader.exec(`alter table ${table} add constraint ${table}_pkey primary key (phone_e164)`);
          return;
        }
        const mb = Math.min(2048, Math.max(64, Math.ceil((copied * KEY_BYTES_PER_NUMBER) / 1_048_576)));
        await loader.exec('begin');
        try {
          await loader.exec(`set local maintenance_work_mem = '${mb}MB'`);
          await loader.exec(`alter table ${table} add constraint ${table}_pkey primary key (phone_e164)`);
          await loader.exec('commit');
        } catch (error) {
          await loader.exec('rollback').catch(() => {});
          throw error;
        }
      };
      try {
        await addKey();
        distinct = copied;
      } catch (error) {
        if (pgErrorCode(error) !== PG_UNIQUE_VIOLATION) throw error;
        // The file repeats numbers (or two spellings normalize to one): keep each once.
        await loader.exec(`create table ${table}_u (phone_e164 text collate "C" not null)`);
        distinct = await loader.exec(`insert into ${table}_u select distinct phone_e164 from ${table}`);
        await loader.exec(`drop table ${table}`);
        await loader.exec(`alter table ${table}_u rename to ${table}`);
        await addKey();
      }
      added = distinct;
    } else {
      added = 0;
      distinct = 0;
    }
    const indexedAt = performance.now();
    const source = options.source ?? options.file;
    let totalNumbers = distinct;
    let syncId: number;
    await loader.exec('begin');
    try {
      if (options.replace) {
        // The swap: readers wait for this short transaction, then see the new set whole.
        await loader.exec('lock table national_dnc in access exclusive mode');
        await loader.exec('drop table national_dnc');
        await loader.exec(`alter table ${table} rename to national_dnc`);
        await loader.exec(`alter index ${table}_pkey rename to national_dnc_pkey`);
      } else {
        added = await loader.exec(
          `insert into national_dnc (phone_e164)
           select distinct s.phone_e164 from ${table} s
           where not exists (select 1 from national_dnc n where n.phone_e164 = s.phone_e164)
           on conflict do nothing`,
        );
        distinct = Number(
          (await loader.query<{ n: number }>(`select count(distinct phone_e164) as n from ${table}`, []))[0]
            ?.n ?? 0,
        );
        await loader.exec(`drop table ${table}`);
        totalNumbers = Number(
          (await loader.query<{ n: number }>('select count(*) as n from national_dnc', []))[0]?.n ?? 0,
        );
      }
      const [sync] = await loader.query<{ id: number }>(
        `insert into national_dnc_syncs (synced_at, source, file_sha256, numbers, replaced)
         values ($1, $2, $3, $4, $5) returning id`,
        [now.toISOString(), source, fileSha256, totalNumbers, options.replace],
      );
      syncId = Number(sync!.id);
      const details = {
        file: options.file,
        fileSha256,
        linesRead: stats.lines,
        rejected: stats.rejected,
        replaced: options.replace,
        added,
        totalNumbers,
        syncId,
      };
      await loader.query(
        `insert into audit_log (at, actor, action, subject, details) values ($1, $2, $3, 'dnc:national', $4)`,
        [
          now.toISOString(),
          options.actor,
          options.replace ? 'dnc.national_replace' : 'dnc.national_add',
          JSON.stringify(details),
        ],
      );
      await loader.exec('commit');
    } catch (error) {
      await loader.exec('rollback').catch(() => {});
      throw error;
    }
    // Fresh statistics, so lookups plan index probes from the first dial.
    await loader.exec('analyze national_dnc');
    return {
      file: options.file,
      fileBytes,
      fileSha256,
      linesRead: stats.lines,
      numbersCopied: copied,
      rejected: stats.rejected,
      rejectedSamples: stats.samples,
      duplicates: copied - distinct,
      replaced: options.replace,
      added,
      totalNumbers,
      syncId,
      durationMs: Math.round(performance.now() - started),
      phasesMs: {
        copy: Math.round(copiedAt - started),
        index: Math.round(indexedAt - copiedAt),
        commit: Math.round(performance.now() - indexedAt),
      },
    };
  } finally {
    await loader.exec(`drop table if exists ${table}`).catch(() => {});
    await loader.exec(`drop table if exists ${table}_u`).catch(() => {});
    await loader.release();
  }
}
