import { z } from 'zod';
import { listAuditEntries } from '../../../db/queries/reports.ts';
import { clientInput } from '../../../engine/services/client-service.ts';
import { type Api, type ApiDeps, actorOf } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { iso, isoOrNull } from '../json.ts';
import { limitQuery } from '../schemas.ts';

const clientView = z.strictObject({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  contact: z.string().nullable(),
  createdAt: z.string().nullable(),
});

const auditView = z.strictObject({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  role: z.string().nullable(),
  action: z.string(),
  subject: z.string().nullable(),
  details: z.unknown(),
});

/** Clients (the list owners) and the audit log: records kept about the work, not the work. */
export function recordRoutes(api: Api, deps: ApiDeps): void {
  const { db } = deps.handle;
  const toClient = (r: Awaited<ReturnType<typeof deps.services.clients.list>>[number]) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    contact: r.contact ?? null,
    createdAt: isoOrNull(r.created_at),
  });

  api.get(
    '/api/clients',
    {
      config: { access: 'client.read' },
      schema: {
        tags: ['clients'],
        summary: 'every client',
        response: { 200: z.array(clientView), ...errorResponses },
      },
    },
    async () => (await deps.services.clients.list()).map(toClient),
  );

  api.post(
    '/api/clients',
    {
      config: { access: 'client.add' },
      schema: {
        tags: ['clients'],
        summary: 'register a client (list owner); audited',
        body: clientInput,
        response: { 201: clientView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await deps.services.clients.add(request.body, actorOf(request));
      return reply.status(201).send(toClient(row));
    },
  );

  api.get(
    '/api/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'audit entries, newest first (action is a prefix: export, dnc, campaign…)',
        querystring: z.strictObject({
          action: z.string().max(100).optional(),
          actor: z.string().max(100).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          until: z.iso.datetime({ offset: true }).optional(),
          limit: limitQuery.default(100),
        }),
        response: { 200: z.array(auditView), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listAuditEntries(db, {
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.since ? { since: new Date(q.since) } : {}),
        ...(q.until ? { until: new Date(q.until) } : {}),
        limit: q.limit,
      });
      return rows.map((r) => ({
        id: Number(r.id),
        at: iso(r.at),
        actor: r.actor,
        role: r.role ?? null,
        action: r.action,
        subject: r.subject ?? null,
        details: r.details,
      }));
    },
  );
}
