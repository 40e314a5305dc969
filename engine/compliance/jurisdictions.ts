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
  /**
   * The moment the 2-second connect rule counts from: `greeting_end`, the end of the called
   * person's greeting (with AMD, its verdict: the dial log's answered_at), or `sip_answer`, the
   * SIP answer (sip_answered_at, ~2 s earlier with AMD). Without AMD the two are the same.
   */
  abandonClockFrom: AbandonClockFrom;
}

export type AbandonClockFrom = 'sip_answer' | 'greeting_end';

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
    // 47 CFR 64.1200(a)(7)(i): connected "within two (2) seconds of the called person's
    // completed greeting".
    abandonClockFrom: 'greeting_end',
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
    // Ofcom's persistent-misuse policy: two seconds from the end of the called person's greeting.
    abandonClockFrom: 'greeting_end',
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
    // No statutory 2-second rule: counted from the answer, the stricter reading.
    abandonClockFrom: 'sip_answer',
  },
  OTHER: {
    code: 'OTHER',
    legalHours: [{ start: '08:00', end: '21:00' }],
    holidays: [],
    nationalRegistryMaxAgeDays: null,
    requiresConsent: false,
    repeatAfterAbandonHours: 72,
    abandonClockFrom: 'sip_answer',
  },
};

/** The default policy of a jurisdiction, optionally with some fields replaced. */
export function jurisdictionPolicy(
  code: Jurisdiction,
  overrides: Partial<Omit<JurisdictionPolicy, 'code'>> = {},
): JurisdictionPolicy {
  return { ...policies[code], ...overrides };
}
