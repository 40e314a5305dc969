import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from './errors.ts';
import { parseOrThrow } from './zod-error.ts';

/**
 * One schema over the process configuration. Sources, later ones winning: defaults, the
 * optional JSON config file (DIALER_CONFIG or ./dialer.config.json), environment variables,
 * then command-line flags. Parsed once at start. Strict: a key the schema does not know (a typo in
 * the file) is an error naming it, not a setting silently ignored.
 */

/**
 * Sizes of what people hand in: beyond them the input is refused with an error saying which
 * limit (and how to raise it). The lengths of identifiers and names are fixed, in field-limits.ts.
 */
export const limitsSchema = z.strictObject({
  /** A campaign file is a page of settings; megabytes of it are a wrong file. */
  campaignFileBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1 << 20),
  /** Characters of one cell of a list (a name, an address, a note). */
  listCellChars: z.coerce.number().int().min(64).default(4096),
  /** Characters of one row of a list, every cell together. */
  listRowChars: z.coerce.number().int().min(256).default(65_536),
  /** Columns of a list's header line. */
  listColumns: z.coerce.number().int().min(2).default(200),
});
export type InputLimits = z.infer<typeof limitsSchema>;
export const DEFAULT_LIMITS: InputLimits = limitsSchema.parse({});

export const configSchema = z.strictObject({
  databaseUrl: z.string().url().optional().describe('postgres:// URL; unset means embedded PGlite'),
  databasePoolSize: z.coerce
    .number()
    .int()
    .min(2)
    .max(500)
    .default(10)
    .describe(
      'connections of the PostgreSQL pool (each running campaign holds one for its lock); ignored on the embedded database',
    ),
  dataDir: z.string().min(1).default('.dialer'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  engineId: z.string().min(1).optional(),
  ari: z
    .strictObject({
      url: z.string().url().default('http://127.0.0.1:8088'),
      username: z.string().min(1).default('dialer'),
      password: z.string().default(''),
      app: z.string().min(1).default('dialer'),
    })
    .default({ url: 'http://127.0.0.1:8088', username: 'dialer', password: '', app: 'dialer' }),
  archiveDir: z
    .string()
    .min(1)
    .optional()
    .describe(
      'where imported lists are archived; default <dataDir>/archive on the embedded database, required on PostgreSQL',
    ),
  recordingsDir: z
    .string()
    .min(1)
    .optional()
    .describe(
      'where call recordings are stored (0700); default <dataDir>/recordings on the embedded database, required on PostgreSQL',
    ),
  tokenFile: z
    .string()
    .min(1)
    .optional()
    .describe('the API token file the CLI reads when DIALER_TOKEN is unset; default ~/.config/dialer/token'),
  retentionDays: z.coerce.number().int().min(365).default(400),
  limits: limitsSchema.prefault({}),
  evidenceKeyFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Ed25519 private key (PEM, mode 0600) that signs log checkpoints; public key beside it as <file>.pub',
    ),
  maxCallSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .default(4 * 3600)
    .describe(
      'the longest call; an open dial-log row older than ring timeout + this + 60 s with no engine lease is stale',
    ),
  serve: z
    .strictObject({
      /** Address of `dialer serve`'s HTTP API; loopback unless a proxy in front says otherwise. */
      host: z.string().min(1).default('127.0.0.1'),
      port: z.coerce.number().int().min(0).max(65535).default(8080),
      /** Largest JSON request body (a campaign definition, an outcome). */
      bodyBytes: z.coerce
        .number()
        .int()
        .min(1024)
        .default(1 << 20),
      /** Largest CSV upload, streamed to a private file; beyond it the upload is refused (413). */
      uploadBytes: z.coerce
        .number()
        .int()
        .min(1024)
        .default(256 << 20),
      /** Hours a browser sign-in (cookie session) lasts. */
      sessionHours: z.coerce.number().int().min(1).max(168).default(12),
      /** Sign-in attempts per client address per minute. */
      signInPerMinute: z.coerce.number().int().min(1).max(1000).default(10),
    })
    .prefault({})
    .describe('the HTTP API of `dialer serve`'),
  trunks: z
    .record(
      z.string().regex(/^[A-Za-z0-9._-]+$/, 'a trunk name is letters, digits, . _ -'),
      z
        .object({
          callsPerSecond: z.number().int().min(1).max(10_000),
          maxChannels: z.number().int().min(1).max(100_000),
        })
        .strict(),
    )
    .default({})
    .describe(
      "carrier limits per trunk name (a campaign's dialing.trunk); others get 50 calls/s, 1000 channels",
    ),
  compliancePresets: z
    .array(z.record(z.string(), z.unknown()))
    .max(100)
    .default([])
    .describe(
      'more jurisdiction presets (config file only), each validated by engine/compliance/presets/preset-schema.ts',
    ),
});

