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
      id: 'reg-f-1006.14-b3',
      title:
        '12 CFR 1006.14(b)(3): calls that do not count toward the (b)(2) frequencies: (i) placed with the person’s prior consent given directly to the debt collector, within no longer than seven consecutive days after receiving it, the date consent is received counting as the first day; (ii) not connected to the dialed number',
      url: 'https://www.ecfr.gov/current/title-12/chapter-X/part-1006/subpart-B/section-1006.14#p-1006.14(b)(3)',
    },
    {
      id: 'reg-f-comment-14-b3-ii-1',
      title:
        'Regulation F official interpretation, comment 14(b)(3)(ii)-1: a call is not connected to the dialed number when e.g. the collector gets a busy signal or a not-in-service indication; a call that rings unanswered, is answered, or reaches voicemail or a recorded message is connected and counts',
      url: 'https://www.consumerfinance.gov/rules-policy/regulations/1006/interp-14/',
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
      // 1006.14(b)(3)(ii): busy (a busy signal, or a rejection the network signals as busy),
      // congestion (the network's all-circuits-busy) and invalid_number (not in service, no
      // route) never reached the dialed number. No answer, a machine, an abandoned or a failed
      // call after the answer all count; so does a call still open.
      uncountedResults: ['busy', 'congestion', 'invalid_number'],
      // 1006.14(b)(3)(i): a callback the person asked for in a conversation with an agent.
      consentExclusionDays: 7,
      callerNumbers: 'across',
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
      'reg-f-1006.14 (sliding 168 h windows: at least as strict as calendar days; an account without a reference is counted by its number); reg-f-1006.14-b3 and reg-f-comment-14-b3-ii-1 (calls not connected to the dialed number, and callbacks asked for in a conversation within 7 days of it counting its day as the first, neither count nor are held)',
    retentionDays:
      'reg-f-1006.100 (dial log, outcomes, recordings, consent: 3 years); fcc-64.1200-d6 (DNC requests, 5 years); lists: licence',
  },
};
