import type { Kysely } from 'kysely';
import { type CampaignDefinition, campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { ConflictError, NotFoundError } from '../../engine/platform/errors.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../pg-error.ts';
import type { CampaignRow, CampaignStatus, Database } from '../schema.ts';
import { recordAudit } from './audit.ts';

export async function insertCampaign(
  db: Kysely<Database>,
  definition: CampaignDefinition,
  clientId: number,
  actor: string,
): Promise<CampaignRow> {
  try {
    return await db.transaction().execute(async (trx) => {
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

export function listCampaigns(db: Kysely<Database>): Promise<CampaignRow[]> {
  return db.selectFrom('campaigns').selectAll().orderBy('id').execute();
}

export async function getCampaign(db: Kysely<Database>, id: number): Promise<CampaignRow> {
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('campaign', id);
  return row;
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
