/**
 * Plain HTTP GETs against ARI for checks made before anything runs (`dialer doctor`): no
 * ari-client (its connect makes 13 requests and a REST call to a stopped Asterisk never
 * settles), one request per question, each with its own timeout, the status kept as it came.
 */
export interface AriProbeAnswer {
  /** HTTP status; 0 when Asterisk did not answer (refused, timed out). */
  status: number;
  /** The JSON body, when there was one. */
  body: unknown;
  /** Why there was no answer (status 0). */
  error?: string;
}

export interface AriProbe {
  /** GET `/ari<path>`; never throws. */
  get(path: string): Promise<AriProbeAnswer>;
}

export interface AriProbeSettings {
  url: string;
  username: string;
  password: string;
  /** Per request (default 3000 ms). */
  timeoutMs?: number;
}

export function createAriProbe(settings: AriProbeSettings): AriProbe {
  const base = settings.url.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  return {
    async get(path) {
      try {
        const response = await fetch(`${base}/ari${path}`, {
          headers: { authorization, accept: 'application/json' },
          signal: AbortSignal.timeout(settings.timeoutMs ?? 3000),
        });
        const text = await response.text();
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          // Asterisk answers some errors with an HTML page (404 before ARI is loaded, 503):
          // keep it out of messages and logs.
          body = undefined;
        }
        return { status: response.status, body };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const name = (error as Error).name;
        return {
          status: 0,
          body: undefined,
          error: name === 'TimeoutError' ? 'no answer in time' : (cause ?? (error as Error).message),
        };
      }
    },
  };
}
