import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseHandle, DatabaseKind } from '../connect.ts';

/**
 * One list import runs on one connection in one transaction: COPY into a temporary staging
 * table, then set-based SQL. Kysely has no COPY, so this is the thin raw layer both databases
 * share: PostgreSQL streams COPY FROM STDIN (pg-copy-streams); PGlite has no COPY stream, so the
 * text goes in as a series of blobs (`COPY … FROM '/dev/blob'`), each a few MiB, which keeps
 * memory bounded there too.
 */
export interface ImportSession {
  readonly kind: DatabaseKind;
  query<R>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** COPY `table (columns)` from COPY text chunks (each ending with a full line). */
  copyIn(table: string, columns: readonly string[], chunks: AsyncIterable<string>): Promise<void>;
}

/** PGlite takes this much COPY text per blob. */
const PGLITE_BLOB_CHARS = 8 << 20;

/**
 * Runs `body` in a transaction on one connection. It commits when `commit` is true and the body
 * succeeds, and rolls back otherwise (a dry run always rolls back).
 */
export async function withImportSession<T>(
  handle: DatabaseHandle,
  commit: boolean,
  body: (session: ImportSession) => Promise<T>,
): Promise<T> {
  if (handle.pool) return withPostgres(handle.pool, commit, body);
  if (handle.pglite) {
    const pglite = handle.pglite;
    let output: T | undefined;
    await pglite.transaction(async (tx) => {
      output = await body(pgliteSession(tx));
      if (!commit) await tx.rollback();
    });
    return output as T;
  }
  throw new Error('the database handle has neither a pool nor an embedded instance');
}

async function withPostgres<T>(
  pool: pg.Pool,
  commit: boolean,
  body: (session: ImportSession) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const output = await body(postgresSession(client));
    await client.query(commit ? 'commit' : 'rollback');
    return output;
  } catch (error) {
    try {
      await client.query('rollback');
    } catch (rollbackError) {
      // The connection is unusable (e.g. killed mid-COPY): drop it rather than pool it.
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

function postgresSession(client: pg.PoolClient): ImportSession {
  return {
    kind: 'postgres',
    async query<R>(text: string, params: readonly unknown[] = []) {
      const result = await client.query(text, [...params]);
      return result.rows as R[];
    },
    async copyIn(table, columns, chunks) {
      const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
      await pipeline(Readable.from(chunks, { objectMode: false }), stream);
    },
  };
}

function pgliteSession(tx: PGliteTransaction): ImportSession {
  return {
    kind: 'pglite',
    async query<R>(text: string, params: readonly unknown[] = []) {
      const result = await tx.query<R>(text, [...params]);
      return result.rows;
    },
    async copyIn(table, columns, chunks) {
      const statement = `copy ${table} (${columns.join(', ')}) from '/dev/blob'`;
      let parts: string[] = [];
      let size = 0;
      const send = async () => {
        if (size === 0) return;
        const blob = new Blob(parts);
        parts = [];
        size = 0;
        await tx.query(statement, [], { blob });
      };
      for await (const chunk of chunks) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= PGLITE_BLOB_CHARS) await send();
      }
      await send();
    },
  };
}
