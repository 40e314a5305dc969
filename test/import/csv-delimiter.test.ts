import { describe, expect, it } from 'vitest';
import { detectDelimiter } from '../../campaigns/import/csv-delimiter.ts';

describe('the cell separator of a list', () => {
  it('is a comma for a comma header', () => {
    expect(detectDelimiter('phone,name,note')).toBe(',');
  });

  it('is a semicolon for a European Excel header, even with commas in a quoted header name', () => {
    expect(detectDelimiter('phone;"name, first";balance')).toBe(';');
  });

  it('is a tab for a tab-delimited export', () => {
    expect(detectDelimiter('手机号码\t姓名\t备注')).toBe('\t');
  });

  it('is a comma for a one-column list and on a tie', () => {
    expect(detectDelimiter('phone')).toBe(',');
    expect(detectDelimiter('a,b;c')).toBe(',');
  });
});
