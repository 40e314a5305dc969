import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { addDnc, dncSummary, removeDnc } from '../../../db/queries/dnc.ts';
import { importNationalDnc } from '../../../db/queries/national-dnc-import.ts';
import type { Database } from '../../../db/schema.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { maskPhone } from '../../../engine/platform/mask-phone.ts';
import { dncRecord, dncStanding } from '../../../engine/services/dnc-lookup.ts';
import { listDncEntries } from '../../../engine/services/number-access.ts';
import type { CliContext } from '../context.ts';
import { parseLimit } from '../parse-id.ts';
import { limitedText } from '../parse-text.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';
import { parseInstant, parsePhone, parseScope, phoneNormalizer } from './compliance-args.ts';

const scopeHelp = 'internal | client:<code> (the client blacklist) | campaign:<id>';

export function registerDncCommands(program: Command, contextFor: ContextFactory): void {
  const dnc = program.command('dnc').description('do-not-call lists: internal, national, client, campaign');

  dnc
    .command('add')
    .description('put a number on a do-not-call list (blocks it at once)')
    .argument('<phone>', 'the number')
    .requiredOption('--scope <scope>', scopeHelp)
    .option('--reason <text>', 'why')
    .option('--source <text>', 'where the request came from (letter, call, email…)')
    .option('--expires <date>', 'end of the entry (ISO date); none by default')
    .option('--region <CC>', 'region for numbers without a country code', 'US')
    .action(
      action(
        contextFor,
        'dnc.add',
        async (
          ctx,
          phone: string,
          opts: { scope: string; reason?: string; source?: string; expires?: string; region: string },
        ) => {
          limitedText(opts.reason, '--reason', FIELD_LIMITS.text);
          limitedText(opts.source, '--source', FIELD_LIMITS.reference);
          const e164 = parsePhone(phone, opts.region);
          const expiresAt = opts.expires ? parseInstant(opts.expires, '--expires', { endOfDay: true }) : null;
          const { db } = await ctx.database();
          const ref = await parseScope(db, opts.scope);
          const result = await addDnc(db, {
            phoneE164: e164,
            ref,
            reason: opts.reason ?? null,
            source: opts.source ?? null,
            expiresAt,
            actor: ctx.actor,
          });
          ctx.out.result({ phone: maskPhone(e164), scope: ref.scopeKey, ...result }, () =>
            ctx.out.line(
              `${maskPhone(e164)} ${result.created ? 'added to' : 'refreshed on'} ${ref.scopeKey}; ${result.contactsBlocked} waiting contact(s) blocked`,
            ),
          );
        },
      ),
    );

  dnc
    .command('remove')
    .description('take a number off a do-not-call list')
    .argument('<phone>', 'the number')
    .requiredOption('--scope <scope>', scopeHelp)
    .requiredOption('--reason <text>', 'why (kept with the removal record)')
    .option('--region <CC>', 'region for numbers without a country code', 'US')
    .action(
      action(
        contextFor,
        'dnc.remove',
        async (ctx, phone: string, opts: { scope: string; reason: string; region: string }) => {
          const e164 = parsePhone(phone, opts.region);
          const { db } = await ctx.database();
          const ref = await parseScope(db, opts.scope);
          const result = await removeDnc(db, {
            phoneE164: e164,
            ref,
            reason: opts.reason,
            actor: ctx.actor,
          });
          ctx.out.result({ phone: maskPhone(e164), scope: ref.scopeKey, ...result }, () =>
            ctx.out.line(
              `${maskPhone(e164)} removed from ${ref.scopeKey}; ${result.contactsReleased} contact(s) released`,
            ),
          );
        },
      ),
    );

  /** A read-only command on one number: the number parsed with its region, then `run`. */
  const numberQuery = (
    name: string,
    description: string,
    run: (ctx: CliContext, db: Kysely<Database>, e164: string) => Promise<void>,
  ) =>
    dnc
      .command(name)
      .description(description)
      .argument('<phone>', 'the number')
      .option('--region <CC>', 'region for numbers without a country code', 'US')
      .action(
        action(contextFor, 'dnc.read', async (ctx, phone: string, opts: { region: string }) => {
          const e164 = parsePhone(phone, opts.region);
          const { db } = await ctx.database();
          await run(ctx, db, e164);
        }),
      );

  numberQuery(
    'check',
    'every do-not-call list a number is on (national registry included)',
    async (ctx, db, e164) => {
      const standing = await dncStanding(db, e164);
      const hits = standing.entries;
      ctx.out.result(standing, () => {
        if (hits.length === 0) ctx.out.line(`${standing.phone} is on no do-not-call list`);
        else {
          ctx.out.line(`${standing.phone} is on ${hits.length} list(s):`);
          ctx.out.table(
            hits.map((h) => ({ ...h })),
            ['scopeKey', 'reason', 'source', 'addedBy', 'addedAt', 'expiresAt'],
          );
        }
      });
    },
  );

  numberQuery(
    'history',
    'every addition and removal of a number’s entries, with who, when and why (the record)',
    async (ctx, db, e164) => {
      const record = await dncRecord(db, e164);
      const { events } = record;
      ctx.out.result(record, () => {
        if (events.length === 0) ctx.out.line(`${record.phone} was never on a do-not-call list`);
        else
          ctx.out.table(
            events.map((e) => ({ ...e })),
            ['at', 'action', 'scopeKey', 'reason', 'source', 'actor'],
          );
      });
    },
  );

  dnc
    .command('list')
    .description('do-not-call entries (numbers masked; --unmask for a compliance officer, audited)')
    .option('--scope <scope>', scopeHelp)
    .option('--limit <n>', 'at most this many', '100')
    .option('--unmask', 'show full numbers (compliance officer; audited)')
    .action(
      action(
        contextFor,
        'dnc.read',
        async (ctx, opts: { scope?: string; limit: string; unmask?: boolean }) => {
          const user = opts.unmask
            ? await ctx.authorize('numbers.full', 'showing full numbers')
            : ctx.principal;
          const { db } = await ctx.database();
          const ref = opts.scope ? await parseScope(db, opts.scope) : undefined;
          const limit = parseLimit(opts.limit);
          // Masked by the service unless it audited the unmasking.
          const view = await listDncEntries(
            db,
            user,
            { ...(ref ? { scopeKey: ref.scopeKey } : {}), limit },
            { full: Boolean(opts.unmask), via: 'cli' },
          );
          const summary = await dncSummary(db);
          ctx.out.result({ entries: view, summary }, () => {
            ctx.out.table(view, [
              'phone_e164',
              'scope_key',
              'reason',
              'source',
              'added_by',
              'added_at',
              'expires_at',
            ]);
            ctx.out.line(
              `national registry: ${summary.national.numbers} numbers, last full load (--replace) ${summary.national.lastSync?.synced_at.toISOString() ?? 'never'}`,
            );
          });
        },
      ),
    );

  dnc
    .command('import')
    .description('load a national registry file (one number a line, or "area,number"), streaming')
    .requiredOption('--scope <scope>', 'national (the only scope loaded from files)')
    .requiredOption('--file <path>', 'the registry file')
    .option('--replace', 'replace the whole national set atomically (a full registry download)')
    .option('--region <CC>', 'region of numbers without a country code', 'US')
    .option('--source <text>', 'where the file came from (recorded with the sync)')
    .action(
      action(
        contextFor,
        'dnc.import',
        async (
          ctx,
          opts: { scope: string; file: string; replace?: boolean; region: string; source?: string },
        ) => {
          if (opts.scope !== 'national') {
            throw new UsageError(
              'dnc import loads the national registry: use --scope national (dnc add for others)',
            );
          }
          const normalize = phoneNormalizer(opts.region);
          const handle = await ctx.database();
          const result = await importNationalDnc(handle, {
            file: opts.file,
            normalize,
            replace: Boolean(opts.replace),
            actor: ctx.actor,
            ...(opts.source ? { source: opts.source } : {}),
          });
          ctx.out.result(result, () => {
            ctx.out.line(
              `${result.replaced ? 'replaced the national set with' : 'added'} ${result.added} number(s) from ${result.linesRead} line(s) in ${(result.durationMs / 1000).toFixed(1)} s; ${result.rejected} rejected, ${result.duplicates} duplicate(s); national set now ${result.totalNumbers}`,
            );
            for (const s of result.rejectedSamples) ctx.out.line(`  rejected line ${s.line}: ${s.text}`);
          });
        },
      ),
    );
}
