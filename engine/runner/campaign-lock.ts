import type pg from 'pg';
import type { DatabaseHandle } from '../../db/connect.ts';
import { connectionErrorFrom } from '../../db/pg-error.ts';
import type { Logger } from '../platform/logger.ts';

/** Namespace of the dialer's advisory locks (first key); the campaign id is the second. */
const LOCK_NAMESPACE = 0x4449414c; // 'DIAL'
/**
 * Real milliseconds a lock statement may take. A connection whose peer vanished without a word
 * (no FIN, no RST) would otherwise keep the runner waiting, and believing it holds the lock.
 */
const LOCK_QUERY_TIMEOUT_MS = 5000;

/** A lock statement with its timeout (pg honours `query_timeout` per query; @types/pg omits it). */
function lockQuery(text: string, values: unknown[]): pg.QueryConfig {
  return { text, values, query_timeout: LOCK_QUERY_TIMEOUT_MS } as pg.QueryConfig;
}

export interface CampaignLock {
  /** Tries once; true when this process now runs the campaign's pacer. */
  tryAcquire(): Promise<boolean>;
  /**
   * Whether the lock is held as far as this process knows, without a round trip: false before
   * it is acquired and from the moment its connection reports an error (PostgreSQL released it).
   */
  readonly held: boolean;
  /**
   * Asks the server whether the lock is still held by our session; false (and `held` false)
   * when it is not or the connection fails. Catches a loss that raised no error event.
   */
  verify(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One pacer per campaign across engine processes: a session-level advisory lock held on a
 * dedicated connection for as long as the runner lives. If the process dies, PostgreSQL drops
 * the connection and the lock with it, so a standby engine takes over. If only the connection
 * dies (pg_terminate_backend, a server restart, the network), the lock is gone just the same
 * while this process goes on: `held` turns false at once and the runner stops dialing until
 * tryAcquire() takes it again on a new connection. The embedded database serves one process
 * only, so there the lock is a no-op.
 */
export function campaignLock(
  handle: Pick<DatabaseHandle, 'kind' | 'pool'>,
  campaignId: number,
  logger?: Logger,
): CampaignLock {
  const pool = handle.pool;
  if (handle.kind !== 'postgres' || !pool) {
    return { tryAcquire: async () => true, held: true, verify: async () => true, release: async () => {} };
  }
  let client: pg.PoolClient | undefined;
  let held = false;

  /** Gives the connection back, destroyed: a lock connection in doubt is never reused. */
  const drop = (error?: unknown) => {
    const dead = client;
    client = undefined;
    held = false;
    if (dead) {
      dead.removeListener('error', onError);
      // Keep a listener: a late 'error' from this client must not crash the process.
      dead.on('error', () => {});
      dead.release(error instanceof Error ? error : true);
    }
  };
  const onError = (error: Error) => {
    if (held) logger?.error({ err: error, campaignId }, 'campaign lock connection lost; the lock is gone');
    drop(error);
  };

  return {
    get held() {
      return held;
    },
    async tryAcquire() {
      if (held) return true;
      if (!client) {
        client = await pool.connect().catch((error: unknown) => {
          throw connectionErrorFrom(error);
        });
        client.on('error', onError);
      }
      try {
        const result = await client.query<{ ok: boolean }>(
          lockQuery('select pg_try_advisory_lock($1, $2) as ok', [LOCK_NAMESPACE, campaignId]),
        );
        held = result.rows[0]?.ok === true;
        return held;
      } catch (error) {
        drop(error);
        throw connectionErrorFrom(error);
      }
    },
    async verify() {
      if (!held || !client) return false;
      try {
        // Two int4 keys: classid is the first, objid the second, objsubid 2 (pg_locks docs).
        const result = await client.query<{ ok: boolean }>(
          lockQuery(
            `select exists (
               select 1 from pg_locks where locktype = 'advisory' and classid = $1 and objid = $2
                 and objsubid = 2 and pid = pg_backend_pid() and granted) as ok`,
            [LOCK_NAMESPACE, campaignId],
          ),
        );
        if (result.rows[0]?.ok !== true) {
          logger?.error({ campaignId }, 'campaign lock no longer held by this session');
          drop(true);
          return false;
        }
        return true;
      } catch (error) {
        logger?.error({ err: error, campaignId }, 'campaign lock check failed; the lock is given up');
        drop(error);
        return false;
      }
    },
    async release() {
      if (!client) return;
      const wasHeld = held;
      const current = client;
      try {
        if (wasHeld) await current.query('select pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, campaignId]);
        current.removeListener('error', onError);
        current.on('error', () => {});
        client = undefined;
        held = false;
        current.release();
      } catch (error) {
        drop(error);
        throw error;
      }
    },
  };
}
