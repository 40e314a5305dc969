import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import type { ContextFactory } from './program.ts';

/**
 * Wraps a command action: builds the context, runs the body, always closes the database.
 * Errors propagate to the entry point, which turns them into one line and an exit code.
 */
export function action<A extends unknown[]>(
  contextFor: ContextFactory,
  body: (ctx: CliContext, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = contextFor(command);
    try {
      await body(ctx, ...(args.slice(0, -1) as A));
    } finally {
      await ctx.close();
    }
  };
}
