import type { PresetInput } from './preset-schema.ts';

/** United Kingdom (Ofcom's persistent-misuse policy, PECR). */
export const ukPreset: PresetInput = {
  name: 'uk',
  jurisdiction: 'UK',
  description:
    'United Kingdom: Ofcom’s statement of policy on persistent misuse (abandoned and silent calls, AMD), PECR.',
  sources: [
    {
      id: 'ofcom-persistent-misuse',
      title:
        'Ofcom, Revised statement of policy on the persistent misuse of an electronic communications network or service (2016): abandoned calls ≤ 3 % per campaign per 24 h counting estimated AMD false positives; an information message; no repeat call within 72 h of an abandoned call unless a live agent is guaranteed; a number AMD took for a machine is called again the same day only with a guaranteed live agent; call records kept (at least 6 months)',
      url: 'https://www.ofcom.org.uk/phones-and-broadband/scam-calls-and-messages/persistent-misuse',
    },
    {
      id: 'uk-dma-hours',
      title:
        'No statutory calling hours; 08:00-21:00 is the industry practice (DMA code) and the product default',
    },
    {
      id: 'uk-recording',
      title:
        'Investigatory Powers Act 2016 / Lawful Business Practice Regulations and UK GDPR transparency: callers told that the call is recorded',
    },
    {
      id: 'licence',
      title:
        'The call-centre licence application (DESIGN.md §2): received lists archived by date for at least one year',
    },
  ],
  legalHours: [{ start: '08:00', end: '21:00' }],
  holidays: [],
  nationalRegistryMaxAgeDays: null,
  requiresConsent: false,
  repeatAfterAbandonHours: 72,
  machineRedialNextDayUnlessAgent: true,
  abandonment: { definition: 'uk', maxRate: 0.03 },
  frequency: [],
  recordingNotice: 'always',
  retentionDays: {
    dialLog: 183,
    outcomes: 183,
    recordings: 183,
    consentEvidence: 183,
    dncRequests: 365,
    lists: 365,
  },
  figureSources: {
    legalHours: 'uk-dma-hours',
    holidays: 'no statutory holiday ban (the campaign adds its own)',
    nationalRegistryMaxAgeDays: 'the TPS is not bulk-loaded here: no registry age rule',
    requiresConsent:
      'live marketing calls need no prior consent unless the number is on the TPS (PECR reg. 21)',
    repeatAfterAbandonHours: 'ofcom-persistent-misuse',
    machineRedialNextDayUnlessAgent: 'ofcom-persistent-misuse',
    abandonment: 'ofcom-persistent-misuse (the uk definition counts estimated AMD false positives)',
    frequency: 'no per-number cap beyond the 72 h and same-day machine rules',
    recordingNotice: 'uk-recording',
    retentionDays:
      'ofcom-persistent-misuse (call records, 6 months, applied to the dial log, outcomes, recordings and consent); DNC requests one year (product choice); lists: licence',
  },
};
