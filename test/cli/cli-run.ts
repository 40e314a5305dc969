import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseHandle } from '../../db/connect.ts';
import { createCliContext } from '../../scripts/cli/context.ts';
import { buildProgram } from '../../scripts/cli/program.ts';
import { reportCliError } from '../../scripts/cli/report-error.ts';

const BIN = join(import.meta.dirname, '../../bin/dialer.js');

/**
 * No identity leaks in from the developer's own environment or ~/.config: a test that wants one
 * passes DIALER_TOKEN (test/support/identity.ts).
 */
const NO_IDENTITY = {
  DIALER_TOKEN: '',
  DIALER_USER: '',
  DIALER_TOKEN_FILE: join(tmpdir(), 'dialer-test-no-token-file'),
} as const;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** In-process runs: the code of the typed error the command ended with, if any. */
  error?: string;
}

export interface InProcessOptions {
  /** Act as the holder of this API token (DIALER_TOKEN). */
  token?: string;
  /** More environment (DIALER_USER, DIALER_TOKEN_FILE…), over process.env without its identity. */
  env?: NodeJS.ProcessEnv;
  /** What `readSecret` returns (a password typed at the prompt). */
  secret?: string;
  /** The moment tokens are checked against. */
  now?: () => Date;
}

/** Runs the real `dialer` binary in a child process, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', ...NO_IDENTITY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the real binary with its standard output closed by the reader before the first byte, as
 * `dialer … | head -0` would: what the command does when nobody reads what it writes.
 */
export function runCliClosingStdout(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', ...NO_IDENTITY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The binary takes a moment to start: the pipe is closed before it writes anything.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: '', stderr }));
  });
}

/**
 * Runs a `dialer` command inside the test process against an open test database: the same
 * command tree, option parsing, output and error reporting as the binary, without paying a
 * process start and a database open per command.
 */
export async function runCliInProcess(
  args: string[],
  database: DatabaseHandle,
  options: InProcessOptions = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...NO_IDENTITY,
    ...(options.token ? { DIALER_TOKEN: options.token } : {}),
    ...options.env,
  };
  const program = buildProgram((globals) =>
    createCliContext(globals, {
      database,
      env,
      write: (text) => {
        stdout += text;
      },
      readSecret: async () => {
        if (options.secret === undefined) throw new Error('test: no secret given to read');
        return options.secret;
      },
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  let code = 0;
  let errorCode: string | undefined;
  try {
    await program.parseAsync(['node', 'dialer', ...args]);
  } catch (error) {
    errorCode = (error as { code?: string }).code;
    code = reportCliError(error, false, (text) => {
      stderr += text;
    });
  }
  return { code, stdout, stderr, ...(errorCode ? { error: errorCode } : {}) };
}
