import type { PresetInput } from './preset-schema.ts';

/** Any other jurisdiction: the product's defaults (DESIGN.md §5), to be replaced by a real preset. */
export const otherPreset: PresetInput = {
  name: 'other',
  jurisdiction: 'OTHER',
  description: 'No specific jurisdiction: the product defaults of DESIGN.md §5.',
  sources: [
    { id: 'design', title: 'DESIGN.md §5, the product defaults' },
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
  machineRedialNextDayUnlessAgent: false,
  abandonment: { definition: 'us', maxRate: 0.03 },
  frequency: [],
  recordingNotice: 'always',
  retentionDays: {
    dialLog: 365,
    outcomes: 365,
    recordings: 365,
    consentEvidence: 365,
    dncRequests: 365,
    lists: 365,
  },
  figureSources: {
    legalHours: 'design',
    holidays: 'design',
    nationalRegistryMaxAgeDays: 'design',
    requiresConsent: 'design',
    repeatAfterAbandonHours: 'design',
    machineRedialNextDayUnlessAgent: 'design',
    abandonment: 'design',
    frequency: 'design',
    recordingNotice: 'design (told always: the safe choice without a known rule)',
    retentionDays: 'licence (one year, applied to every kind of record)',
  },
};
