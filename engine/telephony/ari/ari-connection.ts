import type { EventEmitter } from 'node:events';
import ari, { type Client } from 'ari-client';
import type { Logger } from '../../platform/logger.ts';
import { TelephonyError } from '../errors.ts';
import { wrapAriError } from './ari-error.ts';

/**
 * swagger-client (inside ari-client) prints "This API is using a deprecated version of
 * Swagger!" to stdout through a global `log` function on every connect, which would corrupt
 * `--json` output. The function is looked up as a global at call time, so replacing it after
 * ari-client is loaded sends those lines to our logger at debug level instead.
 */
let swaggerLogger: Logger | undefined;
(globalThis as Record<string, unknown>).log = (...args: unknown[]) => {
  swaggerLogger?.debug(
    { swagger: args.map((a) => (Array.isArray(a) ? a.join(' ') : String(a))).join(' ') },
    'swagger-client',
  );
};

export interface AriConnectionSettings {
  url: string;
  username: string;
  password: string;
  app: string;
  /** Give up one connect attempt after this long (ari-client has no timeout of its own). */
  connectTimeoutMs?: number;
}

/** Downloads the API description, opens the event WebSocket; resolves with a started client. */
export async function openAriClient(
  settings: AriConnectionSettings,
  logger: Logger,
  beforeStart: (client: Client) => void,
): Promise<Client> {
  swaggerLogger = logger;
  const timeoutMs = settings.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`ARI connect timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  let client: Client | undefined;
  try {
    client = await Promise.race([ari.connect(settings.url, settings.username, settings.password), timeout]);
    beforeStart(client);
    await Promise.race([client.start(settings.app), timeout]);
    return client;
  } catch (error) {
    if (client) closeQuietly(client);
    // ari-client neither rejects nor says why when Asterisk refuses the user (it waits for API
    // documents that never come); one plain request tells a wrong password from a dead host.
    if (await credentialsRefused(settings)) {
      throw new TelephonyError(
        'rejected',
        `ARI at ${settings.url} refused user "${settings.username}" (401 Unauthorized): check ARI_USERNAME and ` +
          'ARI_PASSWORD (--ari-username, --ari-password) against the [user] section of ari.conf',
        { cause: error },
      );
    }
    throw wrapAriError(error, `connect to ARI at ${settings.url}`);
  } finally {
    clearTimeout(timer);
  }
}

async function credentialsRefused(settings: AriConnectionSettings): Promise<boolean> {
  try {
    const response = await fetch(new URL('/ari/asterisk/info', settings.url), {
      headers: {
        authorization: `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`,
      },
      signal: AbortSignal.timeout(3000),
    });
    await response.body?.cancel();
    return response.status === 401;
  } catch {
    return false;
  }
}

/** Closes the WebSocket without letting ari-client reconnect, and drops our listeners. */
export function closeQuietly(client: Client): void {
  emitterOf(client).removeAllListeners();
  try {
    client.stop();
  } catch {
    // nothing to close
  }
}

/** ari-client's Client is a Node EventEmitter; @types narrows `on` to its own event names. */
export function emitterOf(client: Client): EventEmitter {
  return client as unknown as EventEmitter;
}
