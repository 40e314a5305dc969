import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { policyForDefinition } from './jurisdictions.ts';

/**
 * Abandonment as each regulator counts it: one definition used by the gate (the cap on
 * predictive pacing), the reports and the pacing simulator. Pure: counts in, figures out.
 *
 * - `us` — FTC Telemarketing Sales Rule, 16 CFR 310.4(b)(4): a call is abandoned when a person
 *   answers and is not connected to a sales representative within two seconds of the completed
 *   greeting; the safe harbour caps abandoned calls at 3 % of calls answered by a person,
 *   measured per campaign over a 30-day period. Persons answering-machine detection hung up on
 *   are calls answered by a person: the dialer's estimate of them is in the denominator (the
 *   dialer cannot see them; without the estimate its rate would be over calls it believed were
 *   persons only). Whether they are also abandoned calls is a legal reading the campaign may take
 *   (`amdFalsePositives: 'abandoned'`); the default follows the safe harbour's count.
 * - `uk` — Ofcom, persistent misuse policy (2016, s.128 Communications Act 2003): abandoned calls
 *   at most 3 % of live calls per campaign over 24 hours, counting "a reasoned estimate" of
 *   calls AMD wrongly judged to be machines (as abandoned, and as live calls).
 * - `cn` — no national figure; configurable, by default as `us`.
 */
export const abandonmentDefinitionNames = ['us', 'uk', 'cn'] as const;
export type AbandonmentDefinitionName = (typeof abandonmentDefinitionNames)[number];

export interface AbandonmentDefinition {
  readonly name: AbandonmentDefinitionName;
  /** Where the definition comes from. */
  readonly source: string;
  /** The window, per campaign: 30 calendar days or 24 hours. */
  readonly window: '30d' | '24h';
  /** A person must reach an agent within this many seconds of the completed greeting. */
  readonly connectWithinSeconds: number;
  /** Abandoned / person-answered at or over this is over the cap. */
  readonly maxRate: number;
  /**
   * Persons AMD hung up on (estimated by the dialer): counted as answered by a person only, or
   * as abandoned too (Ofcom).
   */
  readonly amdFalsePositives: 'answered' | 'abandoned';
  /**
   * The dialer's reasoned estimate: the share of its AMD "machine" verdicts that were persons
   * (measured by the operator's own test calls; a conservative default until then).
   */
  readonly amdFalsePositiveShare: number;
}

/** Until the operator measures its own AMD: 1 in 10 machine verdicts taken to be a person. */
export const DEFAULT_AMD_FALSE_POSITIVE_SHARE = 0.1;

const definitions: Record<AbandonmentDefinitionName, AbandonmentDefinition> = {
  us: {
    name: 'us',
    source: 'FTC Telemarketing Sales Rule, 16 CFR 310.4(b)(4)',
    window: '30d',
    connectWithinSeconds: 2,
    maxRate: 0.03,
    amdFalsePositives: 'answered',
    amdFalsePositiveShare: DEFAULT_AMD_FALSE_POSITIVE_SHARE,
  },
  uk: {
    name: 'uk',
    source:
      'Ofcom, Revised statement of policy on the persistent misuse of an electronic communications network or service (2016)',
    window: '24h',
    connectWithinSeconds: 2,
    maxRate: 0.03,
    amdFalsePositives: 'abandoned',
    amdFalsePositiveShare: DEFAULT_AMD_FALSE_POSITIVE_SHARE,
  },
  cn: {
    name: 'cn',
    source: 'no national figure; the US definition by default, configurable per campaign',
    window: '30d',
    connectWithinSeconds: 2,
    maxRate: 0.03,
    amdFalsePositives: 'answered',
    amdFalsePositiveShare: DEFAULT_AMD_FALSE_POSITIVE_SHARE,
  },
};

/** A named definition, with fields a campaign (or a preset) sets replacing its own. */
export function abandonmentDefinition(
  name: AbandonmentDefinitionName,
  overrides: Partial<Omit<AbandonmentDefinition, 'name' | 'source'>> = {},
): AbandonmentDefinition {
  const base = definitions[name];
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...base, ...defined };
}

/**
 * The campaign's definition: `abandon.definition`, else the one its compliance preset names (the
 * jurisdiction's default preset when it picks none), its own fields over it; the cap is the lower
 * of the campaign's and the preset's.
 */
export function campaignAbandonmentDefinition(
  campaign: Pick<CampaignDefinition, 'jurisdiction' | 'abandon'> &
    Partial<Pick<CampaignDefinition, 'compliance'>>,
): AbandonmentDefinition {
  const a = campaign.abandon;
  const preset = policyForDefinition(campaign).abandonment;
  return abandonmentDefinition(a.definition ?? preset.definition, {
    window: a.window,
    connectWithinSeconds: a.connectWithinSeconds,
    maxRate: Math.min(a.maxRate, preset.maxRate),
    amdFalsePositiveShare: a.amdFalsePositiveShare,
    amdFalsePositives: a.amdFalsePositives,
  });
}

/** What the dialer knows over the window. */
export interface AbandonmentCounts {
  /** Persons routed to an agent and not connected within connectWithinSeconds. */
  readonly abandoned: number;
  /** Calls the dialer knows a person answered (connected, abandoned, or a human verdict). */
  readonly humanAnswered: number;
  /** Answered calls AMD classified as machines (and hung up on or left a message). */
  readonly machineVerdicts?: number;
}

export interface AbandonmentFigures {
  /** Abandoned as the definition counts them (estimated AMD false positives included for Ofcom). */
  readonly abandoned: number;
  /** Person-answered calls as it counts them (the same estimate included). */
  readonly answered: number;
  /** Persons AMD hung up on, by the estimate (in `answered`; in `abandoned` too for Ofcom). */
  readonly estimatedAmdFalsePositives: number;
  /** abandoned / answered; 0 when nobody answered. */
  readonly rate: number;
  readonly overCap: boolean;
}

/** The rate as the definition counts it, from the dialer's counts over the window. */
export function abandonmentFigures(
  counts: AbandonmentCounts,
  definition: Pick<AbandonmentDefinition, 'amdFalsePositives' | 'amdFalsePositiveShare' | 'maxRate'>,
): AbandonmentFigures {
  const estimated = (counts.machineVerdicts ?? 0) * definition.amdFalsePositiveShare;
  const abandoned = counts.abandoned + (definition.amdFalsePositives === 'abandoned' ? estimated : 0);
  const answered = counts.humanAnswered + estimated;
  const rate = answered > 0 ? abandoned / answered : 0;
  return {
    abandoned,
    answered,
    estimatedAmdFalsePositives: estimated,
    rate,
    overCap: answered > 0 && rate >= definition.maxRate,
  };
}

/** The start of the window ending at `now`. */
export function abandonmentWindowStart(definition: Pick<AbandonmentDefinition, 'window'>, now: Date): Date {
  return new Date(now.getTime() - (definition.window === '24h' ? 1 : 30) * 86_400_000);
}

/** The window in whole days (the simulator's and the reports' day-based windows). */
export function abandonmentWindowDays(definition: Pick<AbandonmentDefinition, 'window'>): number {
  return definition.window === '24h' ? 1 : 30;
}
