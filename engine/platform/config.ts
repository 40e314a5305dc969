import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from './errors.ts';
import { parseOrThrow } from './zod-error.ts';

/**
 * One schema over the process configuration. Sources, later ones winning: defaults, the
 * optional JSON config file (DIALER_CONFIG or ./dialer.config.json), environment variables,
 * then command-line flags. Parsed once at start.
 */
export const configSchema = z.object({
  databaseUrl: z.string().url().optional().describe('postgres:// URL; unset means embedded PGlite'),
  dataDir: z.string().min(1).default('.dialer'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  engineId: z.string().min(1).optional(),
  ari: z
    .object({
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
  tokenFile: z
    .string()
    .min(1)
    .optional()
    .describe('the API token file the CLI reads when DIALER_TOKEN is unset; default ~/.config/dialer/token'),
  retentionDays: z.coerce.number().int().min(365).default(400),
});

export type Config = z.infer<typeof configSchema>;
type ConfigInput = z.input<typeof configSchema>;

const envMap: Record<string, (input: ConfigInput, value: string) => void> = {
  DATABASE_URL: (c, v) => {
    c.databaseUrl = v;
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
  DIALER_TOKEN_FILE: (c, v) => {
    c.tokenFile = v;
  },
  DIALER_RETENTION_DAYS: (c, v) => {
    c.retentionDays = Number(v);
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
};

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

/** The token file: configured, else `$XDG_CONFIG_HOME/dialer/token` (~/.config/dialer/token). */
export function tokenFilePath(
  config: Pick<Config, 'tokenFile'>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (config.tokenFile) return resolve(config.tokenFile);
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'dialer', 'token');
}
