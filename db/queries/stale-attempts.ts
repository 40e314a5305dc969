import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Stale open rows: dial-log rows still in progress (not finalized) longer than the longest call
 * possible, whose contact no engine holds a live lease on. A live engine renews the lease of
 * every contact with an open row (leads.ts renewLeases), and finalizes its rows when calls end;
 * a crashed engine's rows are finalized by the next engine's recovery. So an open row past the
 * bound with no lease is either left by an engine that never came back or was forged: either
 * way not a call in progress, and `log verify` reports it as an anomaly.
 *
 * The bound, per row: its campaign's ring timeout (dialing.ringTimeoutSeconds; 120 s, the
 * largest allowed, when the campaign says none) + maxCallSeconds (the longest call the operator
 * allows; config `maxCallSeconds`) + SETUP_GRACE_SECONDS for queueing, originate and
 * answering-machine detection.
 */

export const SETUP_GRACE_SECONDS = 60;
const RING_TIMEOUT_FALLBACK_SECONDS = 120;

export interface StaleAttempt {
  attemptId: number;
  campaignId: number;
  status: string;
  queuedAt: Date;
  engineId: string | null;
  /** How long the row has been open, and the bound it passed. */
  openSeconds: number;
  boundSeconds: number;
}

export interface StaleOptions {
  now: Date;
  maxCallSeconds: number;
  campaignId?: number;
  /** Only these rows (log list marks the rows it shows). */
  attemptIds?: readonly number[];
}

/** Served by the partial index call_attempts_open (finalized_at is null): open rows are few. */
export async function staleOpenAttempts(
  db: Kysely<Database>,
  options: StaleOptions,
): Promise<StaleAttempt[]> {
  if (options.attemptIds && options.attemptIds.length === 0) return [];
  const rows = await sql<{
    id: number;
    campaign_id: number;
    status: string;
    queued_at: Date;
    engine_id: string | null;
    bound: number;
  }>`
    select a.id, a.campaign_id, a.status, a.queued_at, a.engine_id, b.bound
    from call_attempts a
    join campaigns c on c.id = a.campaign_id
    left join contacts k on k.id = a.contact_id
    cross join lateral (select coalesce((c.config->'dialing'->>'ringTimeoutSeconds')::int, ${RING_TIMEOUT_FALLBACK_SECONDS})
      + ${options.maxCallSeconds}::int + ${SETUP_GRACE_SECONDS}::int as bound) b
    where a.finalized_at is null
      and a.queued_at < ${options.now}::timestamptz - make_interval(secs => b.bound)
      and not (k.lease_owner is not null and k.lease_expires_at > ${options.now})
      ${options.campaignId !== undefined ? sql`and a.campaign_id = ${options.campaignId}` : sql``}
      ${options.attemptIds ? sql`and a.id = any(${[...options.attemptIds]}::int[])` : sql``}
    order by a.id`.execute(db);
  return rows.rows.map((r) => ({
    attemptId: r.id,
    campaignId: r.campaign_id,
    status: r.status,
    queuedAt: r.queued_at,
    engineId: r.engine_id,
    openSeconds: Math.floor((options.now.getTime() - new Date(r.queued_at).getTime()) / 1000),
    boundSeconds: Number(r.bound),
  }));
}
