import { CommanderError } from 'commander';
import { isDialerError } from '../engine/platform/errors.ts';
import { createCliContext } from './cli/context.ts';
import { buildProgram } from './cli/program.ts';

/**
 * The `dialer` entry point. A user mistake prints one line on stderr and exits 2 (usage) or
 * 1 (refused or failed); a stack trace appears only with --debug.
 */
const argv = process.argv;
const debug = argv.includes('--debug');
const program = buildProgram(createCliContext);

try {
  await program.parseAsync(argv);
} catch (error) {
  process.exitCode = report(error);
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.exitCode === 0
    ) {
      return 0;
    }
    if (error.code === 'commander.executeSubCommandAsync' || error.code === 'commander.help') return 0;
    process.stderr.write(`dialer: ${error.message.replace(/^error: /, '')} (see dialer --help)\n`);
    return 2;
  }
  if (isDialerError(error)) {
    process.stderr.write(`dialer: ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `dialer: unexpected error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`,
  );
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}
