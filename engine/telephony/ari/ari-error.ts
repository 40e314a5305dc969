import { TelephonyError, type TelephonyErrorKind } from '../errors.ts';

/**
 * ari-client rejects with a plain Error whose message is the response body (no HTTP status),
 * or with a network error. Turn it into a TelephonyError the engine can branch on.
 */
export function wrapAriError(error: unknown, doing: string, originate = false): TelephonyError {
  if (error instanceof TelephonyError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  let detail = raw;
  try {
    const body = JSON.parse(raw) as { message?: string; error?: string };
    detail = body.message ?? body.error ?? raw;
  } catch {
    // not a JSON body: a network error or a swagger message
  }
  if (/<\s*(!doctype|html|head|body|title)\b/i.test(raw)) {
    // Asterisk answers with an HTML page while ARI is not loaded yet (404) or while it starts
    // or stops (503): the link is not usable. The page itself goes nowhere: not into the
    // message, not as the cause (pino would log it), never into a log line.
    return new TelephonyError(
      'unavailable',
      `${doing}: Asterisk answered with an HTML error page (ARI not loaded, or Asterisk starting or stopping)`,
    );
  }
  let kind: TelephonyErrorKind;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE' ||
    /ECONNREFUSED|ECONNRESET|socket hang up|not connected/i.test(detail)
  ) {
    kind = 'unavailable';
  } else if (originate) {
    kind = 'originate-failed';
  } else if (/not found|does not exist/i.test(detail)) {
    kind = 'not-found';
  } else if (
    /not in stasis|already exists|invalid|missing|must be|not in this bridge|not in the/i.test(detail)
  ) {
    kind = 'rejected';
  } else {
    kind = 'failed';
  }
  return new TelephonyError(kind, `${doing}: ${detail}`, { cause: error });
}
