import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { Database } from '../../db/schema.ts';
import { ConflictError } from '../../engine/platform/errors.ts';
import { describeEachDatabase } from '../support/database.ts';
import {
  countRows,
  filesUnder,
  importFile,
  makeImportCampaign,
  newArchiveRoot,
  rejectedCounts,
} from './support.ts';

const P = (n: number) => `+86139000000${String(n).padStart(2, '0')}`;
const national = (n: number) => `139000000${String(n).padStart(2, '0')}`;

function writeList(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-import-list-'));
  const path = join(dir, 'list.csv');
  writeFileSync(path, `phone,name\n${lines.join('\n')}\n`);
  return path;
}

/** The list owner's approval of `phone` for `target`, from `validFrom` (until `validUntil`); its id. */
async function approveNumber(
  db: Kysely<Database>,
  target: { id: number; client_id: number },
  phone: string,
  validFrom: Date,
  validUntil: Date | null = null,
): Promise<number> {
  const row = await db
    .insertInto('remarketing_approvals')
    .values({
      client_id: target.client_id,
      campaign_id: target.id,
      reference: `letter ${phone.slice(-2)}`,
      approved_by: 'owner',
      valid_from: validFrom,
      valid_until: validUntil,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('remarketing_approval_numbers')
    .values({ approval_id: row.id, phone_e164: phone })
    .execute();
  return row.id;
}

/** 10,000 rows: every 20th invalid, 200 repeats of the row before, 100 on the national list. */
function tenThousandRows(): { path: string; nationalDnc: string[] } {
  const phone = (i: number) => `1380${String(i).padStart(7, '0')}`;
  const lines: string[] = [];
  const nationalDnc: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    if (i % 20 === 0) lines.push(`x${i},row ${i}`);
    else if (i % 50 === 7) lines.push(`${phone(i - 1)},row ${i}`);
    else lines.push(`${phone(i)},row ${i}`);
    if (i % 100 === 3) nationalDnc.push(`+86${phone(i)}`);
  }
  return { path: writeList(lines), nationalDnc };
}

describeEachDatabase('list import screening and custody', (database) => {
  it('releases a number whose approval starts later (the gate holds it until then) but holds one whose approval expired', async () => {
    const { db } = database();
    const target = await makeImportCampaign(db);
    const other = await makeImportCampaign(db);
    await db
      .insertInto('contacts')
      .values(
        [41, 42, 43].map((n) => ({ campaign_id: other.id, phone_e164: P(n), time_zone: 'Asia/Shanghai' })),
      )
      .execute();
    await approveNumber(db, target, P(41), new Date('2099-01-01T00:00:00Z'), null);
    await approveNumber(
      db,
      target,
      P(42),
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-02-01T00:00:00Z'),
    );

    const result = await importFile(database(), {
      campaignId: target.id,
      file: writeList([national(41), national(42), national(43)].map((n) => `${n},x`)),
      archiveRoot: newArchiveRoot(),
    });
    expect(result).toMatchObject({ rows: 3, imported: 1, held: 2 });
    const contacts = await db
      .selectFrom('contacts')
      .select(['phone_e164', 'status', 'needs_approval'])
      .where('batch_id', '=', result.batchId!)
      .orderBy('phone_e164')
      .execute();
    expect(contacts).toEqual([
      { phone_e164: P(41), status: 'ready', needs_approval: true },
      { phone_e164: P(42), status: 'awaiting_approval', needs_approval: true },
      { phone_e164: P(43), status: 'awaiting_approval', needs_approval: true },
    ]);
  });

  it('screens each reason on its own and holds numbers worked in another campaign', async () => {
    const { db } = database();
    const target = await makeImportCampaign(db);
    const other = await makeImportCampaign(db);
    const now = new Date('2026-11-01T00:00:00Z');
    await db
      .insertInto('contacts')
      .values([
        { campaign_id: target.id, phone_e164: P(1), time_zone: 'Asia/Shanghai' },
        { campaign_id: other.id, phone_e164: P(6), time_zone: 'Asia/Shanghai', status: 'done' },
        { campaign_id: other.id, phone_e164: P(7), time_zone: 'Asia/Shanghai' },
        { campaign_id: other.id, phone_e164: P(8), time_zone: 'Asia/Shanghai' },
      ])
      .execute();
    await db
      .insertInto('dnc_entries')
      .values([
        { phone_e164: P(2), scope: 'internal', scope_key: 'internal' },
        { phone_e164: P(4), scope: 'client', scope_key: `client:${target.client_id}` },
        { phone_e164: P(5), scope: 'campaign', scope_key: `campaign:${target.id}` },
        // Another campaign's exclusion and an expired opt-out do not apply.
        { phone_e164: P(10), scope: 'campaign', scope_key: `campaign:${other.id}` },
        { phone_e164: P(9), scope: 'internal', scope_key: 'internal', expires_at: now },
      ])
      .execute();
    await db
      .insertInto('national_dnc')
      .values({ phone_e164: P(3) })
      .execute();
    await approveNumber(db, target, P(7), now);
    const revoked = await approveNumber(db, target, P(8), now);
    await db
      .insertInto('remarketing_approvals')
      .values({
        client_id: target.client_id,
        campaign_id: target.id,
        reference: 'revocation',
        approved_by: 'owner',
        revokes_approval_id: revoked,
        revoke_reason: 'withdrawn',
      })
      .execute();

    const file = writeList(Array.from({ length: 10 }, (_, i) => `${national(i + 1)},n${i + 1}`));
    const result = await importFile(database(), {
      campaignId: target.id,
      file,
      archiveRoot: newArchiveRoot(),
    });
    expect(result).toMatchObject({
      rows: 10,
      imported: 3,
      held: 2,
      rejected: rejectedCounts({
        already_in_campaign: 1,
        internal_dnc: 1,
        national_dnc: 1,
        client_blacklist: 1,
        campaign_exclusion: 1,
      }),
    });
    const contacts = await db
      .selectFrom('contacts')
      .select(['phone_e164', 'status', 'needs_approval'])
      .where('batch_id', '=', result.batchId!)
      .orderBy('phone_e164')
      .execute();
    expect(contacts).toEqual([
      { phone_e164: P(6), status: 'awaiting_approval', needs_approval: true },
      { phone_e164: P(7), status: 'ready', needs_approval: true },
      { phone_e164: P(8), status: 'awaiting_approval', needs_approval: true },
      { phone_e164: P(9), status: 'ready', needs_approval: false },
      { phone_e164: P(10), status: 'ready', needs_approval: false },
    ]);
    const batch = await db
      .selectFrom('batches')
      .selectAll()
      .where('id', '=', result.batchId!)
      .executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ rows_total: 10, rows_imported: 3, rows_held: 2, rows_rejected: 5 });
    expect(batch.rejected_by_reason).toEqual(result.rejected);
  });

  it('accounts for 10,000 rows, refuses the same file again, and with --force duplicates nothing', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const { path, nationalDnc } = tenThousandRows();
    await db
      .insertInto('national_dnc')
      .values(nationalDnc.map((phone_e164) => ({ phone_e164 })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    const archiveRoot = newArchiveRoot();

    const first = await importFile(database(), {
      campaignId: campaign.id,
      file: path,
      archiveRoot,
      sourceRef: 'mail 2026-11-24',
      receivedBy: 'Li Na',
    });
    expect(first).toMatchObject({
      rows: 10_000,
      imported: 9_200,
      held: 0,
      rejected: rejectedCounts({ invalid_number: 500, duplicate_in_file: 200, national_dnc: 100 }),
    });
    const sum = first.imported + first.held + Object.values(first.rejected).reduce((a, b) => a + b, 0);
    expect(sum).toBe(first.rows);

    const again = await importFile(database(), { campaignId: campaign.id, file: path, archiveRoot }).catch(
      (error: unknown) => error,
    );
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as Error).message).toMatch(/already imported .* as batch \d+.*--force/);
    expect(await countRows(db, campaign.id)).toEqual({ batches: 1, contacts: 9_200, rejected: 800 });

    const forced = await importFile(database(), {
      campaignId: campaign.id,
      file: path,
      archiveRoot,
      force: true,
    });
    expect(forced).toMatchObject({
      rows: 10_000,
      imported: 0,
      held: 0,
      rejected: rejectedCounts({
        invalid_number: 500,
        duplicate_in_file: 200,
        already_in_campaign: 9_200,
        national_dnc: 100,
      }),
    });
    expect(await countRows(db, campaign.id)).toEqual({ batches: 2, contacts: 9_200, rejected: 10_800 });
    const forcedBatch = await db
      .selectFrom('batches')
      .select(['forced'])
      .where('id', '=', forced.batchId!)
      .executeTakeFirstOrThrow();
    expect(forcedBatch.forced).toBe(true);
  });

  it('files the original under the archive by date with its SHA-256, provenance and retention', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db, { retentionDays: 400 });
    const file = writeList([`${national(21)},a`, 'bad,b']);
    const archiveRoot = newArchiveRoot();
    const result = await importFile(database(), {
      campaignId: campaign.id,
      file,
      archiveRoot,
      sourceRef: 'ticket 42',
      receivedBy: 'Wang Fang',
    });
    const batch = await db
      .selectFrom('batches')
      .selectAll()
      .where('id', '=', result.batchId!)
      .executeTakeFirstOrThrow();
    const original = readFileSync(file);
    expect(batch).toMatchObject({
      client_id: campaign.client_id,
      source_ref: 'ticket 42',
      received_by: 'Wang Fang',
      file_name: 'list.csv',
      file_sha256: createHash('sha256').update(original).digest('hex'),
      file_bytes: original.length,
      encoding: 'utf-8',
      forced: false,
    });
    expect(new Date(batch.received_at).toISOString()).toBe('2026-11-25T09:00:00.000Z');
    expect(
      String(batch.retain_until instanceof Date ? batch.retain_until.toISOString() : batch.retain_until),
    ).toMatch(/^2027-12-30/);
    expect(batch.archive_path).toBe(
      join(archiveRoot, '2026', '11', '25', `batch-${result.batchId}-list.csv`),
    );
    expect(readFileSync(batch.archive_path!)).toEqual(original);
    expect(result.rejectReport).toBe(`${batch.archive_path}.rejects.csv`);
    expect(dirname(result.rejectReport!)).toBe(dirname(batch.archive_path!));
    expect(
      filesUnder(archiveRoot)
        .map((p) => basename(p))
        .sort(),
    ).toEqual([`batch-${result.batchId}-list.csv`, `batch-${result.batchId}-list.csv.rejects.csv`]);
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'list.import')
      .where('subject', '=', `batch:${result.batchId}`)
      .executeTakeFirstOrThrow();
    expect(audit.actor).toBe('tester');
  });

  it('leaves nothing behind when interrupted', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const file = writeList([`${national(41)},a`, `${national(42)},b`]);
    const archiveRoot = newArchiveRoot();
    const interrupt = new AbortController();
    interrupt.abort();
    await expect(
      importFile(database(), { campaignId: campaign.id, file, archiveRoot, signal: interrupt.signal }),
    ).rejects.toThrow(/interrupted: nothing was imported/);
    expect(await countRows(db, campaign.id)).toEqual({ batches: 0, contacts: 0, rejected: 0 });
    expect(filesUnder(archiveRoot)).toEqual([]);
  });

  it('computes the same counts on a dry run and writes nothing', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const file = writeList([`${national(31)},a`, `${national(31)},again`, 'bad,b', `${national(32)},c`]);
    const archiveRoot = newArchiveRoot();
    const auditBefore = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const dry = await importFile(database(), { campaignId: campaign.id, file, archiveRoot, dryRun: true });
    expect(dry).toEqual({
      batchId: null,
      rows: 4,
      imported: 2,
      held: 0,
      rejected: rejectedCounts({ duplicate_in_file: 1, invalid_number: 1 }),
      rejectReport: null,
    });
    expect(await countRows(db, campaign.id)).toEqual({ batches: 0, contacts: 0, rejected: 0 });
    expect(filesUnder(archiveRoot)).toEqual([]);
    const auditAfter = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(auditAfter.n)).toBe(Number(auditBefore.n));

    const real = await importFile(database(), { campaignId: campaign.id, file, archiveRoot });
    expect({ ...real, batchId: null, rejectReport: null }).toEqual(dry);
  });
});
