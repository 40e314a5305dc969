import { TelephonyError } from '../errors.ts';
import type { RecordingFiles, StoredRecordingFile } from '../recording-files.ts';

export interface AriRecordingFilesSettings {
  /** ARI base, e.g. `http://127.0.0.1:8088` (the REST paths are under `/ari`). */
  url: string;
  username: string;
  password: string;
  /** Real milliseconds a request may take (Asterisk down: nothing ever answers). */
  timeoutMs?: number;
}

/**
 * Stored recordings over ARI's REST interface, with Node's own HTTP client rather than
 * ari-client: ari-client's HTTP layer (swagger-client 2 / shred) turns every response body into
 * a UTF-8 string before handing it on, so the bytes of a wav file come back with every invalid
 * sequence replaced by U+FFFD. `GET /ari/recordings/stored/{name}/file` is read as bytes here,
 * `DELETE /ari/recordings/stored/{name}` removes it from Asterisk's spool.
 */
export function createAriRecordingFiles(settings: AriRecordingFilesSettings): RecordingFiles {
  const base = `${settings.url.replace(/\/+$/, '')}/ari/recordings/stored/`;
  const authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  const timeoutMs = settings.timeoutMs ?? 30_000;

  async function request(method: 'GET' | 'DELETE', path: string, doing: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers: { authorization },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TelephonyError('unavailable', `${doing}: ${(error as Error).message}`, { cause: error });
    }
    if (response.ok) return response;
    const body = await response.text().catch(() => '');
    let detail = body;
    try {
      detail = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not JSON
    }
    const kind = response.status === 404 ? 'not-found' : response.status >= 500 ? 'unavailable' : 'failed';
    throw new TelephonyError(kind, `${doing}: HTTP ${response.status} ${detail}`.trim());
  }

  return {
    async fetch(name: string): Promise<StoredRecordingFile> {
      const response = await request('GET', `${encodeURIComponent(name)}/file`, `fetch recording ${name}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const declared = response.headers.get('content-length');
      return {
        bytes,
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        declaredLength: declared === null ? null : Number(declared),
      };
    },
    async delete(name: string): Promise<void> {
      await request('DELETE', encodeURIComponent(name), `delete recording ${name}`);
    },
  };
}
