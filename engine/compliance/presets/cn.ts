import type { PresetInput } from './preset-schema.ts';

/** China (MIIT's 2020 notice on call centres, the carriers' platform rules). */
export const cnPreset: PresetInput = {
  name: 'cn',
  jurisdiction: 'CN',
  description:
    'China: outbound calls only with the called person’s consent (MIIT 2020 No. 81), carrier platform frequency caps, records and consent evidence kept at least 30 days.',
  sources: [
    {
      id: 'miit-2020-81',
      title:
        '工业和信息化部关于进一步加强呼叫中心业务管理的通知 (工信部信管〔2020〕81号): outbound calls only with the user’s consent, for revisits and information; recordings, numbers, call times and the consent evidence kept at least 30 days',
    },
    {
      id: 'carrier-platform',
      title:
        'Carrier platform rule for call-centre numbers: calls 08:00-21:00 Beijing time; the same callee at most 5 calls in 24 h and 3 in 5 minutes, across caller numbers',
    },
    {
      id: 'nuisance-2018',
      title:
        '关于推进综合整治骚扰电话专项行动的工作方案 (2018, thirteen departments): a user who has not clearly consented counts as refusing; calls stop at once after a refusal',
    },
    {
      id: 'licence',
      title:
        'The call-centre licence application (DESIGN.md §2): received lists archived by date for at least one year',
    },
  ],
  // The carrier allows 08:00-21:00; 09:00-20:00 is the product's conservative default (local
  // rules commonly forbid evening marketing calls). A campaign may override it.
  legalHours: [{ start: '09:00', end: '20:00' }],
  holidays: [],
  nationalRegistryMaxAgeDays: null,
  requiresConsent: true,
  repeatAfterAbandonHours: 72,
  machineRedialNextDayUnlessAgent: false,
  abandonment: { definition: 'cn', maxRate: 0.03 },
  frequency: [
    {
      id: 'cn-carrier-callee',
      unit: 'number',
      across: 'all',
      windows: [
        { minutes: 24 * 60, maxAttempts: 5 },
        { minutes: 5, maxAttempts: 3 },
      ],
      quietAfterConversationMinutes: null,
      // "across caller numbers": every call to the callee counts, whichever line presented it.
      callerNumbers: 'across',
      source: 'carrier-platform',
    },
  ],
  recordingNotice: 'always',
  retentionDays: {
    dialLog: 30,
    outcomes: 30,
    recordings: 30,
    consentEvidence: 30,
    dncRequests: 365,
    lists: 365,
  },
  figureSources: {
    legalHours: 'carrier-platform (08:00-21:00), narrowed to 09:00-20:00 as a conservative product default',
    holidays: 'none nationally (the campaign adds its own)',
    nationalRegistryMaxAgeDays: 'no bulk registry: the national decline-calls platform is not loaded here',
    requiresConsent: 'miit-2020-81, nuisance-2018',
    repeatAfterAbandonHours: 'product default (DESIGN.md §5)',
    machineRedialNextDayUnlessAgent: 'no such rule',
    abandonment: 'product default: the 3 % cap (no national figure)',
    frequency: 'carrier-platform',
    recordingNotice: 'miit-2020-81 (recordings kept; the called person is told)',
    retentionDays:
      'miit-2020-81 (30 days: dial log, outcomes, recordings, consent evidence); DNC requests one year (product choice); lists: licence',
  },
};
