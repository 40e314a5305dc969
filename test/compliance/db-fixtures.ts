import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** Rows the compliance database tests need: a client, campaigns, batches, contacts. */

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function makeClient(db: Kysely<Database>) {
  return db
    .insertInto('clients')
    .values({ code: `c-${unique()}`, name: 'Client' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeCampaign(
  db: Kysely<Database>,
  clientId: number,
  definition: Record<string, unknown> = {},
) {
  const name = `Campaign ${unique()}`;
  const config = {
    name,
    client: 'x',
    type: 'survey',
    mode: 'predictive',
    dialing: { callerId: '+12125550100' },
    ...definition,
  };
  return db
    .insertInto('campaigns')
    .values({
      name,
      client_id: clientId,
      type: 'survey',
      mode: 'predictive',
      jurisdiction: String(definition.jurisdiction ?? 'US'),
      config: JSON.stringify(config),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeBatch(db: Kysely<Database>, clientId: number, campaignId: number) {
  return db
    .insertInto('batches')
    .values({
      client_id: clientId,
      campaign_id: campaignId,
      file_name: 'list.csv',
      file_sha256: unique(),
      retain_until: '2027-12-31',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeContact(
  db: Kysely<Database>,
  campaignId: number,
  phone: string,
  extra: Partial<{
    batch_id: number | null;
    needs_approval: boolean;
    status: 'awaiting_approval' | 'ready';
    time_zone: string;
    consent_ref: string | null;
  }> = {},
) {
  return db
    .insertInto('contacts')
    .values({ campaign_id: campaignId, phone_e164: phone, time_zone: 'America/New_York', ...extra })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markRegistryFresh(db: Kysely<Database>, at = new Date()) {
  await db.insertInto('national_dnc_syncs').values({ synced_at: at, numbers: 0, replaced: true }).execute();
}
