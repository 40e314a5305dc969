import type { DatabaseHandle } from '../../db/connect.ts';
import type { Clock } from '../../engine/platform/clock.ts';
import type { Config } from '../../engine/platform/config.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import type { RecordingStorage } from '../../engine/runner/call-recorder.ts';
import type { EngineClock } from '../../engine/runner/engine-clock.ts';
import { EngineHost, type EngineHostOptions } from '../../engine/serve/engine-host.ts';
import { createServices } from '../../engine/services/index.ts';
import type { TelephonyPort } from '../../engine/telephony/port.ts';
import { buildApi } from '../api/app.ts';
import type { Api } from '../api/context.ts';
import { LiveFeed } from '../api/live-feed.ts';
import { DEFAULT_WEB_ROOT } from '../api/web-console.ts';

export interface ServeDeps {
  handle: DatabaseHandle;
  config: Config;
  logger: Logger;
  /** Engine time; also the API's "now" (token expiry, outcomes) so both agree in the demo. */
  clock: EngineClock;
  /** The telephone system; none: the API alone, no engine (tests of the API by itself). */
  telephony?: TelephonyPort;
  /** Where the engine stores recordings (absent: a recording campaign's recordings fail, alarmed). */
  recordings?: RecordingStorage;
  engineId?: string;
  engine?: EngineHostOptions;
  feed?: { agentPollMs?: number; figuresMs?: number };
  /** The web console served at `/`: web/dist unless told; `false`: the API alone. */
  web?: { root: string } | false;
}

export interface Serving {
  readonly url: string;
  readonly api: Api;
  readonly host: EngineHost | undefined;
  readonly feed: LiveFeed;
  /** SIGTERM: stop taking requests and close live streams, then drain the engine as `dialer run` does. */
  stop(): Promise<void>;
}

/**
 * The composition root of `dialer serve` (and `dialer demo --serve`, the API tests, the bench):
 * the services, the engine for every running campaign, the live feed and the HTTP API, over one
 * database and one clock.
 */
export async function startServe(deps: ServeDeps, listen: { host: string; port: number }): Promise<Serving> {
  const clock: Clock = deps.clock;
  const services = createServices({ db: deps.handle.db, clock });
  const host = deps.telephony
    ? new EngineHost(
        {
          database: deps.handle,
          telephony: deps.telephony,
          clock: deps.clock,
          logger: deps.logger,
          ...(deps.engineId ? { engineId: deps.engineId } : {}),
          ...(deps.recordings ? { recordings: deps.recordings } : {}),
        },
        deps.engine ?? {},
      )
    : undefined;
  const feed = new LiveFeed({
    db: deps.handle.db,
    clock,
    logger: deps.logger.child({ part: 'feed' }),
    ...(host ? { host } : {}),
    ...deps.feed,
  });
  const api = await buildApi({
    handle: deps.handle,
    config: deps.config,
    logger: deps.logger.child({ part: 'api' }),
    clock,
    services,
    feed,
    ...(host ? { host } : {}),
    ...(deps.web === false ? {} : { web: deps.web ?? { root: DEFAULT_WEB_ROOT } }),
  });
  if (host) await host.start();
  feed.start();
  const address = await api.listen({ host: listen.host, port: listen.port });
  let stopping: Promise<void> | undefined;
  return {
    url: address,
    api,
    host,
    feed,
    stop() {
      stopping ??= (async () => {
        feed.stop();
        // Live streams never end by themselves: close their sockets with the server.
        api.server.closeAllConnections?.();
        await api.close();
        await host?.stop();
      })();
      return stopping;
    },
  };
}
