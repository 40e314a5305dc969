import pino, { type Logger, stdSerializers } from 'pino';
import pretty from 'pino-pretty';
import { maskDialedNumbers, maskPhone, maskPhonesInText } from './mask-phone.ts';

export type { Logger } from 'pino';

/** Keys whose value is a secret: replaced whole, at any depth of a log line. */
export const SECRET_KEYS = ['password', 'ariPassword', 'databaseUrl', 'authorization', 'apiKey'] as const;

/**
 * Keys whose value is a phone number or holds one (a dial string, an ARI caller): masked as
 * maskPhone masks a number, at any depth. A number logged on purpose goes under a key of its
 * own, already masked (`phoneMasked: maskPhone(phone)`), so that it reads as the mask.
 */
export const PHONE_KEYS = [
  'phone',
  'phoneE164',
  'phone_e164',
  'phoneRaw',
  'phone_raw',
  'number',
  'e164',
  'callerId',
  'endpoint',
  'dialString',
  'dialstring',
] as const;

const secretKeys = new Set<string>(SECRET_KEYS);
const phoneKeys = new Set<string>(PHONE_KEYS);
/** Deeper than this a log line holds no data anyone reads; cut rather than walked. */
const MAX_DEPTH = 12;

/**
 * A copy of a value about to be logged with every phone number masked and every secret
 * replaced, at any depth: values under phone keys, any `+`-number or dial string inside any
 * string (the message, an error's message and stack), errors serialized first (pino's err
 * serializer) so that their text is masked too. pino's own `redact` is not used: its paths
 * have a fixed depth, and it cannot look inside strings.
 */
export function maskForLog(value: unknown, key?: string, depth = 0, seen = new WeakSet<object>()): unknown {
  if (key !== undefined && secretKeys.has(key)) return value === undefined ? undefined : '[redacted]';
  const phoneKey = key !== undefined && phoneKeys.has(key);
  if (typeof value === 'string') return phoneKey ? maskPhonesInText(value) : maskDialedNumbers(value);
  if (typeof value === 'number' || typeof value === 'bigint')
    return phoneKey ? maskPhone(String(value)) : value;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[deeper than the log keeps]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => maskForLog(item, key, depth + 1, seen));
    // What JSON.stringify would write (a Date's ISO text, a URL's href), masked like the rest.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return maskForLog(toJSON.call(value), key, depth + 1, seen);
    const source = value instanceof Error ? (stdSerializers.err(value) as object) : value;
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) copy[k] = maskForLog(v, phoneKey ? key : k, depth + 1, seen);
    return copy;
  } finally {
    seen.delete(value);
  }
}

/** Every argument of a log call masked; an Error given first stays the line's `err`. */
function maskArguments(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  const masked = rest.map((arg) => maskForLog(arg));
  if (first instanceof Error) {
    // pino logs `log.warn(error)` as { err } with the error's message as the message.
    return [{ err: maskForLog(first) }, ...(masked.length > 0 ? masked : [maskForLog(first.message)])];
  }
  return [maskForLog(first), ...masked];
}

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
  const base = {
    level,
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, maskArguments(args));
      },
    },
    // Errors reach the serializer already masked (plain objects); one logged another way still is.
    serializers: { err: (err: unknown) => (err instanceof Error ? maskForLog(err) : err) },
  };
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (usePretty) {
    return maskChildBindings(
      pino(
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
      ),
    );
  }
  return maskChildBindings(pino(base, options.destination ?? pino.destination({ dest: 2, sync: false })));
}

/**
 * Child bindings (`log.child({ attemptId, phone })`) are written once into every line of the
 * child and bypass the logMethod hook: mask them when the child is made. Children inherit this
 * `child` from the root, so grandchildren are covered too.
 */
function maskChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function maskedChild(this: Logger, bindings, childOptions) {
    return child.call(this, maskForLog(bindings) as typeof bindings, childOptions);
  } as Logger['child'];
  return logger;
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
