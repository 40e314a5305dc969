import { describe, expect, it } from 'vitest';
import { maskPhone, maskPhonesInText } from '../../engine/platform/mask-phone.ts';

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
