import { describe, expect, it } from 'vitest';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { jurisdictionPolicy } from '../../engine/compliance/jurisdictions.ts';
import { allPartyConsentState, recordingNoticeRule } from '../../engine/compliance/recording-notice.ts';
import { recordingNoticeFor } from '../../engine/compliance/recording-policy.ts';

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

describe('whether a recorded call hears a notice, or is not recorded', () => {
  const campaign = (recording: Record<string, unknown>) =>
    campaignDefinitionSchema.parse({
      name: 'notice',
      client: 'acme',
      type: 'survey',
      mode: 'progressive',
      dialing: { callerId: '+12125550100', endpointTemplate: 'PJSIP/{number}@carrier' },
      callingWindow: { days: ['mon'], start: '09:00', end: '17:00' },
      recording,
    });

  it("plays the campaign's notice on every call it records", () => {
    const c = campaign({ enabled: true, notice: { sound: 'sound:acme-notice' } });
    expect(recordingNoticeFor(c, '+12125550123')).toEqual({
      notice: { sound: 'sound:acme-notice' },
      withheld: null,
    });
  });

  it('records without a notice where the preset requires none (a one-party state)', () => {
    expect(recordingNoticeFor(campaign({ enabled: true }), '+12125550123')).toEqual({
      notice: null,
      withheld: null,
    });
  });

  it('does not record a call the preset requires a notice for when the campaign has no notice sound', () => {
    const decision = recordingNoticeFor(campaign({ enabled: true }), '+13105550123');
    expect(decision.notice).toBeNull();
    expect(decision.withheld).toContain('California');
  });

  it('decides nothing for a campaign that does not record', () => {
    expect(recordingNoticeFor(campaign({ enabled: false }), '+13105550123')).toEqual({
      notice: null,
      withheld: null,
    });
  });
});
