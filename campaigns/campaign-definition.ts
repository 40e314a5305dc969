import { IANAZone } from 'luxon';
import { z } from 'zod';
import {
  DEFAULT_PRESET,
  findPreset,
  presetNames,
  presetOverridesSchema,
} from '../engine/compliance/presets/index.ts';
import { FIELD_LIMITS } from '../engine/platform/field-limits.ts';
import { DEFAULT_RETRY_MINUTES } from './outcomes/retry-policy.ts';

/**
 * The campaign file a manager writes (campaigns/examples/*.json): zod is the single source of
 * both its validation and its TypeScript type. Every number has a default taken from
 * DESIGN.md §5; a jurisdiction or a campaign may tighten it.
 *
 * Every object is strict: a key the schema does not know (`maxPerContat`, `maxrate`) is an error
 * naming its path, never dropped while the default silently applies. Texts have the lengths of
 * engine/platform/field-limits.ts.
 */

export const campaignTypes = ['survey', 'collections', 'reminder', 'revisit'] as const;
export const dialModes = ['preview', 'progressive', 'predictive', 'agentless'] as const;
export const jurisdictions = ['US', 'UK', 'CN', 'OTHER'] as const;
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
const code = z.string().min(1).max(FIELD_LIMITS.code);
const reference = z.string().min(1).max(FIELD_LIMITS.reference);
const timeZone = z
  .string()
  .max(FIELD_LIMITS.code)
  .refine((zone) => IANAZone.isValidZone(zone), {
    message: 'must be an IANA time zone such as America/New_York or Asia/Shanghai',
  });

export const callingWindowSchema = z
  .strictObject({
    days: z.array(z.enum(weekdays)).min(1).max(7).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat']),
    start: timeOfDay.default('09:00'),
    end: timeOfDay.default('20:00'),
  })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });

export const amdSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** What to do when AMD says MACHINE: hang up, or play `machineMessage` and hang up. */
  onMachine: z.enum(['hangup', 'leave_message']).default('hangup'),
  machineMessage: reference.optional(),
  /** The dialplan context that runs AMD() and returns to Stasis (asterisk-conf/extensions.conf). */
  context: code.default('dialer-amd'),
});

export const dialingSchema = z.strictObject({
  /** Asterisk endpoint for the customer leg; `{number}` is replaced by the E.164 number. */
  endpointTemplate: z
    .string()
    .max(FIELD_LIMITS.reference)
    .includes('{number}', { message: 'must contain {number}' })
    .default('PJSIP/{number}@carrier'),
  callerId: z
    .string()
    .min(1, 'is required (the number shown to the called person)')
    .max(FIELD_LIMITS.callerId),
  /** Regulators require at least 15 s (about four rings) before giving up. */
  ringTimeoutSeconds: z.number().int().min(15, 'must be at least 15 seconds').max(120).default(25),
  /** Which trunk's calls-per-second and channel limits apply. */
  trunk: code.default('carrier'),
  amd: amdSchema.prefault({}),
});

export const pacingSchema = z.strictObject({
  /** Progressive ratio: lines dialed per ready agent. */
  linesPerAgent: z.number().min(1).max(3).default(1),
  /** Upper bound for predictive pacing, lines per logged-in agent. */
  maxLinesPerAgent: z.number().min(1).max(6).default(3),
  /** Abandonment the predictive pacer aims below; the legal cap is 3 %. */
  targetAbandonRate: z.number().min(0).max(0.03).default(0.025),
  /** Human-answered calls needed before predictive statistics are trusted. */
  minAnsweredForPredictive: z.number().int().min(10).default(50),
});

export const abandonSchema = z.strictObject({
  /** A person who answers is connected to an agent within this many seconds, or abandoned. */
  connectWithinSeconds: z.number().min(0.5).max(2).default(2),
  /** The identification message played to an abandoned call (an Asterisk sound URI). */
  identificationMessage: reference.default('sound:dialer-identification'),
  /**
   * What that message says, when the campaign has its own (the seller's name, a number to call
   * back): `npm run sounds -- --campaign <file>` speaks it into the sound above. Absent: the
   * shipped generic message (asterisk-conf/sounds/).
   */
  identificationText: z.string().min(1).max(FIELD_LIMITS.text).optional(),
  /** The language of the message: Asterisk plays `sounds/<language>/<name>` (en, zh shipped). */
  language: z.enum(['en', 'zh']).default('en'),
  /** Legal cap on abandoned / human-answered calls over the window. */
  maxRate: z.number().min(0).max(0.05).default(0.03),
  /**
   * How abandonment is counted (engine/compliance/abandonment.ts): `us`, `uk` (Ofcom) or `cn`;
   * by default the jurisdiction's. Its window (30d for us/cn, 24h for uk) unless `window` is set.
   */
  definition: z.enum(['us', 'uk', 'cn']).optional(),
  window: z.enum(['30d', '24h']).optional(),
  /**
   * The reasoned estimate of the share of AMD "machine" verdicts that were persons (from the
   * operator's test calls): they are calls answered by a person. Default 0.1.
   */
  amdFalsePositiveShare: z.number().min(0).max(1).optional(),
  /** Whether those persons count as answered only (us, cn) or as abandoned too (uk). */
  amdFalsePositives: z.enum(['answered', 'abandoned']).optional(),
});

