import type { Kysely } from 'kysely';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { raiseCallAlarm } from '../../db/queries/alarms.ts';
import {
  insertRecording,
  listUnsettledRecordings,
  markRecordingFailed,
  markRecordingStored,
  recordingAttemptId,
} from '../../db/queries/recordings.ts';
import type { Database } from '../../db/schema.ts';
import { recordingRetentionDays } from '../compliance/recording-policy.ts';
import type { Logger } from '../platform/logger.ts';
import type { RecordingFolder } from '../recordings/recording-files-store.ts';
import { RecordingIntegrityError, readWavHeader } from '../recordings/wav-header.ts';
import { isTelephonyError } from '../telephony/errors.ts';
import type { TelephonyEvent, TelephonyPort } from '../telephony/port.ts';
import type { RecordingFiles } from '../telephony/recording-files.ts';
import type { CallContext } from './call-context.ts';
import { campaignCallScope } from './call-name.ts';
import { type EngineClock, holdTime } from './engine-clock.ts';

type RecordingFinished = Extract<TelephonyEvent, { type: 'recording-finished' }>;

/** Where finished recordings go: the telephone system's store and our recordings folder. */
export interface RecordingStorage {
  files: RecordingFiles;
  folder: RecordingFolder;
}

export interface CallRecorderDeps {
  db: Kysely<Database>;
  telephony: Pick<TelephonyPort, 'record'>;
  clock: EngineClock;
  logger: Logger;
  campaignId: number;
  definition: CampaignDefinition;
  /** Absent: the engine was started without a recordings folder; every recording fails (alarmed). */
  storage?: RecordingStorage;
}

const DAY_MS = 86_400_000;

/** The recording of a call is named after the call (its attempt id): one per call. */
export function recordingNameOf(attemptId: string): string {
  return `rec-${attemptId}`;
}

/**
 * Records the calls of a campaign that records: the agent's bridge from the moment the customer
 * is connected until the call ends, or (agentless) the customer's channel from the answer. Each
 * recording has its row (state recording → stored | failed). When Asterisk has finished one,
 * the file is fetched over ARI, checked (a complete wav, the hash of what is on our disk equal to
 * what was fetched), stored privately, recorded as stored with its SHA-256, and only then deleted
 * from Asterisk. Anything failing marks the row failed and raises an alarm about that call; the
 * call itself never waits on any of it and goes on.
 */
