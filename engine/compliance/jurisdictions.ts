import type { Jurisdiction } from '../../campaigns/campaign-definition.ts';

/** A span of local time, "HH:MM" to "HH:MM", end exclusive. */
export interface DailySpan {
  start: string;
  end: string;
}

/**
 * What a jurisdiction imposes on top of the campaign's own settings. The defaults follow
 * DESIGN.md §5; a deployment can pass its own policy to the gate (GateInput.policy).
 */
export interface JurisdictionPolicy {
  code: Jurisdiction;
  /** Local hours in which calls are lawful, every day. Several spans allow a midday pause. */
  legalHours: readonly DailySpan[];
  /** Public holidays on which the jurisdiction forbids calls (YYYY-MM-DD, local date). */
  holidays: readonly string[];
  /** Dialing stops when the national registry copy is older than this; null: no registry. */
  nationalRegistryMaxAgeDays: number | null;
  /** Marketing calls need the called person's recorded consent. */
  requiresConsent: boolean;
  /** No new call within this many hours after an abandoned call, unless an agent is reserved. */
  repeatAfterAbandonHours: number;
}

const policies: Record<Jurisdiction, JurisdictionPolicy> = {
  // FCC 47 CFR 64.1200(c)(1): not before 8 am or after 9 pm at the called party's location;
  // the national registry must be scrubbed at least every 31 days.
  US: {
    code: 'US',
    legalHours: [{ start: '08:00', end: '21:00' }],
    holidays: [],
    nationalRegistryMaxAgeDays: 31,
    requiresConsent: false,
    repeatAfterAbandonHours: 72,
  },
  // Ofcom sets no statutory calling hours; 08:00-21:00 is the industry practice (DMA code) and
  // the product default. The TPS is not bulk-loaded here, so no registry age rule applies.
  UK: {
    code: 'UK',
    legalHours: [{ start: '08:00', end: '21:00' }],
    holidays: [],
    nationalRegistryMaxAgeDays: null,
    requiresConsent: false,
    repeatAfterAbandonHours: 72,
  },
  // MIIT regulates calling periods without a single national clock; local rules commonly forbid
  // marketing calls in the evening. 09:00-20:00 is a conservative default, configurable.
  // Consent ("white list") is required for commercial marketing calls.
  CN: {
    code: 'CN',
    legalHours: [{ start: '09:00', end: '20:00' }],
    holidays: [],
    nationalRegistryMaxAgeDays: null,
    requiresConsent: true,
    repeatAfterAbandonHours: 72,
  },
  OTHER: {
    code: 'OTHER',
    legalHours: [{ start: '08:00', end: '21:00' }],
    holidays: [],
    nationalRegistryMaxAgeDays: null,
    requiresConsent: false,
    repeatAfterAbandonHours: 72,
  },
};

/** The default policy of a jurisdiction, optionally with some fields replaced. */
export function jurisdictionPolicy(
  code: Jurisdiction,
  overrides: Partial<Omit<JurisdictionPolicy, 'code'>> = {},
): JurisdictionPolicy {
  return { ...policies[code], ...overrides };
}
