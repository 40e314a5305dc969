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
  /** Pretty, human-readable lines; defaults to whether stderr is a terminal. */
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
    return pino(base, pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname' }));
  }
  return pino(base, options.destination ?? pino.destination({ dest: 2, sync: false }));
}

/** A logger that drops everything, for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
