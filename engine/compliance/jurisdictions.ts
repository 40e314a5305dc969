import type { Jurisdiction } from '../../campaigns/campaign-definition.ts';
import {
  applyOverrides,
  DEFAULT_PRESET,
  type FrequencyRule,
  findPreset,
  type Preset,
  type PresetOverrides,
  type RecordingNoticeMode,
} from './presets/index.ts';

/** A span of local time, "HH:MM" to "HH:MM", end exclusive. */
export interface DailySpan {
  start: string;
  end: string;
}

/**
 * What a jurisdiction imposes on top of the campaign's own settings: the figures of the
 * campaign's preset (presets/*.ts, with their sources), with the campaign's overrides applied.
 * A deployment or a test can also pass its own policy to the gate (GateInput.policy).
 */
export interface JurisdictionPolicy {
  code: Jurisdiction;
  /** The preset these figures come from (named in refusals). */
  preset: string;
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
  /** A number a machine answered is not called again the same local day unless an agent is reserved. */
  machineRedialNextDayUnlessAgent: boolean;
  /** Abandonment counting (the pacing code's definition) and the cap. */
  abandonment: { definition: 'us' | 'uk' | 'cn'; maxRate: number };
  /** Per-number and per-account frequency rules. */
  frequency: readonly FrequencyRule[];
  recordingNotice: RecordingNoticeMode;
  retentionDays: Preset['retentionDays'];
  /**
   * The moment the 2-second connect rule counts from: `greeting_end`, the end of the called
   * person's greeting (with AMD, its verdict: the dial log's answered_at), or `sip_answer`, the
   * SIP answer (sip_answered_at, ~2 s earlier with AMD). Without AMD the two are the same.
   */
  abandonClockFrom: AbandonClockFrom;
}

export type AbandonClockFrom = 'sip_answer' | 'greeting_end';

/** Where each jurisdiction's 2-second rule starts its clock. */
const ABANDON_CLOCK_FROM: Record<Jurisdiction, AbandonClockFrom> = {
  // 47 CFR 64.1200(a)(7)(i): connected "within two (2) seconds of the called person's completed greeting".
  US: 'greeting_end',
  // Ofcom's persistent-misuse policy: two seconds from the end of the called person's greeting.
  UK: 'greeting_end',
  // No statutory 2-second rule: counted from the answer, the stricter reading.
  CN: 'sip_answer',
  OTHER: 'sip_answer',
};

export function policyOfPreset(preset: Preset): JurisdictionPolicy {
  return {
    code: preset.jurisdiction,
    preset: preset.name,
    legalHours: preset.legalHours,
    holidays: preset.holidays,
    nationalRegistryMaxAgeDays: preset.nationalRegistryMaxAgeDays,
    requiresConsent: preset.requiresConsent,
    repeatAfterAbandonHours: preset.repeatAfterAbandonHours,
    machineRedialNextDayUnlessAgent: preset.machineRedialNextDayUnlessAgent,
    abandonment: preset.abandonment,
    frequency: preset.frequency,
    recordingNotice: preset.recordingNotice,
    retentionDays: preset.retentionDays,
    abandonClockFrom: ABANDON_CLOCK_FROM[preset.jurisdiction],
  };
}

/** The default policy of a jurisdiction (its default preset), optionally with some fields replaced. */
export function jurisdictionPolicy(
  code: Jurisdiction,
  overrides: Partial<Omit<JurisdictionPolicy, 'code'>> = {},
): JurisdictionPolicy {
  return { ...policyOfPreset(findPreset(DEFAULT_PRESET[code])!), ...overrides };
}

/** What a campaign definition says about its preset (campaign-definition.ts `compliance`). */
export interface CampaignComplianceChoice {
  jurisdiction: Jurisdiction;
  compliance?: { preset?: string | undefined; overrides?: PresetOverrides | undefined } | undefined;
}

/** The campaign's preset with its overrides applied (the figures and their sources). */
export function campaignPreset(definition: CampaignComplianceChoice): Preset {
  const name = definition.compliance?.preset ?? DEFAULT_PRESET[definition.jurisdiction];
  const preset = findPreset(name);
  if (!preset) throw new Error(`unknown compliance preset "${name}"`);
  return applyOverrides(preset, definition.compliance?.overrides);
}

const byDefinition = new WeakMap<object, JurisdictionPolicy>();

/**
 * The policy the gate applies to a campaign: its preset (or its jurisdiction's), overridden
 * field by field. Memoized per definition object: a batch asks once per contact.
 */
export function policyForDefinition(definition: CampaignComplianceChoice): JurisdictionPolicy {
  let policy = byDefinition.get(definition);
  if (!policy) {
    policy = policyOfPreset(campaignPreset(definition));
    byDefinition.set(definition, policy);
  }
  return policy;
}
