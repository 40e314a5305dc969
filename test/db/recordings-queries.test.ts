import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  insertRecording,
  listUnsettledRecordings,
  markRecordingStored,
  recordingAttemptId,
} from '../../db/queries/recordings.ts';
import type { Database } from '../../db/schema.ts';
import { addContacts, makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { at, connected, finalized } from './call-fixtures.ts';

/** A recorded call of the contact: its dial-log row (finalized at `endedAt` unless null) and recording. */
async function recordedCall(
  db: Kysely<Database>,
  campaignId: number,
  contactId: number,
  endedAt: Date | null,
) {
  const call = await connected(db, campaignId, contactId);
  const recording = await insertRecording(db, {
    name: `rec-${call.channel_id}`,
    attemptId: call.id,
    campaignId,
    agentId: null,
    contactId,
    format: 'wav',
    target: 'bridge:agent-1',
    startedAt: at,
  });
  if (endedAt) await finalized(db, call.id, endedAt);
  return { call, recording };
}

const cutoff = new Date(at.getTime() + 60_000);

describeEachDatabase('recording queries', (database) => {
  describe('listUnsettledRecordings', () => {
    it("lists the campaign's recordings still recording whose call ended before the cutoff", async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const other = await makeCampaign(db);
      const [a, b, c, d] = await addContacts(db, campaign.id, 4);
      const [e] = await addContacts(db, other.campaign.id, 1);
      const unsettled = await recordedCall(db, campaign.id, a!, at);
      await recordedCall(db, campaign.id, b!, cutoff);
      await recordedCall(db, campaign.id, c!, null);
      const stored = await recordedCall(db, campaign.id, d!, at);
      await markRecordingStored(db, stored.recording.name, {
        endedAt: at,
        durationSeconds: 1,
        sizeBytes: 44,
        sha256: 'x',
        location: 'f.wav',
        storedAt: at,
        purgeAfter: cutoff,
      });
      await recordedCall(db, other.campaign.id, e!, at);
      expect(await listUnsettledRecordings(db, campaign.id, cutoff)).toEqual([
        { name: unsettled.recording.name, attemptId: unsettled.call.id },
      ]);
    });
  });

  describe('recordingAttemptId', () => {
    it('gives the dial-log row of a recording by its name', async () => {
      const { db } = database();
      const { campaign } = await makeCampaign(db);
      const [contactId] = await addContacts(db, campaign.id, 1);
      const { call, recording } = await recordedCall(db, campaign.id, contactId!, null);
      expect(await recordingAttemptId(db, recording.name)).toBe(call.id);
    });

    it('gives null for a name no recording has', async () => {
      const { db } = database();
      expect(await recordingAttemptId(db, 'rec-nobody')).toBeNull();
    });
  });
});
