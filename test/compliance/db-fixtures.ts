import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { recordOutcome } from '../../db/queries/outcomes.ts';
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
    account_ref: string | null;
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

/**
 * A final outcome of a contact, recorded as an agent tags it (status done, the tag as the
 * reason), of no call unless `attemptId` names one, in its own transaction; returns the outcome's id.
 */
export async function recordDoneOutcome(
  db: Kysely<Database>,
  input: {
    contactId: number;
    campaignId: number;
    outcome: Parameters<typeof recordOutcome>[1]['outcome'];
    recordedBy: string;
    attemptId?: number;
    now?: Date;
  },
) {
  return db.transaction().execute((trx) =>
    recordOutcome(trx, {
      attemptId: input.attemptId ?? null,
      contactId: input.contactId,
      campaignId: input.campaignId,
      agentId: null,
      outcome: input.outcome,
      decision: {
        final: true,
        status: 'done',
        nextAttemptAt: null,
        callback: null,
        optOut: false,
        reason: input.outcome.tag,
      },
      recordedBy: input.recordedBy,
      now: input.now ?? new Date(),
    }),
  );
}

class Rollback extends Error {}

/** Runs `body` in a transaction that is always rolled back, so each case starts from the seed. */
export async function inRolledBack<T>(
  db: Kysely<Database>,
  body: (trx: Transaction<Database>) => Promise<T>,
) {
  let result: T | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      result = await body(trx);
      throw new Rollback();
    })
    .catch((error) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result as T;
}
