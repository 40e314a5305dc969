import { afterAll, beforeAll, expect, it } from 'vitest';
import { listAlarms } from '../../db/queries/alarms.ts';
import { listRecordings } from '../../db/queries/recordings.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type RecordedRun, runRecordedCampaign } from './recorded-campaign.ts';

describeEachDatabase('a recording that Asterisk reports failed', (database) => {
  let run: RecordedRun;
  beforeAll(async () => {
    run = await runRecordedCampaign(database, {
      lastDigits: [5, 6, 8],
      campaign: { recording: { enabled: true } },
      beforeStart: (simulated) => simulated.sim.failRecordings(1),
    });
  }, 120_000);
  afterAll(() => run?.cleanup());

  it('is marked failed on its call, with the reason, and the others are stored', async () => {
    const recordings = await listRecordings(run.db, { campaignId: run.campaignId });
    expect(recordings.map((r) => r.state).sort()).toEqual(['failed', 'stored', 'stored']);
    const failed = recordings.find((r) => r.state === 'failed');
    expect(failed?.failure).toMatch(/Asterisk reported the recording failed/);
    expect(failed?.sha256).toBeNull();
  });

  it('raises an alarm naming the call', async () => {
    const failed = (await listRecordings(run.db, { campaignId: run.campaignId })).find(
      (r) => r.state === 'failed',
    );
    const alarms = await listAlarms(run.db, { campaignId: run.campaignId });
    const alarm = alarms.filter((a) => a.kind === 'recording_failed');
    expect(alarm).toHaveLength(1);
    expect(alarm[0]?.data).toMatchObject({ attemptId: failed?.attemptId, recording: failed?.name });
  });

  it('lets the call go on: it is connected and sealed like the others, with its agent outcome', async () => {
    const failed = (await listRecordings(run.db, { campaignId: run.campaignId })).find(
      (r) => r.state === 'failed',
    );
    const attempt = await run.db
      .selectFrom('call_attempts')
      .select(['result', 'finalized_at'])
      .where('id', '=', failed?.attemptId ?? -1)
      .executeTakeFirstOrThrow();
    expect(attempt.result).toBe('connected');
    expect(attempt.finalized_at).not.toBeNull();
    const outcome = await run.db
      .selectFrom('outcomes')
      .select('tag')
      .where('attempt_id', '=', failed?.attemptId ?? -1)
      .executeTakeFirst();
    expect(outcome).toBeDefined();
  });
});
