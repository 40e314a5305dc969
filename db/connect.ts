import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { InfrastructureError } from '../engine/platform/errors.ts';
import { ensurePrivateDir } from '../engine/platform/private-files.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type DatabaseKind = 'postgres' | 'pglite';

/** An open database: the kysely handle plus what only one kind has (COPY needs the raw client). */
export interface DatabaseHandle {
  readonly kind: DatabaseKind;
  readonly db: Kysely<Database>;
  /** Set on PostgreSQL: the pool, for COPY streams and LISTEN. */
  readonly pool?: pg.Pool;
  /** Set on PGlite: the embedded instance, for COPY from a blob. */
  readonly pglite?: PGlite;
  /** Human-readable location, never containing a password. */
  readonly location: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** postgres:// URL. When absent, the embedded database in dataDir is used. */
  databaseUrl?: string | undefined;
  /** Folder for the embedded database; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  /** Pool size on PostgreSQL. */
  maxConnections?: number;
  /** PostgreSQL search_path, so test files can each own a schema. */
  searchPath?: string;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Counts and sums come back as int8/numeric; every value this product stores in them fits a
 * double, so both databases return plain numbers and the code never sees numeric strings.
 */
const toNumber = (value: string): number => Number(value);

export async function openDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options.dataDir ?? '.dialer');
}

async function openPostgres(url: string, options: ConnectOptions): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID || oid === NUMERIC_OID) return toNumber;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query gets a fresh connection.
  pool.on('error', () => {});
  const location = redactUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new InfrastructureError(
      `cannot connect to PostgreSQL at ${location}: ${(error as Error).message}`,
      'database_unreachable',
      { cause: error },
    );
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    pool,
    location,
    close: () => db.destroy(),
  };
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const inMemory = dataDir.startsWith('memory://');
  const path = inMemory ? dataDir : resolve(dataDir, 'pgdata');
  // The data folder and pgdata hold every number: 0700 when created (an open one is warned about).
  if (!inMemory) ensurePrivateDir(path);
  // PGlite itself lets a second process open the folder and corrupt it: refuse that here.
  const lock: DataDirLock | undefined = inMemory ? undefined : lockDataDir(resolve(dataDir));
  let pglite: PGlite;
  try {
    // Loaded on demand: the WASM build is large and PostgreSQL users never need it.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(path, {
      parsers: { [INT8_OID]: toNumber, [NUMERIC_OID]: toNumber },
    });
  } catch (error) {
    lock?.release();
    throw new InfrastructureError(
      `cannot open the embedded database in ${path}: ${(error as Error).message}`,
      'database_unreachable',
      { cause: error },
    );
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    pglite,
    location: inMemory ? 'embedded (in memory)' : `embedded (${path})`,
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
