import type { DatabaseHandle } from '../../db/connect.ts';
import { hashPassword } from '../../engine/access/passwords.ts';
import { loadConfig } from '../../engine/platform/config.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import type { RecordingStorage } from '../../engine/runner/call-recorder.ts';
import { type EngineClock, systemEngineClock } from '../../engine/runner/engine-clock.ts';
import type { TelephonyPort } from '../../engine/telephony/port.ts';
import { type Serving, startServe } from '../../scripts/serve/start-serve.ts';

/** A password every test user gets (argon2 hashing is slow: once per test file). */
export const TEST_PASSWORD = 'correct horse battery';
let hashed: Promise<string> | undefined;

export async function givePassword(handle: DatabaseHandle, name: string): Promise<void> {
  hashed ??= hashPassword(TEST_PASSWORD);
  await handle.db
    .updateTable('users')
    .set({ password_hash: await hashed })
    .where('name', '=', name)
    .execute();
}

/** The API (and the engine, with telephony) on a free port of 127.0.0.1, over real HTTP. */
export async function serveForTest(
  handle: DatabaseHandle,
  options: {
    telephony?: TelephonyPort;
    clock?: EngineClock;
    env?: NodeJS.ProcessEnv;
    engine?: Parameters<typeof startServe>[0]['engine'];
    feed?: Parameters<typeof startServe>[0]['feed'];
    /** Where the engine stores its recordings (the API reads them from DIALER_RECORDINGS_DIR in `env`). */
    recordings?: RecordingStorage;
    /** The web console's bundle (default: web/dist, as `dialer serve`). */
    web?: Parameters<typeof startServe>[0]['web'];
  } = {},
): Promise<Serving> {
  const config = loadConfig({ env: { DIALER_DATA_DIR: '/nonexistent', ...options.env } });
  return startServe(
    {
      handle,
      config,
      logger: silentLogger(),
      clock: options.clock ?? systemEngineClock(),
      ...(options.telephony ? { telephony: options.telephony } : {}),
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.recordings ? { recordings: options.recordings } : {}),
      feed: options.feed ?? { agentPollMs: 20 },
      ...(options.web !== undefined ? { web: options.web } : {}),
    },
    { host: '127.0.0.1', port: 0 },
  );
}

/** A fetch against the API with a bearer token. */
export function bearer(url: string, token: string) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
}

/** A browser: signs in with name and password, keeps the cookies, sends the CSRF token unless told not to. */
export async function browser(url: string, name: string, password = TEST_PASSWORD) {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { csrfToken: string };
  const cookies = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  return {
    cookies,
    csrfToken: body.csrfToken,
    setCookies: response.headers.getSetCookie(),
    fetch(path: string, init: RequestInit & { csrf?: boolean } = {}) {
      const { csrf = true, ...rest } = init;
      return globalThis.fetch(`${url}${path}`, {
        ...rest,
        headers: {
          cookie: cookies,
          ...(csrf ? { 'x-csrf-token': body.csrfToken } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(init.headers as Record<string, string>),
        },
      });
    },
  };
}

/** The `error` of an error response. */
export async function errorOf(
  response: Response,
): Promise<{ code: string; message: string; field?: string }> {
  const body = (await response.json()) as { error: { code: string; message: string; field?: string } };
  return body.error;
}

export interface FeedEvent {
  id: number;
  event: string;
  data: unknown;
  /** Real time the test read it (ms since epoch). */
  receivedAt: number;
}

/**
 * A live-feed client over real HTTP: reads `text/event-stream`, keeps every message in order,
 * and waits for the next one matching a predicate.
 */
export async function openFeed(url: string, token: string, query = '') {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/events${query}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (response.status !== 200) throw new Error(`feed refused: ${response.status} ${await response.text()}`);
  const events: FeedEvent[] = [];
  const waiters = new Set<() => void>();
  let consumed = 0;
  let closed = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':') && l.includes(': '))
              .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
          ) as Record<string, string>;
          if (fields.event && fields.data) {
            events.push({
              id: Number(fields.id),
              event: fields.event,
              data: JSON.parse(fields.data),
              receivedAt: Date.now(),
            });
            for (const w of waiters) w();
          }
        }
      }
    } catch {
      // aborted
    } finally {
      closed = true;
      for (const w of waiters) w();
    }
  })();
  return {
    events,
    /** The next message (after those already taken) that `match` accepts; earlier ones are skipped. */
    async next(match: (e: FeedEvent) => boolean, timeoutMs = 30_000): Promise<FeedEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (consumed < events.length) {
          const e = events[consumed]!;
          consumed += 1;
          if (match(e)) return e;
        }
        if (closed) throw new Error('the feed closed');
        if (Date.now() > deadline)
          throw new Error(
            `no matching feed message within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.data)).slice(-2000)}`,
          );
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, 200);
          waiters.add(wake);
        });
      }
    },
    close() {
      controller.abort();
    },
  };
}
