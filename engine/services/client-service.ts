import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../../db/queries/audit.ts';
import { insertClient, listClients } from '../../db/queries/clients.ts';
import type { ClientRow, Database } from '../../db/schema.ts';
import { FIELD_LIMITS } from '../platform/field-limits.ts';
import { parseOrThrow } from '../platform/zod-error.ts';

/** A client (the owner of number lists) as the CLI and the API register it. */
export const clientInput = z.strictObject({
  code: z
    .string()
    .max(FIELD_LIMITS.code)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, - and _ (e.g. acme-bank)'),
  name: z.string().min(1, 'is required').max(FIELD_LIMITS.name),
  contact: z.string().max(FIELD_LIMITS.reference).optional(),
});
export type ClientInput = z.infer<typeof clientInput>;

/**
 * Clients: register one (validated, a duplicate code a conflict, audited in the same
 * transaction) and list them. Used by `dialer client` and `/api/clients`.
 */
export function createClientService(deps: { db: Kysely<Database> }) {
  return {
    async add(input: unknown, actor: { name: string; role: string }): Promise<ClientRow> {
      const client = parseOrThrow(clientInput, input, 'client');
      return deps.db.transaction().execute(async (trx) => {
        const row = await insertClient(trx as unknown as Kysely<Database>, client);
        await recordAudit(trx, {
          actor: actor.name,
          role: actor.role,
          action: 'client.add',
          subject: `client:${row.id}`,
          details: client,
        });
        return row;
      });
    },
    list: (): Promise<ClientRow[]> => listClients(deps.db),
  };
}
