import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callFactsOf, listRecordings } from '../../db/queries/recordings.ts';
import { sha256 } from '../../engine/recordings/recording-files-store.ts';
import { readWavHeader } from '../../engine/recordings/wav-header.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type RecordedRun, runRecordedCampaign } from './recorded-campaign.ts';

describeEachDatabase('a campaign that records, on the ARI simulator over sockets', (database) => {
  let run: RecordedRun;
  beforeAll(async () => {
    // Four people (5, 6, 8, 9) and a busy line (0).
    run = await runRecordedCampaign(database, { lastDigits: [5, 6, 8, 9, 0] });
  }, 120_000);
  afterAll(() => run?.cleanup());

  async function connectedCalls() {
    return run.db
      .selectFrom('call_attempts')
      .select(['id', 'contact_id', 'agent_id', 'connected_at'])
      .where('campaign_id', '=', run.campaignId)
      .where('connected_at', 'is not', null)
      .execute();
  }

  it('leaves one stored recording per connected call, linked to its call, contact and agent', async () => {
    const calls = await connectedCalls();
    expect(calls.length).toBe(4);
    const recordings = await listRecordings(run.db, { campaignId: run.campaignId });
    expect(recordings.map((r) => r.state)).toEqual(['stored', 'stored', 'stored', 'stored']);
    expect(recordings.map((r) => r.attemptId).sort()).toEqual(calls.map((c) => c.id).sort());
    for (const r of recordings) {
      const call = calls.find((c) => c.id === r.attemptId);
      expect(r.contactId).toBe(call?.contact_id);
      expect(r.agentId).toBe(call?.agent_id);
      expect(r.result).toBe('connected');
    }
  });

  it('stores playable wav files whose SHA-256 is the one recorded', async () => {
    for (const r of await listRecordings(run.db, { campaignId: run.campaignId })) {
      const bytes = run.folder.readVerified(r.location ?? '', r.sha256 ?? '');
      expect(sha256(bytes)).toBe(r.sha256);
      expect(bytes.length).toBe(r.sizeBytes);
      // The header a `sox --i` reads: RIFF/WAVE, 8 kHz mono 16-bit, as long as the recording.
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(bytes.subarray(8, 12).toString('latin1')).toBe('WAVE');
      const wav = readWavHeader(bytes);
      expect(wav).toMatchObject({ channels: 1, sampleRate: 8000, bitsPerSample: 16 });
      expect(wav.durationSeconds).toBeGreaterThan(1);
      expect(Math.abs(wav.durationSeconds - (r.durationSeconds ?? 0))).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the files private (folders 0700, files 0600)', async () => {
    for (const r of await listRecordings(run.db, { campaignId: run.campaignId })) {
      const path = run.folder.pathOf(r.location ?? '');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    }
  });

  it('deletes each stored recording from Asterisk', () => {
    expect(run.leftInAsterisk).toEqual([]);
  });

  it('plays the recording notice to every connected person before the agent, and records it on the call', async () => {
    for (const call of await connectedCalls()) {
      const facts = await callFactsOf(run.db, call.id);
      const notice = facts.find((f) => f.kind === 'recording_notice');
      expect(notice?.data).toMatchObject({ sound: 'sound:dialer/this-call-is-recorded', finished: true });
      expect(notice && call.connected_at && notice.at.getTime() <= call.connected_at.getTime()).toBe(true);
    }
  });
});
