import type { Command } from 'commander';
import { parseColumnMap } from '../../../campaigns/import/column-map.ts';
import { DELIMITER_CHOICES, type DelimiterChoice } from '../../../campaigns/import/csv-delimiter.ts';
import { importList } from '../../../campaigns/import/import-list.ts';
import { ENCODING_CHOICES, type EncodingChoice } from '../../../campaigns/import/list-decoder.ts';
import { listBatches } from '../../../db/queries/batches.ts';
import { getCampaign } from '../../../db/queries/campaigns.ts';
import { systemClock } from '../../../engine/platform/clock.ts';
import { archiveRoot } from '../../../engine/platform/config.ts';
import { UsageError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { batchRejects, heldContacts } from '../../../engine/services/list-views.ts';
import { parseId } from '../parse-id.ts';
import { limitedText } from '../parse-text.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

interface ImportFlags {
  campaign: string;
  file: string;
  source?: string;
  receivedBy?: string;
  map?: string;
  encoding: string;
  delimiter: string;
  region?: string;
  dryRun?: boolean;
  force?: boolean;
}

function parseEncoding(value: string): EncodingChoice {
  if (!(ENCODING_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`--encoding must be one of ${ENCODING_CHOICES.join(', ')}; got "${value}"`);
  }
  return value as EncodingChoice;
}

function parseDelimiter(value: string): DelimiterChoice {
  if (!(DELIMITER_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`--delimiter must be one of ${DELIMITER_CHOICES.join(', ')}; got "${value}"`);
  }
  return value as DelimiterChoice;
}

export function registerListCommands(program: Command, contextFor: ContextFactory): void {
  const list = program.command('list').description('number lists: import, held contacts, batches, rejects');

  list
    .command('import')
    .description('import a CSV list into a campaign (screened, archived, all or nothing)')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--file <path>', 'the CSV file as received from the client')
    .option('--source <reference>', "the client's reference for this list (e-mail, ticket, letter)")
    .option('--received-by <name>', 'who received the list from the client')
    .option(
      '--map <roles>',
      'columns by role: phone=<col>,name=<col>,tz=<col>,consent=<col>,account=<col> (name or 1-based number)',
    )
    .option('--encoding <encoding>', `file encoding: ${ENCODING_CHOICES.join('|')}`, 'auto')
    .option(
      '--delimiter <delimiter>',
      `cell separator: ${DELIMITER_CHOICES.join('|')} (auto reads it from the header line)`,
      'auto',
    )
    .option('--region <CC>', "numbering region for numbers without a country code (default: the campaign's)")
    .option('--dry-run', 'count what would happen; write nothing (no batch, no archive copy)')
    .option('--force', 'import a file already imported into this campaign (no contact is duplicated)')
    .action(
      action(contextFor, 'list.import', async (ctx, flags: ImportFlags) => {
        const campaignId = parseId(flags.campaign, 'campaign id');
        limitedText(flags.source, '--source', FIELD_LIMITS.reference);
        limitedText(flags.receivedBy, '--received-by', FIELD_LIMITS.name);
        const encoding = parseEncoding(flags.encoding);
        const delimiter = parseDelimiter(flags.delimiter);
        const map = parseColumnMap(flags.map);
        if (flags.region !== undefined && !/^[A-Za-z]{2}$/.test(flags.region)) {
          throw new UsageError(
            `--region must be a two-letter country code such as CN or US; got "${flags.region}"`,
          );
        }
        const handle = await ctx.database();
        const interrupt = new AbortController();
        const onSignal = () => interrupt.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const result = await importList(
            {
              campaignId,
              file: flags.file,
              sourceRef: flags.source,
              receivedBy: flags.receivedBy,
              map,
              encoding,
              delimiter,
              region: flags.region,
              dryRun: flags.dryRun,
              force: flags.force,
              archiveRoot: archiveRoot(ctx.config),
              retentionDays: ctx.config.retentionDays,
              limits: ctx.config.limits,
              signal: interrupt.signal,
            },
            { handle, clock: systemClock, logger: ctx.logger, actor: ctx.actor },
          );
          ctx.out.result(result, () => {
            const rejectedTotal = Object.values(result.rejected).reduce((a, b) => a + b, 0);
            const reasons = Object.entries(result.rejected)
              .filter(([, n]) => n > 0)
              .map(([reason, n]) => `${reason} ${n}`)
              .join(', ');
            const head = flags.dryRun ? 'dry run, nothing written' : `batch ${result.batchId}`;
            ctx.out.line(
              `${head}: ${result.rows} rows = ${result.imported} imported + ${result.held} held for approval + ${rejectedTotal} rejected${reasons ? ` (${reasons})` : ''}`,
            );
            if (result.rejectReport) ctx.out.line(`reject report: ${result.rejectReport}`);
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );

  list
    .command('held')
    .description('contacts held until a re-marketing approval covers them (numbers masked)')
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--limit <n>', 'show at most this many', '1000')
    .action(
      action(contextFor, 'list.read', async (ctx, flags: { campaign: string; limit: string }) => {
        const { db } = await ctx.database();
        const view = await heldContacts(
          db,
          parseId(flags.campaign, 'campaign id'),
          parseId(flags.limit, '--limit'),
        );
        ctx.out.result(view, () => {
          ctx.out.table(view.contacts, ['contactId', 'batchId', 'line', 'phone', 'timeZone']);
          ctx.out.line(`${view.total} held in campaign ${view.campaignId}`);
        });
      }),
    );

  list
    .command('batches')
    .description('received lists with their custody record and accounting')
    .option('--campaign <id>', 'only this campaign')
    .action(
      action(contextFor, 'list.read', async (ctx, flags: { campaign?: string }) => {
        const campaignId = flags.campaign === undefined ? undefined : parseId(flags.campaign, 'campaign id');
        const { db } = await ctx.database();
        if (campaignId !== undefined) await getCampaign(db, campaignId);
        const rows = await listBatches(db, campaignId);
        ctx.out.result(rows, () =>
          ctx.out.table(
            rows.map((b) => ({
              ...b,
              received_at: b.received_at,
              sha256: b.file_sha256.slice(0, 12),
              retain_until: b.retain_until,
            })),
            [
              'id',
              'campaign_id',
              'file_name',
              'received_at',
              'received_by',
              'source_ref',
              'rows_total',
              'rows_imported',
              'rows_held',
              'rows_rejected',
              'sha256',
              'retain_until',
            ],
          ),
        );
      }),
    );

  list
    .command('rejects')
    .description("a batch's rejected rows: line, reason, detail (numbers masked)")
    .requiredOption('--batch <id>', 'batch id')
    .option('--limit <n>', 'show at most this many', '1000')
    .option('--after <line>', 'the next page: rows after this line (the last line shown)')
    .action(
      action(
        contextFor,
        'list.read',
        async (ctx, flags: { batch: string; limit: string; after?: string }) => {
          const { db } = await ctx.database();
          const shown = await batchRejects(db, parseId(flags.batch, 'batch id'), {
            limit: parseId(flags.limit, '--limit'),
            ...(flags.after === undefined ? {} : { after: parseId(flags.after, '--after') }),
          });
          ctx.out.result(shown, () => ctx.out.table(shown, ['line', 'reason', 'phone', 'detail']));
        },
      ),
    );
}
