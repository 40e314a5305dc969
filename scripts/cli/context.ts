import { type DatabaseHandle, openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Actor } from '../../db/queries/users.ts';
import { authenticateToken } from '../../engine/access/authenticate.ts';
import { AuthenticationError, ForbiddenError } from '../../engine/access/errors.ts';
import { decide, type Permission, type Principal } from '../../engine/access/permissions.ts';
import { readTokenFile } from '../../engine/access/token-file.ts';
import { registerPresets } from '../../engine/compliance/presets/index.ts';
import { type Config, loadConfig, tokenFilePath } from '../../engine/platform/config.ts';
import { createLogger, type Logger } from '../../engine/platform/logger.ts';
import { createOutput, type Output } from './output.ts';
import { warnOpenFolders } from './private-folders.ts';
import { readSecretFromStdin } from './read-secret.ts';

/** Options every command accepts (commander's global options). */
export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  dataDir?: string;
  config?: string;
  /** Gone: kept only to refuse it clearly (an identity is proven with a token, not named). */
  as?: string;
}

/**
 * What a command needs, built once per invocation. The database opens lazily so that
 * commands which need none (help, simulate) never touch it; who is acting is established
 * from an API token (DIALER_TOKEN or the token file) when the command needs an identity.
 */
export interface CliContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly out: Output;
  /** The environment the command reads DIALER_TOKEN from (process.env unless embedded). */
  readonly env: NodeJS.ProcessEnv;
  /** The token file path (configured or the per-user default). */
  readonly tokenFile: string;
  /** The authenticated user; reading it before `authenticate` is a bug. */
  readonly principal: Principal;
  /** The authenticated user's name, for audit entries. */
  readonly actor: string;
  /** Name and role, as user/token changes record the actor. */
  readonly auditActor: Actor;
  /** `actor` and `role` of an audit entry (recordAudit) made by this command. */
  readonly audit: { actor: string; role: Actor['role'] };
  /** Establishes who is acting from the API token; refuses when none is valid. */
  authenticate(): Promise<Principal>;
  /** Authenticates, then refuses unless the user's role holds the permission. */
  authorize(permission: Permission, what?: string): Promise<Principal>;
  /** Reads a secret (a password) from standard input, never from the command line. */
  readSecret(prompt: string): Promise<string>;
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
  /** The environment instead of process.env (DIALER_TOKEN, DIALER_USER). */
  env?: NodeJS.ProcessEnv;
  /** Secrets instead of standard input. */
  readSecret?: (prompt: string) => Promise<string>;
  /** The moment tokens are checked against (their expiry); default now. */
  now?: () => Date;
}

export function createCliContext(options: GlobalOptions, overrides: CliContextOverrides = {}): CliContext {
  const env = overrides.env ?? process.env;
  const config = loadConfig({
    env,
    ...(options.config ? { file: options.config } : {}),
    overrides: options.dataDir ? { dataDir: options.dataDir } : {},
  });
  // The deployment's own jurisdiction presets, before any campaign names one.
  registerPresets(config.compliancePresets);
  const logger = createLogger({ level: options.debug ? 'debug' : config.logLevel });
  const tokenFile = tokenFilePath(config, env);
  const now = overrides.now ?? (() => new Date());
  let handle: Promise<DatabaseHandle> | undefined;
  let principal: Principal | undefined;

  const ctx: CliContext = {
    config,
    logger,
    out: createOutput(Boolean(options.json), overrides.write),
    env,
    tokenFile,
    get principal(): Principal {
      if (!principal) throw new Error('bug: the command used its actor before authenticating');
      return principal;
    },
    get actor() {
      return ctx.principal.name;
    },
    get auditActor() {
      return { name: ctx.principal.name, role: ctx.principal.role };
    },
    get audit() {
      return { actor: ctx.principal.name, role: ctx.principal.role };
    },
    async authenticate() {
      if (principal) return principal;
      if (options.as !== undefined) {
        throw new AuthenticationError(
          '--as no longer chooses who acts: commands act as the holder of the API token (DIALER_TOKEN or the token file)',
          'identity_claimed',
        );
      }
      if (env.DIALER_USER) {
        throw new AuthenticationError(
          'DIALER_USER no longer chooses who acts: unset it; commands act as the holder of the API token (DIALER_TOKEN or the token file)',
          'identity_claimed',
        );
      }
      const token = env.DIALER_TOKEN?.trim() || readTokenFile(tokenFile);
      if (!token) {
        throw new AuthenticationError(
          `no identity: set DIALER_TOKEN, or keep a token in ${tokenFile} (dialer token create --save); on a new database, dialer user bootstrap <name>`,
          'unauthenticated',
        );
      }
      const { db } = await ctx.database();
      principal = await authenticateToken(db, token, now());
      return principal;
    },
    async authorize(permission, what) {
      const who = await ctx.authenticate();
      const decision = decide(who, permission);
      if (!decision.allowed) throw new ForbiddenError(who, permission, decision.needs, what);
      return who;
    },
    readSecret: overrides.readSecret ?? readSecretFromStdin,
    database({ migrate = true } = {}) {
      if (overrides.database) return Promise.resolve(overrides.database);
      handle ??= (async () => {
        warnOpenFolders(config, logger);
        const opened = await openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          maxConnections: config.databasePoolSize,
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
  return ctx;
}
