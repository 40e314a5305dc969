import type { Clock } from '../../platform/clock.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RecordingFiles } from '../recording-files.ts';
import { createAriRecordingFiles } from './ari-recording-files.ts';
import { type AriTelephony, type AriTelephonyOptions, createAriTelephony } from './ari-telephony.ts';

/**
 * The one place a running engine's adapter is built from the configuration: ARI connection,
 * this engine's identity (channel ids) and the carrier limits of every configured trunk.
 * `ari` overrides come from command-line flags.
 */
export function ariTelephonyFromConfig(
  config: Pick<Config, 'ari' | 'trunks'>,
  deps: { engineId: string; logger: Logger; clock?: Clock },
  ari: Partial<Config['ari']> = {},
  tuning: Partial<AriTelephonyOptions> = {},
): AriTelephony {
  return createAriTelephony({
    ...tuning,
    url: ari.url ?? config.ari.url,
    username: ari.username ?? config.ari.username,
    password: ari.password ?? config.ari.password,
    app: ari.app ?? config.ari.app,
    engineId: deps.engineId,
    trunks: config.trunks,
    logger: deps.logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
}

/** Asterisk's stored recordings, over the same ARI connection settings as the adapter. */
export function ariRecordingFilesFromConfig(
  config: Pick<Config, 'ari'>,
  ari: Partial<Config['ari']> = {},
): RecordingFiles {
  return createAriRecordingFiles({
    url: ari.url ?? config.ari.url,
    username: ari.username ?? config.ari.username,
    password: ari.password ?? config.ari.password,
  });
}
