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

/** A client by its id (primary key; no lock). */
export function findClientById(db: Kysely<Database>, id: number): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * A client by its code (unique index), else by its id (primary key) when the text is all digits:
 * `toId` reads it (the caller's range check, asked only when no code matched); no lock.
 */
export async function findClientByCodeOrId(
  db: Kysely<Database>,
  text: string,
  toId: (digits: string) => number,
): Promise<ClientRow | undefined> {
  const byCode = await findClientByCode(db, text);
  if (byCode || !/^\d+$/.test(text)) return byCode;
  return findClientById(db, toId(text));
}

export async function getClientByCode(db: Kysely<Database>, code: string): Promise<ClientRow> {
  const client = await findClientByCode(db, code);
  if (!client) throw new NotFoundError('client', code);
  return client;
}
