import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { ImportFileError } from '../../campaigns/import/import-file-error.ts';
import type { ListLimits } from '../../campaigns/import/read-list.ts';
import { DEFAULT_LIMITS } from '../../engine/platform/config.ts';
import { describeEachDatabase } from '../support/database.ts';
import {
  countRows,
  filesUnder,
  fixture,
  importFile,
  makeImportCampaign,
  newArchiveRoot,
  rejectedCounts,
} from './support.ts';

describeEachDatabase('list import of awkward files', (database) => {
  async function importFixture(
    name: string,
    overrides: Parameters<typeof makeImportCampaign>[1] = {},
    extra: { map?: Record<string, string>; encoding?: 'auto' | 'utf8' | 'gbk' | 'gb18030' } = {},
  ) {
    const { db } = database();
    const campaign = await makeImportCampaign(db, overrides);
    const archiveRoot = newArchiveRoot();
    const result = await importFile(database(), {
      campaignId: campaign.id,
      file: fixture(name),
      archiveRoot,
      ...extra,
    });
    return { campaign, result, archiveRoot };
  }

  async function contactsOf(campaignId: number) {
    return database()
      .db.selectFrom('contacts')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('line_number')
      .execute();
  }

  it('reads UTF-8 with a BOM and numbers written with spaces, dashes and +86', async () => {
    const { campaign, result } = await importFixture('utf8-bom.csv');
    expect(result).toMatchObject({
      rows: 4,
      imported: 3,
      held: 0,
      rejected: rejectedCounts({ invalid_number: 1 }),
    });
    const contacts = await contactsOf(campaign.id);
    expect(contacts.map((c) => c.phone_e164)).toEqual(['+8613800138001', '+8613900139002', '+8613800138003']);
    expect(contacts[0]!.fields).toEqual({ name: 'A' });
    expect(contacts[0]).toMatchObject({ time_zone: 'Asia/Shanghai', time_zone_assumed: false });
  });

  it('detects GBK with Chinese headers, keeps Chinese fields and drops the repeated number', async () => {
    const { campaign, result } = await importFixture('gbk-chinese.csv');
    expect(result).toMatchObject({
      rows: 5,
      imported: 3,
      held: 0,
      rejected: rejectedCounts({ duplicate_in_file: 1, invalid_number: 1 }),
    });
    const contacts = await contactsOf(campaign.id);
    expect(contacts.map((c) => c.phone_e164)).toEqual(['+8613800138011', '+8613900139012', '+8613800138013']);
    expect(contacts[0]!.fields).toEqual({ 姓名: '张三', 备注: '老客户' });
    const batch = await database()
      .db.selectFrom('batches')
      .selectAll()
      .where('id', '=', result.batchId!)
      .executeTakeFirstOrThrow();
    expect(batch.encoding).toBe('gb18030');
    const rejected = await database()
      .db.selectFrom('rejected_rows')
      .selectAll()
      .where('batch_id', '=', result.batchId!)
      .orderBy('line_number')
      .execute();
    expect(rejected.map((r) => [r.line_number, r.reason, r.detail])).toEqual([
      [5, 'duplicate_in_file', 'the same number as line 2'],
      [6, 'invalid_number', '"abc" is not a valid phone number'],
    ]);
    expect(JSON.parse(rejected[0]!.raw_row)).toEqual(['138 0013 8011', '赵六', '重复']);
  });

  it('reads CRLF lines and takes the zone from the column, the area code or the country', async () => {
    const { campaign, result } = await importFixture('crlf-us.csv', {
      jurisdiction: 'US',
      region: 'US',
      defaultTimeZone: 'America/New_York',
    });
    expect(result).toMatchObject({ rows: 4, imported: 4, held: 0, rejected: rejectedCounts() });
    const contacts = await contactsOf(campaign.id);
    expect(
      contacts.map((c) => [c.phone_e164, c.time_zone, c.time_zone_assumed, c.time_zone_candidates]),
    ).toEqual([
      ['+12127365000', 'America/New_York', false, null],
      ['+14156562671', 'America/Los_Angeles', false, null],
      // Area code 208 spans two zones and the cell says nothing usable: both are kept.
      ['+12083731234', 'America/Denver', true, ['America/Denver', 'America/Los_Angeles']],
      ['+442079460958', 'Europe/London', false, null],
    ]);
    expect(contacts.map((c) => c.line_number)).toEqual([2, 3, 4, 5]);
  });

  it('keeps quoted commas and line breaks inside cells and names the right lines', async () => {
    const { campaign, result } = await importFixture('quoted-multiline.csv');
    expect(result).toMatchObject({
      rows: 4,
      imported: 3,
      held: 0,
      rejected: rejectedCounts({ invalid_number: 1 }),
    });
    const contacts = await contactsOf(campaign.id);
    expect(contacts.map((c) => c.line_number)).toEqual([2, 4, 5]);
    expect(contacts[0]!.fields).toEqual({ name: 'Wang, Wei', address: 'Line 1\nLine 2' });
    expect(contacts[1]!.fields).toEqual({ name: 'Li "Boss"', address: 'plain' });
    const rejected = await database()
      .db.selectFrom('rejected_rows')
      .select(['line_number'])
      .where('batch_id', '=', result.batchId!)
      .execute();
    expect(rejected.map((r) => r.line_number)).toEqual([8]);
  });

  it('stores formula cells as text and neutralizes them in the reject report', async () => {
    const { campaign, result } = await importFixture('formula-cells.csv');
    expect(result).toMatchObject({
      rows: 4,
      imported: 3,
      held: 0,
      rejected: rejectedCounts({ invalid_number: 1 }),
    });
    const contacts = await contactsOf(campaign.id);
    expect(contacts[0]!.fields).toEqual({ name: '=1+2', note: '@SUM(A1)' });
    expect(contacts[1]!.fields).toEqual({ name: '-5', note: '+cmd' });
    const report = readFileSync(result.rejectReport!, 'utf8');
    const cells: string[][] = parse(report.replace(/^\ufeff/, ''));
    expect(cells[0]).toEqual(['line', 'reason', 'detail', 'phone', 'name', 'note']);
    expect(cells[1]!.slice(0, 2)).toEqual(['2', 'invalid_number']);
    expect(cells[1]![3]).toBe(`'=HYPERLINK("http://x")`);
    for (const row of cells) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('skips blank lines and rows of empty cells without counting them', async () => {
    const { campaign, result } = await importFixture('blank-lines.csv');
    expect(result).toMatchObject({ rows: 3, imported: 3, held: 0, rejected: rejectedCounts() });
    const contacts = await contactsOf(campaign.id);
    expect(contacts.map((c) => c.line_number)).toEqual([3, 6, 8]);
  });

  it('rejects numbers a spreadsheet wrote in scientific notation, never guessing digits', async () => {
    const { result } = await importFixture('excel-scientific.csv');
    expect(result).toMatchObject({
      rows: 4,
      imported: 1,
      held: 0,
      rejected: rejectedCounts({ scientific_notation: 3 }),
    });
  });

  it('uses --map columns by number and stores the consent reference', async () => {
    const { campaign, result } = await importFixture(
      'custom-headers.csv',
      {},
      { map: { phone: '2', consent: 'Consent form' } },
    );
    expect(result).toMatchObject({ rows: 2, imported: 2, rejected: rejectedCounts() });
    const contacts = await contactsOf(campaign.id);
    expect(contacts.map((c) => c.consent_ref)).toEqual(['F-1', null]);
  });

  it.each([
    ['missing-phone-column.csv', 1, /no phone column/],
    ['unclosed-quote.csv', 3, /quoted cell opens here and is never closed/],
    ['inconsistent-columns.csv', 3, /the row has 3 cells where the header has 2/],
    ['undecodable.csv', 3, /not valid/],
    ['utf16le-undecodable.txt', 3, /not valid utf-16le/],
    ['gbk-with-utf8-row.csv', 3, /this line is UTF-8 text but the file is GBK .*--encoding gbk/],
    ['gbk-with-undecodable-utf8-row.csv', 3, /this line is UTF-8 text but the file is GBK/],
    ['header-only.csv', 1, /the file has a header line and no rows: there is nothing to import/],
  ])('refuses %s naming line %i, leaving no batch and no archived file', async (name, line, problem) => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const archiveRoot = newArchiveRoot();
    const failure = await importFile(database(), {
      campaignId: campaign.id,
      file: fixture(name),
      archiveRoot,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImportFileError);
    expect((failure as ImportFileError).line).toBe(line);
    expect((failure as ImportFileError).message).toMatch(problem);
    expect((failure as ImportFileError).message).toContain(`${name}, line ${line}:`);
    expect(await countRows(db, campaign.id)).toEqual({ batches: 0, contacts: 0, rejected: 0 });
    expect(filesUnder(archiveRoot)).toEqual([]);
  });

  it('imports the mixed GBK file as GBK when --encoding gbk says so (the line is then taken as GBK)', async () => {
    const { campaign, result } = await importFixture('gbk-with-utf8-row.csv', {}, { encoding: 'gbk' });
    // Its numbers may be held (other tests import them into other campaigns): every row is a contact.
    expect(result).toMatchObject({ rows: 3, rejected: rejectedCounts() });
    const names = (await contactsOf(campaign.id)).map((c) => (c.fields as Record<string, string>).姓名);
    expect(names).toEqual(['张三', '鏉庡洓', '王五']); // 李四 saved as UTF-8, read as GBK
  });

  it('refuses a header-only list in a dry run too', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const failure = await importFile(database(), {
      campaignId: campaign.id,
      file: fixture('header-only.csv'),
      archiveRoot: newArchiveRoot(),
      dryRun: true,
    }).catch((error: unknown) => error);
    expect((failure as ImportFileError).problem).toMatch(/no rows/);
  });

  it('refuses a GBK file forced as UTF-8, naming the first bad line', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const failure = await importFile(database(), {
      campaignId: campaign.id,
      file: fixture('gbk-chinese.csv'),
      archiveRoot: newArchiveRoot(),
      encoding: 'utf8',
    }).catch((error: unknown) => error);
    expect((failure as ImportFileError).line).toBe(1);
    expect(await countRows(db, campaign.id)).toEqual({ batches: 0, contacts: 0, rejected: 0 });
  });
});

