import { CommanderError } from 'commander';
import { isDialerError } from '../../engine/platform/errors.ts';

/**
 * Turns whatever a command threw into one line on stderr and the exit code: 2 for usage,
 * the typed error's own code (1) for a refusal or failure, 1 for a bug. A stack trace is
 * shown only with --debug.
 */
export function reportCliError(error: unknown, debug: boolean, writeErr: (text: string) => void): number {
  if (error instanceof CommanderError) {
    const quiet = [
      'commander.helpDisplayed',
      'commander.version',
      'commander.help',
      'commander.executeSubCommandAsync',
    ];
    if (quiet.includes(error.code) || error.exitCode === 0) return 0;
    writeErr(`dialer: ${error.message.replace(/^error: /, '')} (see dialer --help)\n`);
    return 2;
  }
  if (isDialerError(error)) {
    writeErr(`dialer: ${error.message}\n`);
    if (debug && error.stack) writeErr(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeErr(`dialer: unexpected error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && error instanceof Error && error.stack) writeErr(`${error.stack}\n`);
  return 1;
}
