import { userInfo } from 'node:os';
import { type DatabaseHandle, openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { type Config, loadConfig } from '../../engine/platform/config.ts';
import { FIELD_LIMITS } from '../../engine/platform/field-limits.ts';
import { createLogger, type Logger } from '../../engine/platform/logger.ts';
import { createOutput, type Output } from './output.ts';
import { limitedText } from './parse-text.ts';

/** Options every command accepts (commander's global options). */
export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  dataDir?: string;
  config?: string;
  as?: string;
}

/**
 * What a command needs, built once per invocation. The database opens lazily so that
 * commands which need none (help, simulate) never touch it.
 */
export interface CliContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly out: Output;
  /** The person running the command, for the audit log (--as, DIALER_USER, or the OS user). */
  readonly actor: string;
  /** Opens the configured database; applies pending migrations unless `migrate: false`. */
  database(options?: { migrate?: boolean }): Promise<DatabaseHandle>;
  close(): Promise<void>;
}

/** What an embedding (tests, the demo) may hand in instead of what the process would open. */
export interface CliContextOverrides {
  /** An already open, migrated database; the context uses it and leaves it open. */
  database?: DatabaseHandle;
  /** Where command output goes instead of stdout. */
  write?: (text: string) => void;
}

export function createCliContext(options: GlobalOptions, overrides: CliContextOverrides = {}): CliContext {
  const config = loadConfig({
    ...(options.config ? { file: options.config } : {}),
    overrides: options.dataDir ? { dataDir: options.dataDir } : {},
  });
  const logger = createLogger({ level: options.debug ? 'debug' : config.logLevel });
  let handle: Promise<DatabaseHandle> | undefined;
  return {
    config,
    logger,
    out: createOutput(Boolean(options.json), overrides.write),
    // Written into every audit entry: a user name's length (field-limits.ts).
    actor: limitedText(
      options.as ?? process.env.DIALER_USER ?? safeUserName(),
      'the acting user (--as, DIALER_USER)',
      FIELD_LIMITS.code,
    ),
    database({ migrate = true } = {}) {
      if (overrides.database) return Promise.resolve(overrides.database);
      handle ??= (async () => {
        const opened = await openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          logger,
        });
        if (migrate) await migrateToLatest(opened.db);
        return opened;
      })();
      return handle;
    },
    async close() {
      if (handle) await (await handle).close();
      logger.flush();
    },
  };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