describeEachDatabase('list import within the size limits', (database) => {
  async function refusal(content: string, limits?: ListLimits) {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const archiveRoot = newArchiveRoot();
    const file = join(mkdtempSync(join(tmpdir(), 'dialer-limits-')), 'list.csv');
    writeFileSync(file, content);
    const failure = await importFile(database(), {
      campaignId: campaign.id,
      file,
      archiveRoot,
      limits,
    }).catch((error: unknown) => error);
    expect(await countRows(db, campaign.id)).toEqual({ batches: 0, contacts: 0, rejected: 0 });
    expect(filesUnder(archiveRoot)).toEqual([]);
    expect(failure).toBeInstanceOf(ImportFileError);
    return failure as ImportFileError;
  }
  const small: ListLimits = { listCellChars: 100, listRowChars: 300, listColumns: 5 };

  it('refuses a 5 MB cell under the default limits, naming its line and column', async () => {
    const failure = await refusal(
      `phone,name,note\n13800138001,A,short\n13800138002,B,${'x'.repeat(5 << 20)}\n`,
    );
    expect(failure.line).toBe(3);
    expect(failure.problem).toBe(
      `column "note" holds ${5 << 20} characters, over the limit of ${DEFAULT_LIMITS.listCellChars} (limits.listCellChars in the config, or DIALER_MAX_LIST_CELL_CHARS)`,
    );
  });

  it('refuses a cell over a configured limit, quoted over several lines too', async () => {
    const failure = await refusal(`phone,note\n13800138001,"${'y\n'.repeat(60)}"\n`, small);
    expect(failure.line).toBe(2);
    expect(failure.problem).toMatch(/^column "note" holds 120 characters, over the limit of 100/);
  });

  it('refuses a row whose cells together are over the row limit', async () => {
    const cells = Array.from({ length: 4 }, () => 'z'.repeat(90)).join(',');
    const failure = await refusal(`phone,a,b,c,d\n13800138001,${cells}\n`, small);
    expect(failure.line).toBe(2);
    expect(failure.problem).toMatch(/^the row has 371 characters, over the limit of 300/);
  });

  it('refuses a header with more columns than the limit', async () => {
    const failure = await refusal('phone,a,b,c,d,e\n13800138001,1,2,3,4,5\n', small);
    expect(failure.line).toBe(1);
    expect(failure.problem).toMatch(/^the header has 6 columns, over the limit of 5/);
  });

  it('stops at the row limit on a quote that never closes, instead of reading the file to its end', async () => {
    const failure = await refusal(
      `phone,note\n13800138001,ok\n13800138002,"open\n${'13800138003,row\n'.repeat(20_000)}`,
      small,
    );
    expect(failure.line).toBe(3);
    expect(failure.problem).toMatch(/^a row longer than 616 characters starts here/);
  });

  it('imports a list whose cells are exactly at the limits', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const file = join(mkdtempSync(join(tmpdir(), 'dialer-limits-')), 'list.csv');
    writeFileSync(
      file,
      `phone,a,b,c,d\n13800138001,${'q'.repeat(100)},${'q'.repeat(100)},${'q'.repeat(89)},\n`,
    );
    const result = await importFile(database(), {
      campaignId: campaign.id,
      file,
      archiveRoot: newArchiveRoot(),
      limits: small,
    });
    expect(result).toMatchObject({ rows: 1, rejected: rejectedCounts() });
  });
});