export type Config = z.infer<typeof configSchema>;
type ConfigInput = z.input<typeof configSchema>;

const envMap: Record<string, (input: ConfigInput, value: string) => void> = {
  DATABASE_URL: (c, v) => {
    c.databaseUrl = v;
  },
  DIALER_DB_POOL_SIZE: (c, v) => {
    c.databasePoolSize = Number(v);
  },
  DIALER_DATA_DIR: (c, v) => {
    c.dataDir = v;
  },
  LOG_LEVEL: (c, v) => {
    c.logLevel = v as Config['logLevel'];
  },
  DIALER_ENGINE_ID: (c, v) => {
    c.engineId = v;
  },
  DIALER_ARCHIVE_DIR: (c, v) => {
    c.archiveDir = v;
  },
  DIALER_RECORDINGS_DIR: (c, v) => {
    c.recordingsDir = v;
  },
  DIALER_TOKEN_FILE: (c, v) => {
    c.tokenFile = v;
  },
  DIALER_RETENTION_DAYS: (c, v) => {
    c.retentionDays = Number(v);
  },
  DIALER_MAX_CAMPAIGN_FILE_BYTES: (c, v) => {
    c.limits = { ...c.limits, campaignFileBytes: v };
  },
  DIALER_MAX_LIST_CELL_CHARS: (c, v) => {
    c.limits = { ...c.limits, listCellChars: v };
  },
  DIALER_MAX_LIST_ROW_CHARS: (c, v) => {
    c.limits = { ...c.limits, listRowChars: v };
  },
  DIALER_MAX_LIST_COLUMNS: (c, v) => {
    c.limits = { ...c.limits, listColumns: v };
  },
  DIALER_EVIDENCE_KEY_FILE: (c, v) => {
    c.evidenceKeyFile = v;
  },
  DIALER_MAX_CALL_SECONDS: (c, v) => {
    c.maxCallSeconds = Number(v);
  },
  ARI_URL: (c, v) => {
    c.ari = { ...c.ari, url: v };
  },
  ARI_USERNAME: (c, v) => {
    c.ari = { ...c.ari, username: v };
  },
  ARI_PASSWORD: (c, v) => {
    c.ari = { ...c.ari, password: v };
  },
  ARI_APP: (c, v) => {
    c.ari = { ...c.ari, app: v };
  },
  DIALER_SERVE_HOST: (c, v) => {
    c.serve = { ...c.serve, host: v };
  },
  DIALER_SERVE_PORT: (c, v) => {
    c.serve = { ...c.serve, port: v };
  },
  DIALER_MAX_UPLOAD_BYTES: (c, v) => {
    c.serve = { ...c.serve, uploadBytes: v };
  },
  DIALER_MAX_BODY_BYTES: (c, v) => {
    c.serve = { ...c.serve, bodyBytes: v };
  },
  DIALER_SIGN_IN_PER_MINUTE: (c, v) => {
    c.serve = { ...c.serve, signInPerMinute: v };
  },
  DIALER_SESSION_HOURS: (c, v) => {
    c.serve = { ...c.serve, sessionHours: v };
  },
  DIALER_TRUNKS: (c, v) => {
    c.trunks = parseTrunksVariable(v);
  },
};

