import { z } from 'zod';
import type { AmdStatus } from '../port.ts';
import type { Random } from './seeded-random.ts';

/**
 * How a called party behaves. Two modes:
 * - `last-digit` (default): like the dialplan used to record ../shared/ari-traces, the last digit
 *   of the number decides: 0 busy, 1 congestion, 2 rings forever, 3 answering machine, 4 answers
 *   and hangs up at once, 5–9 a person (rings 2–6 s, talks ~9 s, hangs up); numbers starting
 *   999 are unallocated. Under AMD a person ending in 7 comes out NOTSURE (as in the trace), other
 *   persons HUMAN. Tests pick outcomes by number.
 * - `distribution`: seeded random draws from configurable probabilities and time ranges.
 * `numbers` overrides either mode for exact numbers.
 */

export type CalleeBehaviour =
  | { kind: 'busy' }
  | { kind: 'congestion' }
  | { kind: 'invalid' }
  | { kind: 'rejected' }
  | { kind: 'no-answer' }
  | {
      kind: 'answer';
      ringMs: number;
      /** Talk time before the callee hangs up; null: stays until we hang up. */
      talkMs: number | null;
      machine: boolean;
      amd: { status: AmdStatus; cause: string; afterMs: number };
      /** Keys pressed after a prompt starts playing ('' = none). */
      dtmf: string;
      dtmfDelayMs: number;
    };

const range = z.object({ min: z.number().min(0), max: z.number().min(0) });

const answerOverride = z.object({
  kind: z.literal('answer'),
  ringMs: z.number().min(0).default(1000),
  talkMs: z.number().min(0).nullable().default(null),
  machine: z.boolean().default(false),
  amd: z.enum(['HUMAN', 'MACHINE', 'NOTSURE']).optional(),
  dtmf: z
    .string()
    .regex(/^[0-9*#]*$/)
    .default(''),
  dtmfDelayMs: z.number().min(0).default(800),
});

export const calleeOverrideSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('busy') }),
  z.object({ kind: z.literal('congestion') }),
  z.object({ kind: z.literal('invalid') }),
  z.object({ kind: z.literal('rejected') }),
  z.object({ kind: z.literal('no-answer') }),
  answerOverride,
]);