/** The outcomes that call again later: the only keys `attempts.retryMinutes` may have. */
const RETRYABLE_TAGS = Object.keys(DEFAULT_RETRY_MINUTES);

export const attemptsSchema = z.strictObject({
  maxPerContact: z.number().int().min(1).max(50).default(5),
  maxPerDay: z.number().int().min(1).max(20).default(3),
  /** Minimum minutes before the next attempt after each retryable outcome (its tag). */
  retryMinutes: z
    .record(z.string(), z.number().int().min(1))
    .superRefine((minutes, ctx) => {
      // A misspelled outcome would never apply: the same rule as an unknown key.
      for (const tag of Object.keys(minutes)) {
        if (!RETRYABLE_TAGS.includes(tag)) {
          ctx.addIssue({
            code: 'custom',
            path: [tag],
            message: `unknown key (the retried outcomes are ${RETRYABLE_TAGS.join(', ')})`,
          });
        }
      }
    })
    .default({ no_answer: 120, busy: 30, congestion: 15, machine: 240, abandoned: 4320, failed: 60 }),
});

export const alarmsSchema = z.strictObject({
  /** Answered / dialed over the window below this raises an alarm. */
  minAnswerRate: z.number().min(0).max(1).default(0.1),
  /** Connected to an agent / answered by a person below this raises an alarm. */
  minConnectRate: z.number().min(0).max(1).default(0.8),
  windowMinutes: z.number().int().min(1).max(1440).default(15),
  /** Attempts needed in the window before a rate means anything. */
  minAttempts: z.number().int().min(1).default(20),
});

/**
 * Preview mode: how long a lead stays on the agent's screen undecided, and what the engine does
 * then (timed preview). Without a timeout the lead waits for the agent (manual preview).
 */
export const previewSchema = z.strictObject({
  timeoutSeconds: z.number().int().min(5).max(900).nullable().default(null),
  /** `dial`: the engine calls the lead as if the agent had accepted; `skip`: puts it back as a skip. */
  onTimeout: z.enum(['dial', 'skip']).default('dial'),
});

/** Call recording (issue #16): who is recorded, what they hear first, how long files are kept. */
export const recordingSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /**
   * A recording notice played to the customer before the agent is bridged (engine/compliance
   * recordingNoticeFor decides when one is required). Absent: no notice.
   */
  notice: z.strictObject({ sound: z.string().min(1).max(FIELD_LIMITS.reference) }).optional(),
  /** Days a stored recording is kept; never shorter than the jurisdiction's minimum. */
  retentionDays: z.number().int().min(1).max(36_500).default(365),
  /** Hard limit of one recording in seconds (0: none; the call's end stops it). */
  maxDurationSeconds: z.number().int().min(0).max(86_400).default(0),
});

export const satisfactionSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The sound asking for a score from 1 to 5. */
  prompt: z.string().min(1).max(FIELD_LIMITS.reference).default('sound:dialer/satisfaction-1-to-5'),
  /** Seconds the customer has to press a key after the prompt. */
  timeoutSeconds: z.number().int().min(1).max(60).default(6),
});

