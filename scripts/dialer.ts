import { createCliContext } from './cli/context.ts';
import { buildProgram } from './cli/program.ts';
import { reportCliError } from './cli/report-error.ts';

/** The `dialer` entry point: run the command tree, turn any error into one line and an exit code. */
const program = buildProgram((options) => createCliContext(options));

// `dialer … | head` closes the pipe before the output ends: the reader has what it wanted, so
// stop quietly instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`dialer: cannot write the output: ${error.message}\n`);
  process.exit(1);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportCliError(error, process.argv.includes('--debug'), (t) => process.stderr.write(t));
}
