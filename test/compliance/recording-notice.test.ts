import { describe, expect, it } from 'vitest';
import { jurisdictionPolicy } from '../../engine/compliance/jurisdictions.ts';
import { allPartyConsentState, recordingNoticeRule } from '../../engine/compliance/recording-notice.ts';

describe('the recording notice a preset requires', () => {
  const us = jurisdictionPolicy('US');

  it('US: required for a number in an all-party-consent state, by its area code', () => {
    const la = recordingNoticeRule(us, '+13105550123');
    expect(la).toEqual({
      required: true,
      reason: 'preset us: area code 310 is in California, where every party must consent to recording',
    });
    expect(recordingNoticeRule(us, '+12155550123').reason).toContain('Pennsylvania');
    expect(recordingNoticeRule(us, '+12065550123').required).toBe(true); // Seattle
  });

  it('US: not required in a one-party state, and never shows the full number', () => {
    const ny = recordingNoticeRule(us, '+12125550123');
    expect(ny.required).toBe(false);
    expect(ny.reason).toContain('area code 212 is not in an all-party-consent state');
    expect(ny.reason).not.toContain('5550123');
    expect(recordingNoticeRule(us, '+17135550123').required).toBe(false); // Houston
  });

  it('US: required for a number outside the North American plan (its rule is unknown)', () => {
    expect(recordingNoticeRule(us, '+442071838750').required).toBe(true);
  });

  it('UK, CN and the default: on every call; a preset may say never', () => {
    expect(recordingNoticeRule(jurisdictionPolicy('UK'), '+442071838750')).toEqual({
      required: true,
      reason: 'preset uk requires a recording notice on every call',
    });
    expect(recordingNoticeRule(jurisdictionPolicy('CN'), '+8613800138000').required).toBe(true);
    expect(recordingNoticeRule(jurisdictionPolicy('OTHER'), '+33142685300').required).toBe(true);
    expect(recordingNoticeRule({ preset: 'x', recordingNotice: 'never' }, '+13105550123').required).toBe(
      false,
    );
  });

  it('knows the state of an area code only for well-formed +1 numbers', () => {
    expect(allPartyConsentState('+14155550123')).toBe('California');
    expect(allPartyConsentState('+1415555012')).toBeNull();
    expect(allPartyConsentState('+8613800138000')).toBeNull();
  });
});
