import { afterAll, beforeAll, expect, it } from 'vitest';
import { listRecordings } from '../../db/queries/recordings.ts';
import { readWavHeader } from '../../engine/recordings/wav-header.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type RecordedRun, runRecordedCampaign } from './recorded-campaign.ts';

describeEachDatabase('an agentless campaign that records', (database) => {
  let run: RecordedRun;
  beforeAll(async () => {
    run = await runRecordedCampaign(database, {
      lastDigits: [5, 6, 0],
      agents: 0,
      campaign: {
        type: 'reminder',
        mode: 'agentless',
        recording: { enabled: true },
        questions: [
          { id: 'confirm', prompt: 'sound:press-1', choices: { '1': 'confirmed', '2': 'reschedule' } },
        ],
      },
    });
  }, 120_000);
  afterAll(() => run?.cleanup());

  it('records each answered call’s channel from the answer to the hang-up, and stores it', async () => {
    const answered = await run.db
      .selectFrom('call_attempts')
      .select('id')
      .where('campaign_id', '=', run.campaignId)
      .where('answered_at', 'is not', null)
      .execute();
    expect(answered).toHaveLength(2);
    const recordings = await listRecordings(run.db, { campaignId: run.campaignId });
    expect(recordings.map((r) => r.attemptId).sort()).toEqual(answered.map((a) => a.id).sort());
    for (const r of recordings) {
      expect(r).toMatchObject({ state: 'stored', agentId: null });
      expect(r.target).toMatch(/^channel:/);
      const wav = readWavHeader(run.folder.readVerified(r.location ?? '', r.sha256 ?? ''));
      expect(wav.durationSeconds).toBeGreaterThan(0);
    }
    expect(run.leftInAsterisk).toEqual([]);
  });
});
