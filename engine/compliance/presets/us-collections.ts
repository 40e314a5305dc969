import type { PresetInput } from './preset-schema.ts';
import { usPreset } from './us.ts';

/** United States, debt collection: the US preset plus Regulation F's call-frequency presumption. */
export const usCollectionsPreset: PresetInput = {
  ...usPreset,
  name: 'us-collections',
  description:
    'United States debt collection: the US preset, plus Regulation F (12 CFR 1006.14(b)(2)): at most 7 call attempts per debt within 7 consecutive days, and no call within 7 days after a telephone conversation about the debt, across every campaign of the creditor.',
  sources: [
    ...usPreset.sources,
    {
      id: 'reg-f-1006.14',
      title:
        '12 CFR 1006.14(b)(2) (CFPB Regulation F): presumed compliant with at most 7 call attempts within 7 consecutive days per debt, and none within 7 days after a telephone conversation about the debt (the conversation’s date is the first of the 7 days)',
      url: 'https://www.ecfr.gov/current/title-12/chapter-X/part-1006/subpart-B/section-1006.14',
    },
    {
      id: 'reg-f-1006.100',
      title:
        '12 CFR 1006.100 (Regulation F record retention): records kept from the start of collection activity until three years after the last collection activity on the debt',
      url: 'https://www.ecfr.gov/current/title-12/chapter-X/part-1006/subpart-D/section-1006.100',
    },
  ],
  frequency: [
    {
      id: 'reg-f-7-in-7',
      unit: 'account',
      across: 'client',
      windows: [{ minutes: 7 * 24 * 60, maxAttempts: 7 }],
      quietAfterConversationMinutes: 7 * 24 * 60,
      source: 'reg-f-1006.14',
    },
  ],
  // TSR does not govern collection calls; Regulation F asks 3 years, the company DNC rule 5.
  retentionDays: {
    dialLog: 1096,
    outcomes: 1096,
    recordings: 1096,
    consentEvidence: 1096,
    dncRequests: 1826,
    lists: 365,
  },
  figureSources: {
    ...usPreset.figureSources,
    frequency:
      'reg-f-1006.14 (sliding 168 h windows: at least as strict as calendar days; an account without a reference is counted by its number)',
    retentionDays:
      'reg-f-1006.100 (dial log, outcomes, recordings, consent: 3 years); fcc-64.1200-d6 (DNC requests, 5 years); lists: licence',
  },
};
