import type { Kysely } from 'kysely';
import { insertCallFact } from '../../db/queries/recordings.ts';
import type { Database } from '../../db/schema.ts';
import type { TelephonyPort } from '../telephony/port.ts';
import type { CallContext } from './call-context.ts';
import { awaitLater, type EngineClock } from './engine-clock.ts';

export interface RecordingNoticeDeps {
  db: Kysely<Database>;
  telephony: Pick<TelephonyPort, 'play'>;
  clock: EngineClock;
  campaignId: number;
}

/**
 * Plays the call's recording notice (if it has one) to the person who answered, before an agent
 * is bridged, and puts the fact on the call's record (call_facts `recording_notice`, with the
 * sound and whether it played to the end). The fact is written behind the notice, never before
 * it (the person hears the notice at once, not after a database round trip). Returns false
 * when the person left during the notice (their hangup follows).
 */
export async function playRecordingNotice(d: RecordingNoticeDeps, call: CallContext): Promise<boolean> {
  const notice = call.recordingNotice;
  if (!notice) return true;
  const startedAt = d.clock.now();
  const played = await awaitLater(d.clock, d.telephony.play(call.attemptId, [notice.sound])).catch(() => ({
    finished: false,
  }));
  call.noticeEndedAt = d.clock.now();
  await insertCallFact(d.db, {
    attemptId: call.dbId,
    campaignId: d.campaignId,
    kind: 'recording_notice',
    data: { sound: notice.sound, finished: played.finished, startedAt: startedAt.toISOString() },
    at: call.noticeEndedAt,
  }).catch((error: unknown) =>
    call.log.error({ err: error }, 'could not record that the recording notice was played'),
  );
  return played.finished;
}
