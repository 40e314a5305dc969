import type { Command } from 'commander';
import type { Permission } from '../../engine/access/permissions.ts';
import type { CliContext } from './context.ts';
import type { ContextFactory } from './program.ts';

/**
 * What a command needs before its body runs: a permission from engine/access/permissions.ts
 * (checked against the authenticated user's role), `authenticated` (any valid token; the body
 * decides more, e.g. which agent), or `anyone` (no identity: help, simulate, the demo, db status).
 */
export type CommandAccess = Permission | 'authenticated' | 'anyone';

/**
 * Wraps a command action: builds the context, establishes who acts and whether they may, runs
 * the body, always closes the database. Errors propagate to the entry point, which turns them
 * into one line and an exit code; a refusal happens before the body, so nothing was changed.
 */
export function action<A extends unknown[]>(
  contextFor: ContextFactory,
  access: CommandAccess,
  body: (ctx: CliContext, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = contextFor(command);
    try {
      if (access === 'authenticated') await ctx.authenticate();
      else if (access !== 'anyone') await ctx.authorize(access, `dialer ${commandPath(command)}`);
      await body(ctx, ...(args.slice(0, -1) as A));
    } finally {
      await ctx.close();
    }
  };
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