export const calleeConfigSchema = z.object({
  mode: z.enum(['last-digit', 'distribution']).default('last-digit'),
  distribution: z
    .object({
      /** Relative weights of what happens to a call. */
      answer: z.number().min(0).default(0.55),
      machine: z.number().min(0).default(0.1),
      busy: z.number().min(0).default(0.1),
      noAnswer: z.number().min(0).default(0.15),
      congestion: z.number().min(0).default(0.04),
      invalid: z.number().min(0).default(0.04),
      rejected: z.number().min(0).default(0.02),
      ringMs: range.default({ min: 2000, max: 12000 }),
      talkMs: range.default({ min: 10000, max: 90000 }),
      /** Probability that the callee (rather than the dialer) ends an answered call. */
      calleeHangsUp: z.number().min(0).max(1).default(0.9),
      /** Probability that AMD says NOTSURE for a person. */
      amdNotSure: z.number().min(0).max(1).default(0.1),
    })
    .prefault({}),
  /** Digits a person presses after a prompt (agentless surveys, reminders). */
  dtmf: z
    .string()
    .regex(/^[0-9*#]*$/)
    .default('1'),
  dtmfDelayMs: z.number().min(0).default(1500),
  numbers: z.record(z.string(), calleeOverrideSchema).default({}),
});

export type CalleeConfig = z.infer<typeof calleeConfigSchema>;
export type CalleeConfigInput = z.input<typeof calleeConfigSchema>;

const MACHINE_AMD = { status: 'MACHINE', cause: 'MAXWORDS-3-2', afterMs: 1700 } as const;
const HUMAN_AMD = { status: 'HUMAN', cause: 'HUMAN-1-1', afterMs: 1500 } as const;
const NOTSURE_AMD = { status: 'NOTSURE', cause: 'TOOLONG-4900', afterMs: 4900 } as const;

function amdFor(status: AmdStatus) {
  return status === 'MACHINE' ? MACHINE_AMD : status === 'NOTSURE' ? NOTSURE_AMD : HUMAN_AMD;
}

export function resolveCallee(number: string, config: CalleeConfig, random: Random): CalleeBehaviour {
  const override = config.numbers[number];
  if (override) {
    if (override.kind !== 'answer') return override;
    const status = override.amd ?? (override.machine ? 'MACHINE' : 'HUMAN');
    return { ...override, amd: amdFor(status) };
  }
  return config.mode === 'distribution'
    ? fromDistribution(config, random)
    : fromLastDigit(number, config, random);
}

function fromLastDigit(number: string, config: CalleeConfig, random: Random): CalleeBehaviour {
  const digits = number.replace(/\D/g, '');
  if (digits.startsWith('999')) return { kind: 'invalid' };
  const last = digits.at(-1) ?? '5';
  const person = (talkMs: number, amd: AmdStatus): CalleeBehaviour => ({
    kind: 'answer',
    ringMs: Math.round(random.between(2000, 6000)),
    talkMs,
    machine: false,
    amd: amdFor(amd),
    dtmf: config.dtmf,
    dtmfDelayMs: config.dtmfDelayMs,
  });
  switch (last) {
    case '0':
      return { kind: 'busy' };
    case '1':
      return { kind: 'congestion' };
    case '2':
      return { kind: 'no-answer' };
    case '3':
      // A greeting played twice, then silence: the traced machine hung up ~16.8 s after answering.
      return {
        kind: 'answer',
        ringMs: 3000,
        talkMs: 16800,
        machine: true,
        amd: MACHINE_AMD,
        dtmf: '',
        dtmfDelayMs: 0,
      };
    case '4':
      return {
        kind: 'answer',
        ringMs: 2000,
        talkMs: 0,
        machine: false,
        amd: HUMAN_AMD,
        dtmf: '',
        dtmfDelayMs: 0,
      };
    case '7':
      return person(9000, 'NOTSURE');
    default:
      return person(9000, 'HUMAN');
  }
}

function fromDistribution(config: CalleeConfig, random: Random): CalleeBehaviour {
  const d = config.distribution;
  const weights: Array<[string, number]> = [
    ['answer', d.answer],
    ['machine', d.machine],
    ['busy', d.busy],
    ['no-answer', d.noAnswer],
    ['congestion', d.congestion],
    ['invalid', d.invalid],
    ['rejected', d.rejected],
  ];
  const total = weights.reduce((sum, [, w]) => sum + w, 0) || 1;
  let pick = random.next() * total;
  let chosen = 'answer';
  for (const [kind, weight] of weights) {
    if (pick < weight) {
      chosen = kind;
      break;
    }
    pick -= weight;
  }
  const ringMs = Math.round(random.between(d.ringMs.min, d.ringMs.max));
  const talkMs = Math.round(random.between(d.talkMs.min, d.talkMs.max));
  switch (chosen) {
    case 'busy':
    case 'congestion':
    case 'invalid':
    case 'rejected':
    case 'no-answer':
      return { kind: chosen };
    case 'machine':
      return {
        kind: 'answer',
        ringMs,
        talkMs: 9000,
        machine: true,
        amd: MACHINE_AMD,
        dtmf: '',
        dtmfDelayMs: 0,
      };
    default:
      return {
        kind: 'answer',
        ringMs,
        talkMs: random.next() < d.calleeHangsUp ? talkMs : null,
        machine: false,
        amd: random.next() < d.amdNotSure ? NOTSURE_AMD : HUMAN_AMD,
        dtmf: config.dtmf,
        dtmfDelayMs: config.dtmfDelayMs,
      };
  }
}
