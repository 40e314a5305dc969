import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { MAPPED_ROLES, parseColumnMap, resolveColumns } from '../../../campaigns/import/column-map.ts';
import {
  DELIMITER_CHOICES,
  delimiterNamed,
  detectDelimiter,
} from '../../../campaigns/import/csv-delimiter.ts';
import { importList } from '../../../campaigns/import/import-list.ts';
import { ENCODING_CHOICES } from '../../../campaigns/import/list-decoder.ts';
import { listBatches } from '../../../db/queries/batches.ts';
import { getCampaign } from '../../../db/queries/campaigns.ts';
import { archiveRoot, type Config } from '../../../engine/platform/config.ts';
import { NotFoundError, UserError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { createPrivateWriteStream, ensurePrivateDir } from '../../../engine/platform/private-files.ts';
import { batchRejects, heldContacts } from '../../../engine/services/list-views.ts';
import { type Api, type ApiDeps, principalOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { idParam, limitQuery } from '../schemas.ts';

/** Uploaded lists wait here (0700, files 0600) between the upload, its preview and the import. */
export function uploadRoot(config: Pick<Config, 'archiveDir' | 'databaseUrl' | 'dataDir'>): string {
  return resolve(archiveRoot(config), '..', 'uploads');
}

const uploadIdParam = z.strictObject({ upload: z.string().regex(/^[a-f0-9]{32}$/, 'is not an upload id') });

const importOptions = z.strictObject({
  campaignId: z.number().int().min(1).max(2147483647),
  map: z.string().max(1000).optional().describe('phone=<col>,name=<col>,tz=<col>,consent=<col>'),
  encoding: z.enum(ENCODING_CHOICES).default('auto'),
  delimiter: z.enum(DELIMITER_CHOICES).default('auto'),
  region: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional(),
});

const accounting = z.strictObject({
  batchId: z.number().nullable(),
  rows: z.number(),
  imported: z.number(),
  held: z.number(),
  rejected: z.record(z.string(), z.number()),
});

/** The header line of an upload and how the columns map: what a person checks before importing. */
function previewColumns(file: string, options: z.infer<typeof importOptions>) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(64 * 1024);
  const read = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  const bytes = buffer.subarray(0, read);
  const text =
    options.encoding === 'gbk' || options.encoding === 'gb18030'
      ? iconv.decode(bytes, options.encoding)
      : bytes.toString('utf8').replace(/^\uFEFF/, '');
  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter =
    options.delimiter === 'auto' ? detectDelimiter(headerLine) : delimiterNamed(options.delimiter);
  const headers = (parseCsv(headerLine, { delimiter, relax_quotes: true }) as string[][])[0] ?? [];
  const resolved = resolveColumns(headers, parseColumnMap(options.map));
  const roleOf = (i: number | undefined) => (i === undefined ? null : (headers[i] ?? null));
  return {
    headers,
    delimiter: delimiter === '\t' ? 'tab' : delimiter === ';' ? 'semicolon' : 'comma',
    mapping: Object.fromEntries(MAPPED_ROLES.map((role) => [role, roleOf(resolved[role])])) as Record<
      string,
      string | null
    >,
    fields: [...resolved.fieldKeys],
  };
}

/**
 * Lists: upload a CSV (streamed to a private file, capped by serve.uploadBytes), preview it (the
 * column mapping and a dry run's accounting, nothing written), import it (the real list import:
 * screened, archived, all or nothing), and the batches received.
 */
export function listRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;
  const root = () => {
    const dir = uploadRoot(deps.config);
    ensurePrivateDir(dir);
    return dir;
  };
  const uploaded = (id: string) => {
    const file = join(root(), `${id}.csv`);
    if (!existsSync(file)) throw new NotFoundError('upload', id);
    return file;
  };
  const run = (
    request: { params: { upload: string } },
    principal: string,
    options: z.infer<typeof importOptions>,
    extra: { dryRun: boolean; sourceRef?: string; receivedBy?: string; force?: boolean },
  ) =>
    importList(
      {
        campaignId: options.campaignId,
        file: uploaded(request.params.upload),
        map: parseColumnMap(options.map),
        encoding: options.encoding,
        delimiter: options.delimiter,
        region: options.region,
        dryRun: extra.dryRun,
        sourceRef: extra.sourceRef,
        receivedBy: extra.receivedBy,
        force: extra.force,
        archiveRoot: archiveRoot(deps.config),
        retentionDays: deps.config.retentionDays,
        limits: deps.config.limits,
      },
      { handle: deps.handle, clock: deps.clock, logger: deps.logger, actor: principal },
    );

  api.post(
    '/api/lists/uploads',
    {
      config: { access: 'list.import' },
      schema: {
        tags: ['lists'],
        summary: 'upload a CSV list (multipart, one file); kept privately until imported',
        consumes: ['multipart/form-data'],
        response: {
          201: z.strictObject({ upload: z.string(), bytes: z.number(), fileName: z.string() }),
          ...errorResponses,
          413: errorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const part = await request.file();
      if (!part) throw new UserError('send the list as a multipart file field', 'invalid');
      const id = randomBytes(16).toString('hex');
      const file = join(root(), `${id}.csv`);
      try {
        await pipeline(part.file, createPrivateWriteStream(file));
      } catch (error) {
        // Over the limit (413) or the client went away: no partial list stays on disk.
        rmSync(file, { force: true });
        throw error;
      }
      if (part.file.truncated) {
        rmSync(file, { force: true });
        return reply.status(413).send({
          error: {
            code: 'too_large',
            message: `the list is over the upload limit of ${deps.config.serve.uploadBytes} bytes (serve.uploadBytes, DIALER_MAX_UPLOAD_BYTES)`,
          },
        });
      }
      return reply.status(201).send({
        upload: id,
        bytes: part.file.bytesRead,
        fileName: part.filename.slice(0, FIELD_LIMITS.reference),
      });
    },
  );

  api.post(
    '/api/lists/uploads/:upload/preview',
    {
      config: { access: 'list.import' },
      schema: {
        tags: ['lists'],
        summary:
          'dry run of an upload: the header, the column mapping, and the accounting (imported / held / rejected by reason); writes nothing',
        params: uploadIdParam,
        body: importOptions,
        response: {
          200: z.strictObject({
            columns: z.strictObject({
              headers: z.array(z.string()),
              delimiter: z.string(),
              mapping: z.record(z.string(), z.string().nullable()),
              fields: z.array(z.string()),
            }),
            accounting,
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await getCampaign(db, request.body.campaignId);
      const columns = previewColumns(uploaded(request.params.upload), request.body);
      const result = await run(request, principalOf(request).name, request.body, { dryRun: true });
      return {
        columns,
        accounting: {
          batchId: result.batchId,
          rows: result.rows,
          imported: result.imported,
          held: result.held,
          rejected: result.rejected,
        },
      };
    },
  );

  api.post(
    '/api/lists/uploads/:upload/import',
    {
      config: { access: 'list.import' },
      schema: {
        tags: ['lists'],
        summary:
          'import an upload into a campaign (screened, archived, all or nothing); the upload is then removed',
        params: uploadIdParam,
        body: importOptions.extend({
          source: z.string().max(FIELD_LIMITS.reference).optional(),
          receivedBy: z.string().max(FIELD_LIMITS.name).optional(),
          force: z.boolean().default(false),
        }),
        response: { 200: accounting, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const result = await run(request, principalOf(request).name, b, {
        dryRun: false,
        ...(b.source ? { sourceRef: b.source } : {}),
        ...(b.receivedBy ? { receivedBy: b.receivedBy } : {}),
        force: b.force,
      });
      rmSync(uploaded(request.params.upload), { force: true });
      return {
        batchId: result.batchId,
        rows: result.rows,
        imported: result.imported,
        held: result.held,
        rejected: result.rejected,
      };
    },
  );

  api.get(
    '/api/lists/batches',
    {
      config: { access: 'list.read' },
      schema: {
        tags: ['lists'],
        summary: 'received lists with their custody record and accounting',
        querystring: z.strictObject({ campaign: z.coerce.number().int().min(1).max(2147483647).optional() }),
        response: { 200: z.array(z.record(z.string(), z.unknown())), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await listBatches(db, request.query.campaign);
      return JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];
    },
  );

  api.get(
    '/api/lists/held',
    {
      config: { access: 'list.read' },
      schema: {
        tags: ['lists'],
        summary: 'contacts held until a re-marketing approval covers them (numbers masked)',
        querystring: z.strictObject({
          campaign: z.coerce.number().int().min(1).max(2147483647),
          limit: limitQuery.default(1000),
        }),
        response: {
          200: z.strictObject({
            campaignId: z.number(),
            total: z.number().describe('every held contact of the campaign, not only those shown'),
            contacts: z.array(
              z.strictObject({
                contactId: z.number(),
                batchId: z.number().nullable(),
                line: z.number().nullable(),
                phone: z.string().describe('masked'),
                timeZone: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => heldContacts(db, request.query.campaign, request.query.limit),
  );

  api.get(
    '/api/lists/batches/:id/rejects',
    {
      config: { access: 'list.read' },
      schema: {
        tags: ['lists'],
        summary:
          "a batch's rejected rows in line order, a page at a time: line, reason, detail (numbers masked, in the detail too)",
        params: idParam,
        querystring: z.strictObject({
          after: z.coerce
            .number()
            .int()
            .min(0)
            .max(2147483647)
            .optional()
            .describe('the last line of the previous page: the page starts after it'),
          limit: limitQuery.default(1000),
        }),
        response: {
          200: z.array(
            z.strictObject({
              line: z.number(),
              reason: z.string(),
              phone: z.string().nullable(),
              detail: z.string().nullable(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      batchRejects(db, request.params.id, {
        ...(request.query.after !== undefined ? { after: request.query.after } : {}),
        limit: request.query.limit,
      }),
  );
}
