import { z } from 'zod';

/**
 * A jurisdiction preset: every figure the gate, the retention report and the recording notice
 * apply for one legal regime, each tied to the text it comes from. A preset is data (one file per
 * preset under presets/), validated by this schema; a campaign selects one by name
 * (`compliance.preset`) and may override any field (`compliance.overrides`), the override then
 * being named as the figure's source.
 *
 * Strict everywhere: an unknown key is an error, never a figure silently left at a default.
 */

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
const ruleId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be lower-case letters, digits, ".", "_" and "-"');

export const presetJurisdictions = ['US', 'UK', 'CN', 'OTHER'] as const;

export const dailySpanSchema = z
  .strictObject({ start: timeOfDay, end: timeOfDay })
  .refine((s) => s.start < s.end, { message: 'start must be before end', path: ['end'] });

/** N attempts at most within a sliding window of `minutes` (the window ending at the dial). */
export const frequencyWindowSchema = z.strictObject({
  minutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 31),
  maxAttempts: z.number().int().min(1).max(1000),
});

/**
 * A frequency rule: what is counted (`unit`: the called number, or the account — the debt — the
 * contact's `account_ref` names), over which calls (`across`: this campaign, every campaign of the
 * campaign's client, or every campaign of the installation — always across caller numbers), in
 * one or more windows, and an optional quiet period after a conversation (a call connected to an
 * agent) about the same unit.
 */
export const frequencyRuleSchema = z
  .strictObject({
    id: ruleId,
    unit: z.enum(['number', 'account']),
    across: z.enum(['campaign', 'client', 'all']),
    windows: z.array(frequencyWindowSchema).max(10).default([]),
    quietAfterConversationMinutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 31)
      .nullable()
      .default(null),
    /**
     * Whose calls count: `across` every caller number the installation presents (a carrier's cap
     * on a callee), or `each`: only the calls presented from the caller number the next call will
     * present (a cap per calling line), as recorded in the dial log's `caller_number`.
     */
    callerNumbers: z.enum(['across', 'each']).default('across'),
    /**
     * Dial-log results of calls that do not count toward the windows: calls not connected to the
     * dialed number (Regulation F 1006.14(b)(3)(ii): a busy signal, a not-in-service indication).
     * A call still open, or of any other result, counts.
     */
    uncountedResults: z.array(z.string().min(1).max(40)).max(20).default([]),
    /**
     * Calls placed with the called person's prior consent given directly — a callback the person
     * asked for in a conversation with an agent — within this many consecutive days, the day the
     * consent was given (in the contact's zone) counting as the first, neither count nor are held
     * by the rule's windows or quiet period (Regulation F 1006.14(b)(3)(i)). Null: no exception.
     */
    consentExclusionDays: z.number().int().min(1).max(31).nullable().default(null),
    /** The source id (of the preset's `sources`) this rule comes from. */
    source: z.string().min(1).max(64),
  })
  .refine((r) => r.windows.length > 0 || r.quietAfterConversationMinutes !== null, {
    message: 'a frequency rule needs at least one window or a quiet period',
    path: ['windows'],
  });

/** Days each kind of record must be kept at least. */
export const retentionSchema = z.strictObject({
  dialLog: z.number().int().min(1).max(36_500),
  outcomes: z.number().int().min(1).max(36_500),
  recordings: z.number().int().min(1).max(36_500),
  consentEvidence: z.number().int().min(1).max(36_500),
  dncRequests: z.number().int().min(1).max(36_500),
  lists: z.number().int().min(1).max(36_500),
});
export const retentionKinds = [
  'dialLog',
  'outcomes',
  'recordings',
  'consentEvidence',
  'dncRequests',
  'lists',
] as const;
export type RetentionKind = (typeof retentionKinds)[number];

/**
 * When a notice that the call is recorded is played before the agent is bridged:
 * never; always; or only where the called number is in a US all-party-consent state (by its
 * area code, engine/compliance/recording-notice.ts).
 */
export const recordingNoticeModes = ['never', 'always', 'us_all_party_states'] as const;

