import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * Keys that may hold a full phone number or a secret. Pino replaces their values, so a
 * mistaken `log.info({ phone })` cannot leak a number into the logs.
 */
export const REDACTED_KEYS = [
  'phone',
  'phoneE164',
  'phone_e164',
  'number',
  'e164',
  'callerId',
  'password',
  'ariPassword',
  'databaseUrl',
] as const;

const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]);

export interface LoggerOptions {
  level?: string;
  /**
   * Human lines (one per record: time, level, message, the record's plain fields as key=value,
   * an error's code and message; never a JSON object) instead of JSON; defaults to whether
   * stderr is a terminal, where a person reads logs between a command's own output.
   */
  pretty?: boolean;
  /** Where lines go; defaults to stderr so stdout stays clean for --json output. */
  destination?: NodeJS.WritableStream;
}

/** Builds the process logger. It does not depend on config so it exists before config is read. */
export function createLogger(options: LoggerOptions = {}): Logger {
  // An empty LOG_LEVEL (`LOG_LEVEL= dialer …`) means unset, as in the config.
  const level = options.level || process.env.LOG_LEVEL || 'info';
  const base = { level, redact: { paths: redactPaths, censor: '[redacted]' } };
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (usePretty) {
    return pino(
      base,
      pretty({
        destination: options.destination ?? 2,
        sync: true,
        colorize: options.destination === undefined,
        translateTime: 'HH:MM:ss',
        ignore: 'pid,hostname',
        hideObject: true,
        messageFormat: humanLine,
      }),
    );
  }
  return pino(base, options.destination ?? pino.destination({ dest: 2, sync: false }));
}

const NOT_FIELDS = new Set(['level', 'time', 'pid', 'hostname']);

/** The message, then the record's plain fields as key=value; objects are left out, errors shortened. */
export function humanLine(record: Record<string, unknown>, messageKey: string): string {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === messageKey || NOT_FIELDS.has(key)) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const { code, message } = value as { code?: unknown; message?: unknown };
      fields.push(`error=${quoted([code, message].filter((p) => p !== undefined && p !== '').join(': '))}`);
    } else if (value === null || typeof value !== 'object') {
      fields.push(`${key}=${quoted(String(value))}`);
    }
  }
  return [String(record[messageKey] ?? ''), ...fields].join('  ');
}

function quoted(text: string): string {
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** A logger that drops everything, for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
