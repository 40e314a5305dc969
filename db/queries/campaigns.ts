import type { Kysely, Transaction } from 'kysely';
import { type CampaignDefinition, campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { ConflictError, NotFoundError, UserError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { CampaignRow, CampaignStatus, Database } from '../schema.ts';
import { type AuditEntry, recordAudit } from './audit.ts';

/**
 * Creates a campaign in one transaction: the client it names must exist, or be registered now
 * when the file gives its name (`clientName`), so a fresh database takes an example file as is.
 */
export async function insertCampaign(
  db: Kysely<Database>,
  definition: CampaignDefinition,
  actor: string,
): Promise<CampaignRow> {
  try {
    return await db.transaction().execute(async (trx) => {
      const clientId = await resolveClient(trx, definition, actor);
      const row = await trx
        .insertInto('campaigns')
        .values({
          name: definition.name,
          client_id: clientId,
          type: definition.type,
          mode: definition.mode,
          jurisdiction: definition.jurisdiction,
          config: JSON.stringify(definition),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'campaign.create',
        subject: `campaign:${row.id}`,
        details: { name: row.name, type: row.type, mode: row.mode },
      });
      return row;
    });
  } catch (error) {
    if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
      throw new ConflictError(`a campaign named "${definition.name}" already exists`);
    }
    throw error;
  }
}

async function resolveClient(trx: Transaction<Database>, definition: CampaignDefinition, actor: string) {
  const existing = await trx
    .selectFrom('clients')
    .select('id')
    .where('code', '=', definition.client)
    .executeTakeFirst();
  if (existing) return existing.id;
  if (!definition.clientName) {
    throw new UserError(
      `client "${definition.client}" does not exist: add it with \`dialer client add ${definition.client} --name "…"\` or give clientName in the campaign file`,
      'not_found',
    );
  }
  const created = await trx
    .insertInto('clients')
    .values({ code: definition.client, name: definition.clientName })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    actor,
    action: 'client.add',
    subject: `client:${created.id}`,
    details: { code: definition.client, name: definition.clientName, via: 'campaign.create' },
  });
  return created.id;
}

export function listCampaigns(db: Kysely<Database>): Promise<CampaignRow[]> {
  return db.selectFrom('campaigns').selectAll().orderBy('id').execute();
}

export async function getCampaign(db: Kysely<Database>, id: number): Promise<CampaignRow> {
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('campaign', id);
  return row;
}

/**
 * Ids of the campaigns an engine should hold: running or paused (a paused campaign keeps its
 * agents and live calls). No lock: a plain read, looked at again every scan of the engine host;
 * campaigns is a small table, read in primary key order without an index on status.
 */
export function listHostedCampaignIds(db: Kysely<Database>): Promise<number[]> {
  return db
    .selectFrom('campaigns')
    .select('id')
    .where('status', 'in', ['running', 'paused'])
    .orderBy('id')
    .execute()
    .then((rows) => rows.map((r) => r.id));
}

/**
 * A campaign's status alone, for a runner that polls it (every second) to see a manager's pause
 * or stop made in another process. Primary key (campaigns_pkey), no lock: a plain read; the
 * runner acts on the next poll's answer, and status changes go through transitionCampaignStatus.
 */
export async function campaignStatus(db: Kysely<Database>, id: number): Promise<CampaignStatus> {
  const row = await db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('campaign', id);
  return row.status;
}

/** Whether a campaign exists (primary key; no lock). */
export async function campaignExists(db: Kysely<Database>, id: number): Promise<boolean> {
  const row = await db.selectFrom('campaigns').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

export async function findCampaignByName(db: Kysely<Database>, name: string) {
  return db.selectFrom('campaigns').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function setCampaignStatus(
  db: Kysely<Database>,
  id: number,
  status: CampaignStatus,
  actor: string,
): Promise<CampaignRow> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('campaigns')
      .set({ status, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('campaign', id);
    await recordAudit(trx, { actor, action: `campaign.${status}`, subject: `campaign:${id}` });
    return row;
  });
}

/**
 * Moves a campaign to the status `decide` returns for its current one, in one transaction: the
 * row is read `for update` (primary key), so two concurrent changes cannot both pass the check
 * against the same old status. `decide` throws to refuse; nothing is written then.
 */
export async function transitionCampaignStatus(
  db: Kysely<Database>,
  id: number,
  decide: (current: CampaignStatus) => CampaignStatus,
  audit: Pick<AuditEntry, 'actor' | 'role'>,
): Promise<CampaignRow> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('campaigns')
      .select('status')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new NotFoundError('campaign', id);
    const status = decide(current.status);
    const row = await trx
      .updateTable('campaigns')
      .set({ status, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: audit.actor,
      role: audit.role ?? null,
      action: `campaign.${status}`,
      subject: `campaign:${id}`,
    });
    return row;
  });
}

/** Counts of a campaign's contacts by status, for `campaign show`. */
export async function contactCountsByStatus(db: Kysely<Database>, campaignId: number) {
  const rows = await db
    .selectFrom('contacts')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
}

/** A campaign row with its definition parsed back through the schema (defaults filled in). */
export async function getCampaignDefinition(db: Kysely<Database>, id: number) {
  const row = await getCampaign(db, id);
  return { row, definition: campaignDefinitionSchema.parse(row.config) };
}
