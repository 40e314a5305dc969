import type { Command } from 'commander';
import { insertToken, listTokens, revokeToken } from '../../../db/queries/api-tokens.ts';
import type { FirstToken } from '../../../db/queries/users.ts';
import { decide } from '../../../engine/access/permissions.ts';
import { writeTokenFile } from '../../../engine/access/token-file.ts';
import {
  DEFAULT_TOKEN_DAYS,
  generateToken,
  hashToken,
  parseLifetime,
} from '../../../engine/access/tokens.ts';
import type { CliContext } from '../context.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

/** A new token's secret (shown once) and what is stored of it. */
export function newToken(expires: string | undefined, name: string | undefined, now = new Date()) {
  const secret = generateToken();
  const lifetime = expires ? parseLifetime(expires) : DEFAULT_TOKEN_DAYS * 86_400_000;
  const stored: FirstToken = {
    tokenHash: hashToken(secret),
    expiresAt: new Date(now.getTime() + lifetime),
    name: name ?? '',
  };
  return { secret, stored };
}

/** Prints a token once, or saves it to the token file (0600) and says where. */
export function showToken(
  ctx: CliContext,
  user: string,
  token: { id: number; expires_at: Date },
  secret: string,
  save: boolean | undefined,
) {
  if (save) writeTokenFile(ctx.tokenFile, secret);
  const shown = {
    user,
    tokenId: token.id,
    expiresAt: token.expires_at.toISOString(),
    ...(save ? { savedTo: ctx.tokenFile } : { token: secret }),
  };
  ctx.out.result(shown, () => {
    if (save)
      ctx.out.line(`token ${token.id} for ${user} saved to ${ctx.tokenFile} (expires ${shown.expiresAt})`);
    else {
      ctx.out.line(`token ${token.id} for ${user} (expires ${shown.expiresAt}); shown once, keep it secret:`);
      ctx.out.line(secret);
    }
  });
}

export function registerTokenCommands(program: Command, contextFor: ContextFactory): void {
  const token = program
    .command('token')
    .description('personal API tokens: how the CLI and scripts prove who is acting');

  token
    .command('create')
    .description('create a token for yourself: shown once (or saved to the token file with --save)')
    .option('--expires <lifetime>', `lifetime, e.g. 30d, 12h (default ${DEFAULT_TOKEN_DAYS}d)`)
    .option('--name <name>', 'what the token is for, e.g. laptop, nightly-export')
    .option('--save', 'write it to the token file (0600) instead of printing it')
    .action(
      action(
        contextFor,
        'self.credentials',
        async (ctx, opts: { expires?: string; name?: string; save?: boolean }) => {
          const { secret, stored } = newToken(opts.expires, opts.name);
          const { db } = await ctx.database();
          const row = await insertToken(db, {
            userId: ctx.principal.userId,
            userName: ctx.actor,
            ...stored,
            actor: ctx.auditActor,
          });
          showToken(ctx, ctx.actor, row, secret, opts.save);
        },
      ),
    );

  token
    .command('list')
    .description('your tokens (never their secrets); --all: everyone’s (admin)')
    .option('--all', 'every user’s tokens (admin)')
    .action(
      action(contextFor, 'self.credentials', async (ctx, opts: { all?: boolean }) => {
        if (opts.all) await ctx.authorize('user.manage', 'listing other users’ tokens');
        const { db } = await ctx.database();
        const rows = await listTokens(db, opts.all ? {} : { userId: ctx.principal.userId });
        ctx.out.result(rows, () =>
          ctx.out.table(rows, [
            'id',
            'name',
            'user',
            'created_at',
            'expires_at',
            'revoked_at',
            'last_used_at',
          ]),
        );
      }),
    );

  token
    .command('revoke')
    .description('revoke a token at once (yours; an admin any)')
    .argument('<id>', 'token id (token list)')
    .action(
      action(contextFor, 'self.credentials', async (ctx, id: string) => {
        const tokenId = parseId(id, 'token id');
        const { db } = await ctx.database();
        const anyone = decide(ctx.principal, 'user.manage').allowed;
        const result = await revokeToken(db, {
          tokenId,
          ...(anyone ? {} : { ownerId: ctx.principal.userId }),
          actor: ctx.auditActor,
          at: new Date(),
        });
        ctx.out.result(result, () =>
          ctx.out.line(
            result.changed
              ? `token ${result.id} of ${result.user} revoked`
              : `token ${result.id} of ${result.user} was already revoked`,
          ),
        );
      }),
    );
}
