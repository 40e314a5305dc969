import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../engine/platform/mask-phone.ts';

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
