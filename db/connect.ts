import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { InfrastructureError } from '../engine/platform/errors.ts';
import type { Logger } from '../engine/platform/logger.ts';
import { ensurePrivateDir } from '../engine/platform/private-files.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { connectionErrorFrom } from './pg-error.ts';
import { type LeaseStats, PGliteDialect } from './pglite-dialect.ts';
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
  /** Set on PGlite: how its one connection is shared (benchmarks watch the queue). */
  readonly lease?: LeaseStats;
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
  /** Where lost connections are reported (PostgreSQL); silent when absent. */
  logger?: Logger;
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
    // A server that vanished without closing the socket (power, network) is noticed by the OS.
    keepAlive: true,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID || oid === NUMERIC_OID) return toNumber;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // A client whose connection dies (pg_terminate_backend, a server restart, the network) emits
  // 'error': an idle one through the pool, a checked-out one (a query under way, the campaign
  // lock's connection) on itself. With no listener either would crash the process. The pool
  // drops the dead client and the next query gets a fresh connection; the query that was under
  // way rejects, and its caller decides (engine/runner/database-retry.ts).
  const log = options.logger?.child({ component: 'database' });
  pool.on('error', (error) => log?.warn({ err: error }, 'idle database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (error) => log?.debug({ err: error }, 'database connection lost under a client'));
  });
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withConnectionErrors(pool) }) });
  return {
    kind: 'postgres',
    db,
    pool,
    location,
    close: () => db.destroy(),
  };
}

/**
 * The pool as kysely sees it, with the driver's code-less connection failures given a code
 * (connectionErrorFrom) so that callers branch on `code`, never on message text.
 */
function withConnectionErrors(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let view = wrapped.get(client);
    if (!view) {
      view = {
        // A cursor (streaming) comes back as is; a promise gets its rejection classified.
        query: ((...args: Parameters<pg.PoolClient['query']>) => {
          const result = (client.query as (...a: unknown[]) => unknown)(...args);
          return result instanceof Promise
            ? result.catch((error: unknown) => {
                throw connectionErrorFrom(error);
              })
            : result;
        }) as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
      wrapped.set(client, view);
    }
    return view;
  };
  return {
    connect: async () => {
      try {
        return wrap(await pool.connect());
      } catch (error) {
        throw connectionErrorFrom(error);
      }
    },
    end: () => pool.end(),
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
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect });
  return {
    kind: 'pglite',
    db,
    pglite,
    lease: dialect.lease,
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
