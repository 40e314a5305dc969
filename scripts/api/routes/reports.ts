import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { neutralizeCell } from '../../../campaigns/import/formula-cells.ts';
import { listAlarms } from '../../../db/queries/alarms.ts';
import { periodBounds, summaryReport } from '../../../db/queries/reports.ts';
import { managementSummary } from '../../../engine/reports/management-summary.ts';
import { SUMMARY_CSV_COLUMNS, summaryCsvRows, summaryHtml } from '../../../engine/reports/summary-render.ts';
import { campaignAbandonmentReport } from '../../../engine/services/abandonment-report.ts';
import { parseInstant } from '../../cli/commands/compliance-args.ts';
import type { Api, ApiDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { isoOrNull } from '../json.ts';
import { limitQuery } from '../schemas.ts';

const campaignId = z.coerce.number().int().min(1).max(2147483647);
const json = z.record(z.string(), z.unknown());

/** Reports (abandonment, period summary) and alarms: figures, never numbers. */
export function reportRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;

  api.get(
    '/api/reports/abandonment',
    {
      config: { access: 'report.read' },
      schema: {
        tags: ['reports'],
        summary: 'abandoned / human-answered calls per day and over the rolling window',
        querystring: z.strictObject({
          campaign: campaignId,
          window: z.enum(['30d', '24h']).optional(),
          days: z.coerce.number().int().min(1).max(366).default(30),
        }),
        response: { 200: json, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const { report } = await campaignAbandonmentReport(db, {
        campaignId: q.campaign,
        ...(q.window ? { window: q.window } : {}),
        days: q.days,
        now: deps.clock.now(),
      });
      return JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    },
  );

  api.get(
    '/api/reports/summary',
    {
      config: { access: 'report.read' },
      schema: {
        tags: ['reports'],
        summary:
          'per campaign over a day, week or month: the dial-log figures and the management summary of `dialer report summary` (dials, connects, abandonment, agent hours, QA, satisfaction, alarms); json, csv, or a self-contained html page with SVG charts',
        querystring: z.strictObject({
          period: z.enum(['day', 'week', 'month']).default('day'),
          campaign: campaignId.optional(),
          timeZone: z.string().max(64).default('UTC'),
          /** A moment inside the period (default now). */
          at: z.string().max(40).optional(),
          format: z.enum(['json', 'csv', 'html']).default('json'),
        }),
        response: {
          200: z.union([
            z.strictObject({
              from: z.string(),
              to: z.string(),
              label: z.string(),
              campaigns: z.array(json),
              management: json,
            }),
            // csv and html: the text itself.
            z.string(),
          ]),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const at = q.at ? parseInstant(q.at, 'at') : deps.clock.now();
      const bounds = periodBounds(q.period, at, q.timeZone);
      const only = q.campaign !== undefined ? { campaignId: q.campaign } : {};
      const management = await managementSummary(db, {
        period: q.period,
        at,
        timeZone: q.timeZone,
        ...only,
      });
      if (q.format === 'html') {
        return reply
          .type('text/html; charset=utf-8')
          .header('content-disposition', `attachment; filename="summary-${q.period}-${bounds.label}.html"`)
          .send(summaryHtml(management));
      }
      if (q.format === 'csv') {
        const cell = (v: unknown) =>
          v === null || v === undefined
            ? ''
            : neutralizeCell(typeof v === 'object' ? JSON.stringify(v) : String(v));
        const rows = summaryCsvRows(management).map((r) => SUMMARY_CSV_COLUMNS.map((c) => cell(r[c])));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="summary-${q.period}-${bounds.label}.csv"`)
          .send(stringify([[...SUMMARY_CSV_COLUMNS], ...rows]));
      }
      const rows = await summaryReport(db, { from: bounds.from, to: bounds.to, ...only });
      return {
        from: bounds.from.toISOString(),
        to: bounds.to.toISOString(),
        label: bounds.label,
        campaigns: rows as unknown as Record<string, unknown>[],
        management: JSON.parse(JSON.stringify(management)) as Record<string, unknown>,
      };
    },
  );

  api.get(
    '/api/alarms',
    {
      config: { access: 'alarm.read' },
      schema: {
        tags: ['alarms'],
        summary: 'alarms raised by the engine (connection rates), newest first',
        querystring: z.strictObject({
          campaign: campaignId.optional(),
          open: z.enum(['true', 'false']).default('false'),
          limit: limitQuery.default(100),
        }),
        response: {
          200: z.array(
            z.strictObject({
              id: z.number(),
              campaignId: z.number().nullable(),
              kind: z.string(),
              severity: z.string(),
              message: z.string(),
              raisedAt: z.string(),
              clearedAt: z.string().nullable(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listAlarms(db, {
        ...(q.campaign !== undefined ? { campaignId: q.campaign } : {}),
        openOnly: q.open === 'true',
        limit: q.limit,
      });
      return rows.map((a) => ({
        id: a.id,
        campaignId: a.campaign_id,
        kind: a.kind,
        severity: a.severity,
        message: a.message,
        raisedAt: a.raised_at.toISOString(),
        clearedAt: isoOrNull(a.cleared_at),
      }));
    },
  );
}
