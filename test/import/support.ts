import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  type CampaignDefinitionInput,
  campaignDefinitionSchema,
} from '../../campaigns/campaign-definition.ts';
import { type ImportListOptions, importList } from '../../campaigns/import/import-list.ts';
import type { DatabaseHandle } from '../../db/connect.ts';
import { insertCampaign } from '../../db/queries/campaigns.ts';
import type { Database } from '../../db/schema.ts';
import { ManualClock } from '../../engine/platform/clock.ts';
import { silentLogger } from '../../engine/platform/logger.ts';

export const FIXTURES = join(import.meta.dirname, '../fixtures/lists');
export const fixture = (name: string) => join(FIXTURES, name);

let counter = 0;

/** A campaign of its own (and its client) for one test; CN numbering unless overridden. */
export async function makeImportCampaign(
  db: Kysely<Database>,
  overrides: Partial<CampaignDefinitionInput> = {},
) {
  counter += 1;
  const code = `import-client-${counter}`;
  const definition = campaignDefinitionSchema.parse({
    name: `import test ${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    client: code,
    clientName: `Import client ${counter}`,
    type: 'survey',
    mode: 'progressive',
    jurisdiction: 'CN',
    region: 'CN',
    defaultTimeZone: 'Asia/Shanghai',
    dialing: { callerId: '+861012345678' },
    ...overrides,
  });
  const campaign = await insertCampaign(db, definition, 'test');
  return campaign;
}

export const clock = new ManualClock('2026-11-25T09:00:00Z');

export function newArchiveRoot(): string {
  return mkdtempSync(join(tmpdir(), 'dialer-import-archive-'));
}

export function importFile(
  handle: DatabaseHandle,
  options: Partial<ImportListOptions> & Pick<ImportListOptions, 'campaignId' | 'file' | 'archiveRoot'>,
) {
  return importList(options, { handle, clock, logger: silentLogger(), actor: 'tester' });
}

/** Every file under a folder, recursively (the archive must be empty after a failed import). */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk(root);
  return out;
}

export async function countRows(db: Kysely<Database>, campaignId: number) {
  const [batches, contacts, rejected] = await Promise.all([
    db
      .selectFrom('batches')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('rejected_rows')
      .innerJoin('batches', 'batches.id', 'rejected_rows.batch_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('batches.campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow(),
  ]);
  return { batches: Number(batches.n), contacts: Number(contacts.n), rejected: Number(rejected.n) };
}

/** The counts of every reason, zero unless given. */
export function rejectedCounts(given: Record<string, number> = {}): Record<string, number> {
  return {
    missing_number: 0,
    scientific_notation: 0,
    invalid_number: 0,
    duplicate_in_file: 0,
    already_in_campaign: 0,
    internal_dnc: 0,
    national_dnc: 0,
    client_blacklist: 0,
    campaign_exclusion: 0,
    ...given,
  };
}
