import { createCliContext } from './cli/context.ts';
import { buildProgram } from './cli/program.ts';
import { reportCliError } from './cli/report-error.ts';

/** The `dialer` entry point: run the command tree, turn any error into one line and an exit code. */
const program = buildProgram((options) => createCliContext(options));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportCliError(error, process.argv.includes('--debug'), (t) => process.stderr.write(t));
}