export class CallRecorder {
  /** Recordings this runner started and not yet settled, by name. */
  private readonly live = new Map<string, { attemptDbId: number; log: Logger }>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly d: CallRecorderDeps) {}

  get enabled(): boolean {
    return this.d.definition.recording.enabled;
  }

  /** A person is with the agent: record the agent's bridge. */
  callConnected(call: CallContext): void {
    if (!this.enabled || call.agentId === null) return;
    this.start(call, { agentId: String(call.agentId) }, `bridge:agent-${call.agentId}`);
  }

  /** Agentless: a person answered; record their channel until hang-up. */
  callAnswered(call: CallContext): void {
    if (!this.enabled) return;
    this.start(call, { attemptId: call.attemptId }, `channel:${call.attemptId}`);
  }

  /**
   * Whether a finished recording is this campaign's: one this runner started, or one of its
   * calls named by an earlier run of the campaign (the name carries the campaign's call scope).
   */
  owns(event: RecordingFinished): boolean {
    return (
      this.live.has(event.recordingName) ||
      event.recordingName.includes(`-${campaignCallScope(this.d.campaignId)}k`)
    );
  }

  /**
   * After a restart: recordings of this campaign still `recording` whose call ended over a minute
   * ago (Asterisk finishes a recording seconds after its call) finished while no engine listened.
   * Each is fetched and stored now if Asterisk has it, else marked failed (alarmed).
   */
  recoverUnsettled(): void {
    this.track(
      (async () => {
        const before = new Date(this.d.clock.now().getTime() - 60_000);
        const rows = await listUnsettledRecordings(this.d.db, this.d.campaignId, before);
        for (const row of rows) {
          if (this.live.has(row.name) || row.attemptId === null) continue;
          const log = this.d.logger.child({ recording: row.name });
          log.info('recording left unsettled by an earlier run: fetching it');
          this.live.set(row.name, { attemptDbId: row.attemptId, log });
          await this.finished({
            type: 'recording-finished',
            recordingName: row.name,
            target: { attemptId: '' },
            at: this.d.clock.now(),
          });
        }
      })().catch((error: unknown) =>
        this.d.logger.error({ err: error }, 'could not settle earlier recordings'),
      ),
    );
  }

  handle(event: RecordingFinished): void {
    this.track(this.finished(event));
  }

  /** Resolves once every recording work started so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>): void {
    const held = holdTime(this.d.clock, work);
    this.pending.add(held);
    void held.finally(() => this.pending.delete(held));
  }

  private start(call: CallContext, target: Parameters<TelephonyPort['record']>[0], targetText: string): void {
    const name = recordingNameOf(call.attemptId);
    if (this.live.has(name)) return;
    if (call.recordingWithheld) {
      call.log.warn({ reason: call.recordingWithheld }, 'call not recorded: a recording notice is required');
      return;
    }
    this.live.set(name, { attemptDbId: call.dbId, log: call.log });
    const startedAt = this.d.clock.now();
    this.track(
      (async () => {
        try {
          await insertRecording(this.d.db, {
            name,
            attemptId: call.dbId,
            campaignId: this.d.campaignId,
            agentId: call.agentId,
            contactId: call.contactId,
            format: 'wav',
            target: targetText,
            startedAt,
          });
        } catch (error) {
          // No row, no recording: record nothing rather than a file nobody can find.
          this.live.delete(name);
          call.log.error(
            { err: error, recording: name },
            'could not record the recording row; call not recorded',
          );
          await this.alarm(call.dbId, name, 'the recording could not be registered', error);
          return;
        }
        try {
          await this.d.telephony.record(target, {
            name,
            format: 'wav',
            maxDurationSeconds: this.d.definition.recording.maxDurationSeconds,
          });
        } catch (error) {
          await this.fail(name, `recording refused: ${(error as Error).message}`, error);
        }
      })(),
    );
  }

  private async finished(event: RecordingFinished): Promise<void> {
    const name = event.recordingName;
    if (event.failed) {
      await this.fail(name, `Asterisk reported the recording failed${event.cause ? `: ${event.cause}` : ''}`);
      return;
    }
    const storage = this.d.storage;
    if (!storage) {
      await this.fail(name, 'the engine has no recordings folder configured');
      return;
    }
    const log = this.live.get(name)?.log ?? this.d.logger.child({ recording: name });
    try {
      const fetched = await storage.files.fetch(name);
      if (fetched.declaredLength !== null && fetched.declaredLength !== fetched.bytes.length) {
        throw new RecordingIntegrityError(
          `recording ${name}: ${fetched.bytes.length} bytes received of ${fetched.declaredLength} announced`,
        );
      }
      const wav = readWavHeader(fetched.bytes);
      const now = this.d.clock.now();
      const stored = await storage.folder.store({
        campaignId: this.d.campaignId,
        name,
        format: 'wav',
        day: now,
        bytes: fetched.bytes,
      });
      const changed = await markRecordingStored(this.d.db, name, {
        endedAt: event.at,
        durationSeconds: event.durationSeconds ?? Math.round(wav.durationSeconds * 10) / 10,
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
        location: stored.location,
        storedAt: now,
        purgeAfter: new Date(now.getTime() + recordingRetentionDays(this.d.definition) * DAY_MS),
      });
      if (!changed) {
        // Not ours to store (no row, or already settled): leave Asterisk's copy alone.
        storage.folder.remove(stored.location);
        log.warn({ recording: name }, 'finished recording has no open row; left in the telephone system');
        this.live.delete(name);
        return;
      }
      this.live.delete(name);
      // Stored and recorded: only now is Asterisk's copy expendable.
      await storage.files.delete(name).catch((error: unknown) => {
        if (!isTelephonyError(error, 'not-found')) {
          log.warn(
            { err: error, recording: name },
            'stored recording could not be deleted from the telephone system',
          );
        }
      });
    } catch (error) {
      await this.fail(name, `storing the recording failed: ${(error as Error).message}`, error);
    }
  }

  private async fail(name: string, reason: string, error?: unknown): Promise<void> {
    const entry = this.live.get(name);
    this.live.delete(name);
    const log = entry?.log ?? this.d.logger.child({ recording: name });
    log.error({ err: error, recording: name, reason }, 'recording failed; the call goes on');
    const at = this.d.clock.now();
    try {
      const changed = await markRecordingFailed(this.d.db, name, reason, at);
      const attemptDbId = entry?.attemptDbId ?? (await recordingAttemptId(this.d.db, name));
      if (changed && attemptDbId != null) await this.alarm(attemptDbId, name, reason, error);
    } catch (dbError) {
      log.error({ err: dbError, recording: name }, 'could not record the failed recording');
    }
  }

  private async alarm(attemptDbId: number, name: string, reason: string, _error?: unknown): Promise<void> {
    await raiseCallAlarm(this.d.db, {
      campaignId: this.d.campaignId,
      kind: 'recording_failed',
      severity: 'warning',
      message: `recording ${name} failed: ${reason}`,
      data: { recording: name },
      attemptId: attemptDbId,
      at: this.d.clock.now(),
    }).catch((error: unknown) =>
      this.d.logger.error({ err: error, recording: name }, 'could not raise the recording alarm'),
    );
  }
}