/**
 * `DIALER_TRUNKS=carrier=20/200,backup=5/50`: per trunk, calls per second / concurrent
 * channels. Numbers are checked by the schema; a malformed entry is refused here, named.
 */
export function parseTrunksVariable(
  value: string,
): Record<string, { callsPerSecond: number; maxChannels: number }> {
  const trunks: Record<string, { callsPerSecond: number; maxChannels: number }> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const match = /^([^=\s]+)=([^/\s]+)\/([^/\s]+)$/.exec(entry);
    if (!match) {
      throw new UserError(
        `DIALER_TRUNKS entry ${JSON.stringify(entry)} is not name=callsPerSecond/maxChannels (e.g. carrier=20/200)`,
        'config',
      );
    }
    const [, name, cps, channels] = match as unknown as [string, string, string, string];
    trunks[name] = { callsPerSecond: Number(cps), maxChannels: Number(channels) };
  }
  return trunks;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file path; otherwise DIALER_CONFIG, then ./dialer.config.json if present. */
  file?: string;
  overrides?: Partial<ConfigInput>;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const input: ConfigInput = {};
  const explicitFile = options.file ?? env.DIALER_CONFIG;
  const file = explicitFile ?? (existsSync('dialer.config.json') ? 'dialer.config.json' : undefined);
  if (file) {
    const path = resolve(file);
    if (!existsSync(path)) throw new UserError(`config file ${file} does not exist`, 'config');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UserError(`config file ${file} is not valid JSON: ${(error as Error).message}`, 'config');
    }
    Object.assign(input, parsed);
  }
  for (const [name, apply] of Object.entries(envMap)) {
    const value = env[name];
    if (value !== undefined && value !== '') apply(input, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) (input as Record<string, unknown>)[key] = value;
  }
  return parseOrThrow(configSchema, input, 'configuration');
}

/**
 * Where imported lists (full numbers) are archived. On the embedded database the archive sits
 * beside the data, in `<dataDir>/archive`. On PostgreSQL there is no data folder to sit beside,
 * and a default relative to the current folder would scatter copies of client lists wherever a
 * command happened to run: the folder must be configured.
 */
export function archiveRoot(config: Pick<Config, 'archiveDir' | 'databaseUrl' | 'dataDir'>): string {
  if (config.archiveDir) return resolve(config.archiveDir);
  if (config.databaseUrl) {
    throw new UserError(
      'on PostgreSQL the archive folder for received lists must be configured: set DIALER_ARCHIVE_DIR (or "archiveDir" in the config file) to a private folder',
      'archive_dir_unset',
    );
  }
  return resolve(config.dataDir, 'archive');
}

/**
 * Where call recordings are stored: configured, else `<dataDir>/recordings` on the embedded
 * database; on PostgreSQL it must be configured (the same reasoning as the list archive).
 */
export function recordingsRoot(config: Pick<Config, 'recordingsDir' | 'databaseUrl' | 'dataDir'>): string {
  if (config.recordingsDir) return resolve(config.recordingsDir);
  if (config.databaseUrl) {
    throw new UserError(
      'on PostgreSQL the recordings folder must be configured: set DIALER_RECORDINGS_DIR (or "recordingsDir" in the config file) to a private folder',
      'recordings_dir_unset',
    );
  }
  return resolve(config.dataDir, 'recordings');
}

/** The token file: configured, else `$XDG_CONFIG_HOME/dialer/token` (~/.config/dialer/token). */
export function tokenFilePath(
  config: Pick<Config, 'tokenFile'>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (config.tokenFile) return resolve(config.tokenFile);
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'dialer', 'token');
}
