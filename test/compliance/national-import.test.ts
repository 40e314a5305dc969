import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importNationalDnc } from '../../db/queries/national-dnc-import.ts';
import { createPhoneNormalizer } from '../../engine/compliance/phone-number.ts';
import { describeEachDatabase } from '../support/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'dialer-national-'));
function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describeEachDatabase('national registry import', (handle) => {
  const normalize = createPhoneNormalizer('US');
  const numbers = async () =>
    (await handle().db.selectFrom('national_dnc').select('phone_e164').orderBy('phone_e164').execute()).map(
      (r) => r.phone_e164,
    );

  it('loads a registry file, normalizing every shape to E.164 and rejecting what is not a number', async () => {
    const path = file('first.txt', [
      '2125550100',
      '212,5550101',
      '+1 (212) 555-0102',
      '12125550103',
      'header',
      '12',
      '',
    ]);
    const result = await importNationalDnc(handle(), {
      file: path,
      normalize,
      replace: true,
      actor: 'officer',
      pgliteChunkLines: 2,
    });
    expect(result).toMatchObject({
      linesRead: 7,
      rejected: 2,
      added: 4,
      totalNumbers: 4,
      replaced: true,
      duplicates: 0,
    });
    expect(result.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await numbers()).toEqual(['+12125550100', '+12125550101', '+12125550102', '+12125550103']);
    const sync = await handle()
      .db.selectFrom('national_dnc_syncs')
      .selectAll()
      .where('id', '=', result.syncId)
      .executeTakeFirstOrThrow();
    expect(sync).toMatchObject({ numbers: 4, replaced: true, file_sha256: result.fileSha256 });
    const audit = await handle()
      .db.selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'dnc.national_replace')
      .execute();
    expect(audit.at(-1)?.details).toMatchObject({ syncId: result.syncId, linesRead: 7 });
  });

  it('replaces the whole set, keeping each repeated number once', async () => {
    const path = file('second.txt', ['3105550100', '3105550100', '+13105550100', '3105550101']);
    const result = await importNationalDnc(handle(), {
      file: path,
      normalize,
      replace: true,
      actor: 'officer',
    });
    expect(result).toMatchObject({ added: 2, duplicates: 2, totalNumbers: 2 });
    expect(await numbers()).toEqual(['+13105550100', '+13105550101']);
    // The swapped-in table is the live one, with its primary key under the usual name.
    await expect(
      handle().db.insertInto('national_dnc').values({ phone_e164: '+13105550100' }).execute(),
    ).rejects.toThrow(/national_dnc_pkey|duplicate/);
  });

  it('adds to the set without --replace', async () => {
    const path = file('third.txt', ['3105550101', '4155550100']);
    const result = await importNationalDnc(handle(), {
      file: path,
      normalize,
      replace: false,
      actor: 'officer',
    });
    expect(result).toMatchObject({ added: 1, totalNumbers: 3, replaced: false });
    expect(await numbers()).toEqual(['+13105550100', '+13105550101', '+14155550100']);
  });

  it('refuses a missing file and changes nothing', async () => {
    await expect(
      importNationalDnc(handle(), { file: join(dir, 'nope.txt'), normalize, replace: true, actor: 'o' }),
    ).rejects.toThrow(/cannot read registry file/);
    expect(await numbers()).toHaveLength(3);
  });
});

describe('phone numbers for compliance lists', () => {
  it('normalizes the usual shapes and refuses the rest', () => {
    const us = createPhoneNormalizer('US');
    expect(us('2125550100')).toBe('+12125550100');
    expect(us('1 212 555 0100')).toBe('+12125550100');
    expect(us('+44 20 7946 0958')).toBe('+442079460958');
    expect(us('011 44 20 7946 0958')).toBe('+442079460958');
    expect(us('555')).toBeNull();
    expect(us('not a number')).toBeNull();
    const cn = createPhoneNormalizer('CN');
    expect(cn('13800138000')).toBe('+8613800138000');
    expect(cn('+86 138 0013 8000')).toBe('+8613800138000');
  });
});
