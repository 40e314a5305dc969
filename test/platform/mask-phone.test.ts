import { describe, expect, it } from 'vitest';
import {
  maskDialedNumbers,
  maskPhone,
  maskPhonesInField,
  maskPhonesInText,
} from '../../engine/platform/mask-phone.ts';

describe('phone masking', () => {
  it('keeps the country prefix and the last two digits of an E.164 number', () => {
    expect(maskPhone('+8613812345678')).toBe('+86*********78');
    expect(maskPhone('+12125550123')).toBe('+12*******23');
  });

  it('never shows more than the last two digits of a short or national number', () => {
    expect(maskPhone('0201234567')).toBe('********67');
    expect(maskPhone('1234')).toBe('****');
    expect(maskPhone('')).toBe('');
    expect(maskPhone(null)).toBe('');
  });
});

describe('phone masking in free text', () => {
  it('masks a number quoted as written inside a reject detail, and leaves short numbers alone', () => {
    expect(maskPhonesInText('"+1 212 555 01234" is not a valid phone number')).toBe(
      '"+12********34" is not a valid phone number',
    );
    expect(maskPhonesInText('"1.38E+10" is a number a spreadsheet wrote in scientific notation')).toBe(
      '"1.38E+10" is a number a spreadsheet wrote in scientific notation',
    );
    expect(maskPhonesInText('the same number as line 1234')).toBe('the same number as line 1234');
    expect(maskPhonesInText(null)).toBe('');
  });

  it('leaves no run of six digits in a detail that quoted one', () => {
    const masked = maskPhonesInText('"(020) 3456-7890 ext 12" is not a valid phone number');
    expect(masked).not.toMatch(/\d{6}/);
    expect(masked.replace(/\D/g, '')).toHaveLength(4);
  });
});

describe('phone masking of a list field shown to an agent', () => {
  it('shows an amount of money as written: the balance a collections call is about', () => {
    for (const amount of ['350.00', '$1,250.50', 'EUR 1.250,50', '-12.30', '12 345.67 €', "CHF 1'234.50"]) {
      expect(maskPhonesInField(amount), amount).toBe(amount);
    }
  });

  it('shows a date or a date and time as written', () => {
    for (const date of ['2026-12-03', '2026-12-03T14:30:00Z', '03/12/2026', '3.12.2026']) {
      expect(maskPhonesInField(date), date).toBe(date);
    }
  });

  it('masks a second phone, an account number or a number next to an amount', () => {
    expect(maskPhonesInField('+1 212 555 0123')).toBe('+12*******23');
    expect(maskPhonesInField('212.555.0123')).not.toMatch(/\d{3}/);
    expect(maskPhonesInField('5550123.45 or 2125550123')).not.toContain('2125550123');
    expect(maskPhonesInField('ACC-104298')).toBe('ACC-****98');
    // Dotted like a date, but no calendar has a 34th month or day.
    expect(maskPhonesInField('12.34.5678')).not.toContain('5678');
    expect(maskPhonesInField(null)).toBe('');
  });
});

describe('phone masking of dialed numbers in log text', () => {
  it('masks a +number however it is written, and the number of a dial string or SIP URI', () => {
    expect(maskDialedNumbers('ringing +8613812345678 now')).toBe('ringing +86*********78 now');
    expect(maskDialedNumbers('caller +1 (212) 555-0123')).toBe('caller +12*******23');
    expect(maskDialedNumbers('PJSIP/12125550123@carrier')).toBe('PJSIP/*********23@carrier');
    expect(maskDialedNumbers('sip:008613812345678@trunk.example')).toBe('sip:*************78@trunk.example');
  });

  it('leaves ids, counts, times, offsets and URLs readable', () => {
    const text =
      'attempt c1-k2-0123456789 at 2026-12-02T18:01:15.123+08:00, 1234567 rows, http://127.0.0.1:8088/ari, user@example.com';
    expect(maskDialedNumbers(text)).toBe(text);
  });
});
