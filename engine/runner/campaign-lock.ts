import type pg from 'pg';
import type { DatabaseHandle } from '../../db/connect.ts';

/** Namespace of the dialer's advisory locks (first key); the campaign id is the second. */
const LOCK_NAMESPACE = 0x4449414c; // 'DIAL'

export interface CampaignLock {
  /** Tries once; true when this process now runs the campaign's pacer. */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One pacer per campaign across engine processes: a session-level advisory lock held on a
 * dedicated connection for as long as the runner lives. If the process dies, PostgreSQL drops
 * the connection and the lock with it, so a standby engine takes over. The embedded database
 * serves one process only, so there the lock is a no-op.
 */
export function campaignLock(
  handle: Pick<DatabaseHandle, 'kind' | 'pool'>,
  campaignId: number,
): CampaignLock {
  const pool = handle.pool;
  if (handle.kind !== 'postgres' || !pool) {
    return { tryAcquire: async () => true, release: async () => {} };
  }
  let client: pg.PoolClient | undefined;
  return {
    async tryAcquire() {
      client ??= await pool.connect();
      const result = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
        LOCK_NAMESPACE,
        campaignId,
      ]);
      return result.rows[0]?.ok === true;
    },
    async release() {
      if (!client) return;
      const held = client;
      client = undefined;
      try {
        await held.query('select pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, campaignId]);
      } finally {
        held.release();
      }
    },
  };
}
