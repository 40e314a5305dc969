import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { ClientRow, Database } from '../schema.ts';

export async function insertClient(
  db: Kysely<Database>,
  client: { code: string; name: string; contact?: string | null },
): Promise<ClientRow> {
  try {
    return await db
      .insertInto('clients')
      .values({ code: client.code, name: client.name, contact: client.contact ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
      throw new ConflictError(`a client with code "${client.code}" already exists`);
    }
    throw error;
  }
}

export function listClients(db: Kysely<Database>): Promise<ClientRow[]> {
  return db.selectFrom('clients').selectAll().orderBy('id').execute();
}

export async function findClientByCode(db: Kysely<Database>, code: string): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function getClientByCode(db: Kysely<Database>, code: string): Promise<ClientRow> {
  const client = await findClientByCode(db, code);
  if (!client) throw new NotFoundError('client', code);
  return client;
}
