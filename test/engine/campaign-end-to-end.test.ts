import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../engine/platform/logger.ts';
import { runDemo } from '../../scripts/demo/run-demo.ts';
import { createTestDatabase, testDatabaseKinds } from '../support/database.ts';
import { longRetries } from './fixtures.ts';

/** Long retry delays: after one sweep of the list every contact is final or scheduled. */
const oneSweep = { attempts: longRetries };

/**
 * 500 contacts on every database, PGlite included (one in-process connection shared by the
 * engine, the simulated agents and the 30× simulator). On PGlite this run used to hang beside the
 * rest of the suite: a slow connection stretches the time between a person's answer and the
 * connect to an agent, at 30× the person often hung up in between, and an agent put on such a
 * call was never given back, so the campaign never ran out of work. The call flow now frees that
 * agent (test/engine/call-flow.test.ts).
 */
const CONTACTS = 500;

describe.each(testDatabaseKinds)('a predictive campaign end to end over the ARI simulator [%s]', (kind) => {
  it('works a list of 500 contacts with 10 agents: every contact final or scheduled, outcomes matching the dial log, abandonment under the cap', async () => {
    const handle = await createTestDatabase(kind, { maxConnections: 10 });
    try {
      const summary = await runDemo({
        handle,
        logger: silentLogger(),
        speed: 30,
        agents: 10,
        contacts: CONTACTS,
        maxWallSeconds: 400,
        seed: 3,
        overrides: oneSweep,
        archiveRoot: mkdtempSync(join(tmpdir(), 'dialer-e2e-archive-')),
      });
      const { db } = handle;
      expect(summary.finished).toBe(true);
      expect(summary.contacts.total).toBe(CONTACTS);

      // Every contact is final, or waits for a retry or callback scheduled after the run.
      const pending = await sql<{ n: number }>`
        select count(*) as n from contacts
        where campaign_id = ${summary.campaignId}
          and (status = 'in_progress' or (status = 'ready' and next_attempt_at <= ${new Date(summary.simulatedEnd)}))`.execute(
        db,
      );
      expect(Number(pending.rows[0]?.n)).toBe(0);
      expect(summary.contacts.byStatus.in_progress ?? 0).toBe(0);

      // The dial log: every row final, each with exactly one outcome; the engine's count and the
      // contacts' attempt counters agree with it.
      expect(summary.dialLog.open).toBe(0);
      expect(summary.dialLog.attempts).toBeGreaterThanOrEqual(CONTACTS);
      expect(summary.dialedByEngine).toBe(summary.dialLog.attempts);
      const mismatch = await sql<{ attempts: number; with_outcome: number; counted: number }>`
        select (select count(*) from call_attempts where campaign_id = ${summary.campaignId}) as attempts,
               (select count(distinct o.attempt_id) from outcomes o join call_attempts a on a.id = o.attempt_id
                 where a.campaign_id = ${summary.campaignId}) as with_outcome,
               (select coalesce(sum(attempts), 0) from contacts where campaign_id = ${summary.campaignId}) as counted`.execute(
        db,
      );
      const row = mismatch.rows[0]!;
      expect(Number(row.with_outcome)).toBe(Number(row.attempts));
      expect(Number(row.counted)).toBe(Number(row.attempts));
      const outcomeTotal = Object.values(summary.outcomes).reduce((a, b) => a + b, 0);
      expect(outcomeTotal).toBe(summary.dialLog.attempts);

      // Never two calls to one contact at the same time.
      const overlaps = await sql<{ n: number }>`
        select count(*) as n from call_attempts a join call_attempts b
          on a.contact_id = b.contact_id and a.id < b.id
        where a.campaign_id = ${summary.campaignId} and b.queued_at < a.ended_at`.execute(db);
      expect(Number(overlaps.rows[0]?.n)).toBe(0);

      expect(summary.dialLog.connected).toBeGreaterThan(CONTACTS * 0.35);
      expect(summary.abandonmentRate).toBeLessThanOrEqual(summary.abandonmentCap);
    } finally {
      await handle.close();
    }
  }, 450_000);
});
