import type { Config } from '../../engine/platform/config.ts';
import { recordingsRoot } from '../../engine/platform/config.ts';
import { RecordingFolder } from '../../engine/recordings/recording-files-store.ts';
import type { RecordingStorage } from '../../engine/runner/call-recorder.ts';
import { ariRecordingFilesFromConfig } from '../../engine/telephony/ari/from-config.ts';

/**
 * Where an engine started by `dialer run` or `dialer serve` stores its recordings: fetched from the
 * same Asterisk as its calls, kept in the configured recordings folder. Throws
 * `recordings_dir_unset` on PostgreSQL without a folder.
 */
export function recordingStorageFromConfig(
  config: Pick<Config, 'ari' | 'recordingsDir' | 'databaseUrl' | 'dataDir'>,
  ari: Partial<Config['ari']> = {},
): RecordingStorage {
  return {
    files: ariRecordingFilesFromConfig(config, ari),
    folder: new RecordingFolder(recordingsRoot(config)),
  };
}
