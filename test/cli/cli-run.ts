import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DatabaseHandle } from '../../db/connect.ts';
import { createCliContext } from '../../scripts/cli/context.ts';
import { buildProgram } from '../../scripts/cli/program.ts';
import { reportCliError } from '../../scripts/cli/report-error.ts';

const BIN = join(import.meta.dirname, '../../bin/dialer.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `dialer` binary in a child process, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', ...env },
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
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', ...env },
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
export async function runCliInProcess(args: string[], database: DatabaseHandle): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = buildProgram((options) =>
    createCliContext(options, {
      database,
      write: (text) => {
        stdout += text;
      },
    }),
  );
  let code = 0;
  try {
    await program.parseAsync(['node', 'dialer', ...args]);
  } catch (error) {
    code = reportCliError(error, false, (text) => {
      stderr += text;
    });
  }
  return { code, stdout, stderr };
}
