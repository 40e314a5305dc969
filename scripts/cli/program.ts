import { Command, Help, Option } from 'commander';
import { registerAgentCommands } from './commands/agent.ts';
import { registerAlarmCommands } from './commands/alarm.ts';
import { registerApprovalCommands } from './commands/approval.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerCampaignCommands } from './commands/campaign.ts';
import { registerClientCommands } from './commands/client.ts';
import { registerComplianceCommands } from './commands/compliance.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerDemoCommands } from './commands/demo.ts';
import { registerDncCommands } from './commands/dnc.ts';
import { registerDoctorCommands } from './commands/doctor.ts';
import { registerExampleCommands } from './commands/examples.ts';
import { registerListCommands } from './commands/list.ts';
import { registerLogCommands } from './commands/log.ts';
import { registerOutcomeCommands } from './commands/outcome.ts';
import { registerRecordingCommands } from './commands/recording.ts';
import { registerReportCommands } from './commands/report.ts';
import { registerRetentionCommands } from './commands/retention.ts';
import { registerRunCommands } from './commands/run.ts';
import { registerServeCommands } from './commands/serve.ts';
import { registerSimAsteriskCommands } from './commands/sim-asterisk.ts';
import { registerSimulateCommands } from './commands/simulate.ts';
import { registerTokenCommands } from './commands/token.ts';
import { registerUserCommands } from './commands/user.ts';
import type { CliContext, GlobalOptions } from './context.ts';

/** Builds a command's context from the global options; each action calls it once. */
export type ContextFactory = (command: Command) => CliContext;

/**
 * The `dialer` command tree. Each feature registers its own subcommands from
 * scripts/cli/commands/<feature>.ts; this file only lists them.
 */
export function buildProgram(makeContext: (options: GlobalOptions) => CliContext): Command {
  const program = new Command('dialer')
    .description('Outbound campaign dialer engine for Asterisk')
    .option('--json', 'print one machine-readable JSON document on stdout')
    .option('--debug', 'show stack traces and debug logs')
    .option('--data-dir <path>', 'folder of the embedded database (default ./.dialer, or DIALER_DATA_DIR)')
    .option('--config <file>', 'JSON configuration file (default ./dialer.config.json if present)')
    // Removed: who acts is proven by an API token. Still parsed so that using it is refused
    // clearly instead of silently acting as someone else.
    .addOption(new Option('--as <user>').hideHelp())
    // Every subcommand inherits this: an option the command cannot run without says so in --help.
    .configureHelp({
      optionDescription(option) {
        const text = Help.prototype.optionDescription.call(this, option);
        return option.mandatory ? `(required) ${text}` : text;
      },
    })
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });

  const contextFor: ContextFactory = (command) => makeContext(command.optsWithGlobals<GlobalOptions>());

  registerDbCommands(program, contextFor);
  registerClientCommands(program, contextFor);
  registerCampaignCommands(program, contextFor);
  registerExampleCommands(program, contextFor);
  registerSimAsteriskCommands(program, contextFor);
  registerSimulateCommands(program, contextFor);
  registerListCommands(program, contextFor);
  registerDncCommands(program, contextFor);
  registerApprovalCommands(program, contextFor);
  registerComplianceCommands(program, contextFor);
  registerRetentionCommands(program, contextFor);
  registerLogCommands(program, contextFor);
  registerReportCommands(program, contextFor);
  registerAuditCommands(program, contextFor);
  registerUserCommands(program, contextFor);
  registerTokenCommands(program, contextFor);
  registerDemoCommands(program, contextFor);
  registerAgentCommands(program, contextFor);
  registerOutcomeCommands(program, contextFor);
  registerRunCommands(program, contextFor);
  registerServeCommands(program, contextFor);
  registerDoctorCommands(program, contextFor);
  registerAlarmCommands(program, contextFor);
  registerRecordingCommands(program, contextFor);
  return program;
}