/** Which abandonment counting applies (the pacing code owns the definitions; this names one). */
export const abandonmentDefinitions = ['us', 'uk', 'cn'] as const;

/** The figures a preset sets (and a campaign may override field by field). */
export const presetFiguresSchema = z.strictObject({
  /** Local hours in which calls are lawful, every day. Several spans allow a midday pause. */
  legalHours: z.array(dailySpanSchema).min(1).max(6),
  /** Public holidays on which calls are forbidden (YYYY-MM-DD, local date). */
  holidays: z.array(isoDate).max(1000),
  /** Dialing stops when the national registry copy is older than this; null: no registry. */
  nationalRegistryMaxAgeDays: z.number().int().min(1).max(365).nullable(),
  /** Marketing calls need the called person's recorded consent. */
  requiresConsent: z.boolean(),
  /** No new call within this many hours after an abandoned call, unless an agent is reserved. */
  repeatAfterAbandonHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 31),
  /** A number answered by a machine is not dialed again the same local day unless an agent is reserved. */
  machineRedialNextDayUnlessAgent: z.boolean(),
  abandonment: z.strictObject({
    definition: z.enum(abandonmentDefinitions),
    /** The cap; the gate applies the lower of this and the campaign's `abandon.maxRate`. */
    maxRate: z.number().min(0).max(0.05),
  }),
  frequency: z.array(frequencyRuleSchema).max(20),
  recordingNotice: z.enum(recordingNoticeModes),
  retentionDays: retentionSchema,
});

export type PresetFigures = z.infer<typeof presetFiguresSchema>;
export type PresetField = keyof PresetFigures;
export const presetFields = Object.keys(presetFiguresSchema.shape) as PresetField[];

export const presetSourceSchema = z.strictObject({
  id: z.string().min(1).max(64),
  /** The text: statute, regulation, regulator's notice or carrier rule, as cited. */
  title: z.string().min(1).max(500),
  url: z.string().url().max(500).optional(),
});

export const presetSchema = presetFiguresSchema
  .extend({
    name: ruleId,
    jurisdiction: z.enum(presetJurisdictions),
    description: z.string().min(1).max(2000),
    sources: z.array(presetSourceSchema).min(1).max(50),
    /** Every figure's source id, or a sentence for a figure that is a product choice. */
    figureSources: z.record(z.string(), z.string().min(1).max(500)),
  })
  .strict()
  .superRefine((preset, ctx) => {
    const ids = new Set(preset.sources.map((s) => s.id));
    for (const field of presetFields) {
      if (!(field in preset.figureSources)) {
        ctx.addIssue({
          code: 'custom',
          path: ['figureSources', field],
          message: 'every figure names its source',
        });
      }
    }
    for (const key of Object.keys(preset.figureSources)) {
      if (!(presetFields as string[]).includes(key)) {
        ctx.addIssue({ code: 'custom', path: ['figureSources', key], message: 'unknown figure' });
      }
    }
    preset.frequency.forEach((rule, i) => {
      if (!ids.has(rule.source)) {
        ctx.addIssue({
          code: 'custom',
          path: ['frequency', i, 'source'],
          message: `no source "${rule.source}" in sources`,
        });
      }
    });
    const seen = new Set<string>();
    preset.frequency.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['frequency', i, 'id'], message: 'duplicate rule id' });
      seen.add(rule.id);
    });
  });

export type PresetInput = z.input<typeof presetSchema>;
export type Preset = z.infer<typeof presetSchema>;
export type FrequencyRule = z.infer<typeof frequencyRuleSchema>;
export type FrequencyWindow = z.infer<typeof frequencyWindowSchema>;
export type RecordingNoticeMode = (typeof recordingNoticeModes)[number];

/** A campaign's field-by-field overrides of its preset (`compliance.overrides`). */
export const presetOverridesSchema = presetFiguresSchema
  .extend({ retentionDays: retentionSchema.partial() })
  .partial()
  .strict();
export type PresetOverrides = z.infer<typeof presetOverridesSchema>;