describeEachDatabase('list import: the cell separator', (database) => {
  async function importAs(name: string, region: string, delimiter?: 'auto' | 'comma' | 'semicolon' | 'tab') {
    const { db } = database();
    const campaign = await makeImportCampaign(db, {
      region,
      defaultTimeZone: region === 'DE' ? 'Europe/Berlin' : 'Asia/Shanghai',
    });
    const result = await importFile(database(), {
      campaignId: campaign.id,
      file: fixture(name),
      archiveRoot: newArchiveRoot(),
      ...(delimiter ? { delimiter } : {}),
    });
    const contacts = await db
      .selectFrom('contacts')
      .select(['phone_e164', 'fields'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('line_number')
      .execute();
    return { result, contacts };
  }

  it('reads a European semicolon list (decimal commas, a quoted semicolon) from its header', async () => {
    const { result, contacts } = await importAs('semicolon-european.csv', 'DE');
    expect(result).toMatchObject({ rows: 3, imported: 2, rejected: rejectedCounts({ invalid_number: 1 }) });
    expect(contacts.map((c) => c.phone_e164)).toEqual(['+4930901820', '+4930901821']);
    expect(contacts[0]!.fields).toEqual({ name: 'Anna', balance: '1234,50', note: 'Kunde; seit 2019' });
  });

  it('reads a tab-delimited export, commas inside cells kept as text', async () => {
    const { result, contacts } = await importAs('tab-delimited.txt', 'CN');
    expect(result).toMatchObject({
      rows: 3,
      imported: 2,
      rejected: rejectedCounts({ duplicate_in_file: 1 }),
    });
    expect(contacts.map((c) => c.fields)).toEqual([
      { name: 'A', note: 'plain, with comma' },
      { name: 'B', note: 'quoted\ttab' },
    ]);
  });

  it('follows an explicit --delimiter over what the header suggests', async () => {
    // Read as commas, the semicolon file is one column named "phone;name;balance;note", which has
    // no phone column the import can recognize; the error says so rather than guessing.
    const failure = await importAs('semicolon-european.csv', 'DE', 'comma').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/phone/);
    const { result } = await importAs('semicolon-european.csv', 'DE', 'semicolon');
    // Both numbers were imported into another campaign by the first test: held for approval.
    expect(result).toMatchObject({ rows: 3, imported: 0, held: 2 });
  });
});

describeEachDatabase('list import: UTF-16 ("Unicode text" from Excel)', (database) => {
  it.each([
    ['utf16le-unicode-text.txt', 'utf-16le', ['+8613800138031', '+8613900139032']],
    ['utf16be-unicode-text.txt', 'utf-16be', ['+8613800138041', '+8613900139042']],
  ])(
    'reads %s by its byte order mark: tabs, Chinese headers, a quoted comma, an emoji',
    async (name, encoding, numbers) => {
      const { db } = database();
      const campaign = await makeImportCampaign(db);
      const result = await importFile(database(), {
        campaignId: campaign.id,
        file: fixture(name),
        archiveRoot: newArchiveRoot(),
      });
      expect(result).toMatchObject({ rows: 3, imported: 2, rejected: rejectedCounts({ invalid_number: 1 }) });
      const contacts = await db
        .selectFrom('contacts')
        .select(['phone_e164', 'fields'])
        .where('campaign_id', '=', campaign.id)
        .orderBy('line_number')
        .execute();
      expect(contacts.map((c) => c.phone_e164)).toEqual(numbers);
      expect(contacts.map((c) => c.fields)).toEqual([
        { 姓名: '张三', 备注: '老客户, VIP' },
        { 姓名: '李四', 备注: '😀 emoji' },
      ]);
      const batch = await db
        .selectFrom('batches')
        .select('encoding')
        .where('id', '=', result.batchId!)
        .executeTakeFirstOrThrow();
      expect(batch.encoding).toBe(encoding);
    },
  );

  it('refuses a UTF-16 file when another --encoding is forced, writing nothing', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const failure = await importFile(database(), {
      campaignId: campaign.id,
      file: fixture('utf16le-unicode-text.txt'),
      archiveRoot: newArchiveRoot(),
      encoding: 'gbk',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImportFileError);
    expect((failure as ImportFileError).message).toMatch(/UTF-16 byte order mark but --encoding gbk/);
    expect(await countRows(db, campaign.id)).toEqual({ batches: 0, contacts: 0, rejected: 0 });
  });
});
