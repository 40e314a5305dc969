import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { resolveColumns } from '../../campaigns/import/column-map.ts';
import { describeEachDatabase } from '../support/database.ts';
import { importFile, makeImportCampaign, newArchiveRoot } from './support.ts';

it('finds the account column by its usual names, in English and Chinese', () => {
  expect(resolveColumns(['手机号码', '账号'], {})).toMatchObject({ phone: 0, account: 1 });
  expect(resolveColumns(['Account Number', 'phone'], {})).toMatchObject({ phone: 1, account: 0 });
  expect(resolveColumns(['phone'], {}).account).toBeUndefined();
});

describeEachDatabase('the account and consent references of a list', (handle) => {
  it('stores each row’s account and consent reference on its contact (empty cells as none)', async () => {
    const { db } = handle();
    const campaign = await makeImportCampaign(db);
    const dir = mkdtempSync(join(tmpdir(), 'dialer-import-account-'));
    const file = join(dir, 'list.csv');
    writeFileSync(
      file,
      'phone,account,consent\n13900001101,LOAN-1,CONSENT-A\n13900001102,LOAN-1,CONSENT-B\n13900001103,,\n',
    );
    const result = await importFile(handle(), {
      campaignId: campaign.id,
      file,
      archiveRoot: newArchiveRoot(),
    });
    expect(result.imported).toBe(3);
    const rows = await db
      .selectFrom('contacts')
      .select(['phone_e164', 'account_ref', 'consent_ref'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('phone_e164')
      .execute();
    expect(rows).toEqual([
      { phone_e164: '+8613900001101', account_ref: 'LOAN-1', consent_ref: 'CONSENT-A' },
      { phone_e164: '+8613900001102', account_ref: 'LOAN-1', consent_ref: 'CONSENT-B' },
      { phone_e164: '+8613900001103', account_ref: null, consent_ref: null },
    ]);
  });
});
