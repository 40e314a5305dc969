import type { PresetInput } from './preset-schema.ts';

/** United States, telemarketing and other non-collection calls (TCPA, FCC rules, the FTC's TSR). */
export const usPreset: PresetInput = {
  name: 'us',
  jurisdiction: 'US',
  description:
    'United States: FCC calling hours and abandonment cap, the national Do-Not-Call registry, company-specific DNC requests, TSR record keeping.',
  sources: [
    {
      id: 'fcc-64.1200',
      title:
        '47 CFR 64.1200 (FCC, TCPA rules): (c)(1) calling hours 8 am-9 pm at the called party’s location; (a)(7) abandonment ≤ 3 % per campaign over 30 days, 2-second rule; (c)(2) national registry scrubbed at least every 31 days',
      url: 'https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200',
    },
    {
      id: 'fcc-64.1200-d6',
      title:
        '47 CFR 64.1200(d)(3), (d)(6) as amended (effective 11 April 2025): a company-specific do-not-call request honoured within 10 business days and kept at least 5 years',
      url: 'https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200',
    },
    {
      id: 'tsr-310.5',
      title:
        '16 CFR 310.5 (FTC Telemarketing Sales Rule, record keeping, as amended 2024): call detail records including each call’s disposition, and records of consent, kept 5 years',
      url: 'https://www.ecfr.gov/current/title-16/chapter-I/subchapter-C/part-310/section-310.5',
    },
    {
      id: 'us-state-recording',
      title:
        'State wiretap statutes requiring every party’s consent to record (CA Penal Code 632, FL Stat. 934.03, IL 720 ILCS 5/14-2, MD Cts. & Jud. Proc. 10-402, MA G.L. c.272 §99, MT 45-8-213, NH RSA 570-A:2, PA 18 Pa.C.S. 5703, WA RCW 9.73.030, and others)',
    },
    {
      id: 'ofcom-72h',
      title:
        'Product default (DESIGN.md §5): no repeat call within 72 h of an abandoned call unless an agent is reserved, applied in every jurisdiction',
    },
    {
      id: 'licence',
      title:
        'The call-centre licence application (DESIGN.md §2): received lists archived by date for at least one year',
    },
  ],
  legalHours: [{ start: '08:00', end: '21:00' }],
  holidays: [],
  nationalRegistryMaxAgeDays: 31,
  requiresConsent: false,
  repeatAfterAbandonHours: 72,
  machineRedialNextDayUnlessAgent: false,
  abandonment: { definition: 'us', maxRate: 0.03 },
  frequency: [],
  recordingNotice: 'us_all_party_states',
  retentionDays: {
    dialLog: 1826,
    outcomes: 1826,
    recordings: 1826,
    consentEvidence: 1826,
    dncRequests: 1826,
    lists: 365,
  },
  figureSources: {
    legalHours: 'fcc-64.1200',
    holidays: 'no federal holiday ban (the campaign adds its own)',
    nationalRegistryMaxAgeDays: 'fcc-64.1200',
    requiresConsent:
      'no prior consent needed for live-agent calls to numbers not on a DNC list (fcc-64.1200)',
    repeatAfterAbandonHours: 'ofcom-72h',
    machineRedialNextDayUnlessAgent: 'no US rule',
    abandonment: 'fcc-64.1200',
    frequency: 'no federal per-number cap for telemarketing',
    recordingNotice: 'us-state-recording',
    retentionDays:
      'tsr-310.5 (dial log, outcomes, consent); fcc-64.1200-d6 (DNC requests); recordings kept with the call records (product choice); lists: licence',
  },
};
