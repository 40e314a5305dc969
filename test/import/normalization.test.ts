import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { parseColumnMap, resolveColumns } from '../../campaigns/import/column-map.ts';
import { copyText, copyTextArray } from '../../campaigns/import/copy-text.ts';
import { neutralizeCell } from '../../campaigns/import/formula-cells.ts';
import { ImportFileError } from '../../campaigns/import/import-file-error.ts';
import { ListDecoder } from '../../campaigns/import/list-decoder.ts';
import { createPhoneNormalizer } from '../../campaigns/import/phone-normalizer.ts';
import { zonesForNumber } from '../../campaigns/import/phone-time-zones.ts';
import { resolveTimeZone } from '../../campaigns/import/time-zone.ts';
import { UsageError } from '../../engine/platform/errors.ts';

describe('phone normalization', () => {
  const cn = createPhoneNormalizer('CN');
  const us = createPhoneNormalizer('US');

  it.each([
    ['13800138000', '+8613800138000'],
    ['138 0013 8000', '+8613800138000'],
    ['138-0013-8000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['0086 13800138000', '+8613800138000'],
    ['8613800138000', '+8613800138000'],
    ['010 1234 5678', '+861012345678'],
    ["'13800138000", '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['+1 (212) 736-5000', '+12127365000'],
  ])('writes %s as %s for a CN campaign', (raw, e164) => {
    expect(cn.normalize(raw)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['(212) 736-5000', '+12127365000'],
    ['1 212 736 5000', '+12127365000'],
    ['416-979-4000', '+14169794000'],
  ])('writes %s as %s for a US campaign', (raw, e164) => {
    expect(us.normalize(raw)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', 'missing_number'],
    ['   ', 'missing_number'],
    ['1.38E+10', 'scientific_notation'],
    ['1.38001e10', 'scientific_notation'],
    ['8.6138E+12', 'scientific_notation'],
    ['12345678901', 'invalid_number'],
    ['12345', 'invalid_number'],
    ['not a number', 'invalid_number'],
  ])('rejects %j as %s', (raw, reason) => {
    const result = cn.normalize(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.reason).toBe(reason);
  });

  it('decides exactly as libphonenumber-js (max metadata) on 20,000 generated inputs', () => {
    const prefixes = ['', '+', '+86', '+1', '0', '00', '1', '86', '+44', '+7', '+61', '13', '+8613', '15'];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let disagreements = 0;
    for (let i = 0; i < 20_000; i++) {
      const length = 3 + Math.floor(random() * 12);
      let digits = '';
      for (let d = 0; d < length; d++) digits += Math.floor(random() * 10);
      const input = prefixes[Math.floor(random() * prefixes.length)] + digits;
      for (const [region, normalizer] of [
        ['CN', cn],
        ['US', us],
      ] as const) {
        const ours = normalizer.normalize(input);
        const theirs = parsePhoneNumberFromString(input, region);
        const expected = theirs?.isValid() ? theirs.number : undefined;
        if ((ours.ok ? ours.e164 : undefined) !== expected) disagreements++;
      }
    }
    expect(disagreements).toBe(0);
  });
});

describe('time zone of a contact', () => {
  it('takes a single-zone country or area code from the number', () => {
    expect(resolveTimeZone('+8613800138000', undefined, 'America/New_York')).toEqual({
      timeZone: 'Asia/Shanghai',
      assumed: false,
      candidates: null,
    });
    expect(resolveTimeZone('+12127365000', '', 'Asia/Shanghai').timeZone).toBe('America/New_York');
    expect(zonesForNumber('+14156562671')).toEqual(['America/Los_Angeles']);
  });

  it('prefers a valid zone written in the list', () => {
    expect(resolveTimeZone('+12127365000', ' America/Chicago ', 'Asia/Shanghai')).toEqual({
      timeZone: 'America/Chicago',
      assumed: false,
      candidates: null,
    });
  });

  it('keeps every candidate when the area code spans zones, preferring the campaign default', () => {
    expect(resolveTimeZone('+12083731234', 'Mars/Base', 'America/Los_Angeles')).toEqual({
      timeZone: 'America/Los_Angeles',
      assumed: true,
      candidates: ['America/Denver', 'America/Los_Angeles'],
    });
  });

  it('makes every US and Canadian zone a candidate for a +1 area code the table does not place (new or toll-free)', () => {
    for (const number of ['+12735550123', '+18005550123', '+13575550123']) {
      const zone = resolveTimeZone(number, undefined, 'America/New_York');
      expect(zone).toMatchObject({ timeZone: 'America/New_York', assumed: true });
      expect(zone.candidates).toEqual(
        expect.arrayContaining([
          'Pacific/Honolulu',
          'America/Los_Angeles',
          'America/New_York',
          'America/St_Johns',
        ]),
      );
    }
  });

  it('assumes the campaign default when the number says nothing', () => {
    expect(resolveTimeZone('+999123', undefined, 'Asia/Shanghai')).toEqual({
      timeZone: 'Asia/Shanghai',
      assumed: true,
      candidates: null,
    });
  });
});

describe('columns of a list', () => {
  it('finds Chinese and English header names without --map', () => {
    const cols = resolveColumns(['姓名', '手机号码', '同意'], {});
    expect(cols).toMatchObject({ phone: 1, name: 0, consent: 2, tz: undefined });
    expect(resolveColumns(['Phone Number', 'Time_Zone'], {})).toMatchObject({ phone: 0, tz: 1 });
  });

  it('takes --map by header name or column number', () => {
    expect(parseColumnMap('phone=Mobile No.,tz=3')).toEqual({ phone: 'Mobile No.', tz: '3' });
    expect(resolveColumns(['a', 'Mobile No.', 'z'], parseColumnMap('phone=mobile no.,tz=3'))).toMatchObject({
      phone: 1,
      tz: 2,
    });
  });

  it('refuses an unknown role and a missing column', () => {
    expect(() => parseColumnMap('fone=1')).toThrow(UsageError);
    expect(() => resolveColumns(['a', 'b'], { phone: 'c' })).toThrow(ImportFileError);
    expect(() => resolveColumns(['name'], {})).toThrow(/no phone column/);
  });

  it('gives every column a unique, non-empty key', () => {
    expect(resolveColumns(['phone', 'x', 'x', ''], {}).fieldKeys).toEqual(['phone', 'x', 'x_2', 'column_4']);
  });
});

describe('text written out', () => {
  it('neutralizes cells a spreadsheet would run as formulas', () => {
    expect(['=1+2', '+86', '-5', '@SUM(A1)', '\tx', 'ok', ''].map(neutralizeCell)).toEqual([
      "'=1+2",
      "'+86",
      "'-5",
      "'@SUM(A1)",
      "'\tx",
      'ok',
      '',
    ]);
  });

  it('escapes COPY text', () => {
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText(null)).toBe('\\N');
    expect(copyTextArray(['America/Denver', 'America/Los_Angeles'])).toBe(
      '{"America/Denver","America/Los_Angeles"}',
    );
  });
});

describe('list decoding', () => {
  const decode = (bytes: Buffer, choice: 'auto' | 'utf8' | 'gbk' = 'auto', chunk = 3) => {
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
    return text(Readable.from(pieces).pipe(new ListDecoder(choice)));
  };

  it('drops a UTF-8 BOM and turns CRLF into LF, whatever the chunk boundaries', async () => {
    expect(await decode(Buffer.from('\ufeffa,b\r\n1,2\r\n'))).toBe('a,b\n1,2\n');
  });

  it('decodes GBK when the bytes are not UTF-8', async () => {
    const gbk = Buffer.from([0xca, 0xd6, 0xbb, 0xfa, 0x0a]);
    expect(await decode(gbk)).toBe('手机\n');
    expect(await decode(gbk, 'gbk')).toBe('手机\n');
  });

  it('names the line of an undecodable byte', async () => {
    const bytes = Buffer.from('a\nb\nc\xff\n', 'latin1');
    await expect(decode(bytes, 'utf8')).rejects.toMatchObject({ line: 3 });
  });

  it('decodes UTF-16 by its BOM, a 0x0A byte inside a character (上 is 0x4E0A) not ending the line', async () => {
    const text = '手机号码\t上海\r\n1\t上\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(await decode(le)).toBe('手机号码\t上海\n1\t上\n');
    expect(await decode(be)).toBe('手机号码\t上海\n1\t上\n');
  });

  it('names the line of a lone surrogate in UTF-16', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('a\nb\n', 'utf16le'),
      Buffer.from([0x00, 0xd8]),
      Buffer.from('c\n', 'utf16le'),
    ]);
    await expect(decode(bytes)).rejects.toMatchObject({ line: 3 });
  });
});