export const questionSchema = z.strictObject({
  id: z
    .string()
    .max(FIELD_LIMITS.code)
    .regex(/^[a-z0-9_]+$/, 'must be lower-case letters, digits and _'),
  /** What the agent reads, or the sound the IVR plays. */
  prompt: z.string().min(1).max(FIELD_LIMITS.text),
  /** DTMF digit → answer value, for agentless questions; free text for agents when absent. */
  choices: z
    .record(z.string().regex(/^[0-9*#]$/, 'must be one DTMF key'), z.string().min(1).max(FIELD_LIMITS.name))
    .optional(),
  required: z.boolean().default(true),
});

export const campaignDefinitionSchema = z
  .strictObject({
    name: z.string().min(1).max(FIELD_LIMITS.name),
    /** The list owner's client code (`dialer client add`). */
    client: z
      .string()
      .max(FIELD_LIMITS.code)
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a client code such as acme-bank'),
    /** The list owner's name: when `client` is not registered yet, creating the campaign registers it. */
    clientName: z.string().min(1).max(FIELD_LIMITS.name).optional(),
    type: z.enum(campaignTypes),
    mode: z.enum(dialModes),
    jurisdiction: z.enum(jurisdictions).default('US'),
    /** Numbering region for numbers written without a country code (ISO 3166 alpha-2). */
    region: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US or CN')
      .default('US'),
    /** Zone assumed for a contact whose zone neither the list nor the number tells. */
    defaultTimeZone: timeZone.default('America/New_York'),
    callingWindow: callingWindowSchema.prefault({}),
    holidays: z.array(isoDate).max(1000).default([]),
    dialing: dialingSchema,
    pacing: pacingSchema.prefault({}),
    abandon: abandonSchema.prefault({}),
    attempts: attemptsSchema.prefault({}),
    preview: previewSchema.prefault({}),
    /** Seconds an agent has to tag the outcome before it is recorded as missing. */
    wrapUpSeconds: z.number().int().min(5).max(900).default(60),
    recording: recordingSchema.prefault({}),
    /** Post-call service evaluation: after an agent call the customer scores 1–5 by DTMF. */
    satisfaction: satisfactionSchema.prefault({}),
    alarms: alarmsSchema.prefault({}),
    /** Survey questionnaire, or the agentless prompts (reminder confirmation, satisfaction score). */
    questions: z.array(questionSchema).max(100).default([]),
    /** What the agent says: shown on the agent's screen with the connected call (API screen pop). */
    script: z.string().max(FIELD_LIMITS.text).optional(),
    /** Days an imported list is kept in the archive; at least a year by the licence. */
    retentionDays: z.number().int().min(365).default(400),
    /**
     * The jurisdiction preset (engine/compliance/presets/) whose figures the gate, the recording
     * notice and retention apply — the jurisdiction's own when absent — and field-by-field
     * overrides of it.
     */
    compliance: z
      .strictObject({
        preset: z.string().min(1).max(FIELD_LIMITS.code).optional(),
        overrides: presetOverridesSchema.optional(),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'agentless' && c.questions.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['questions'],
        message: 'an agentless campaign needs at least one question with DTMF choices',
      });
    }
    if (c.mode === 'agentless') {
      c.questions.forEach((q, i) => {
        if (!q.choices) {
          ctx.addIssue({
            code: 'custom',
            path: ['questions', i, 'choices'],
            message: 'agentless questions are answered by DTMF and need choices',
          });
        }
      });
    }
    if (c.compliance.preset !== undefined) {
      const preset = findPreset(c.compliance.preset);
      if (!preset) {
        ctx.addIssue({
          code: 'custom',
          path: ['compliance', 'preset'],
          message: `unknown preset (known: ${presetNames().join(', ')})`,
        });
      } else if (preset.jurisdiction !== c.jurisdiction) {
        ctx.addIssue({
          code: 'custom',
          path: ['compliance', 'preset'],
          message: `preset "${preset.name}" is for jurisdiction ${preset.jurisdiction}, not ${c.jurisdiction} (default: ${DEFAULT_PRESET[c.jurisdiction]})`,
        });
      }
    }
    if (c.dialing.amd.onMachine === 'leave_message' && !c.dialing.amd.machineMessage) {
      ctx.addIssue({
        code: 'custom',
        path: ['dialing', 'amd', 'machineMessage'],
        message: 'is required when onMachine is leave_message',
      });
    }
  });

export type CampaignDefinition = z.infer<typeof campaignDefinitionSchema>;
export type CampaignDefinitionInput = z.input<typeof campaignDefinitionSchema>;
export type CampaignType = (typeof campaignTypes)[number];
export type DialMode = (typeof dialModes)[number];
export type Jurisdiction = (typeof jurisdictions)[number];

/** China requires the called person's recorded consent for marketing calls (DESIGN.md §5). */
export function requiresConsent(definition: Pick<CampaignDefinition, 'jurisdiction'>): boolean {
  return definition.jurisdiction === 'CN';
}
