import type { CampaignGateFacts, HeldCampaignGateFacts } from '../../db/queries/gate-facts.ts';

/** Engine milliseconds the campaign-wide gate facts are served from memory. */
export const CAMPAIGN_FACTS_TTL_MS = 5000;

/**
 * Loads the campaign-wide facts for a span of `validForMs` (loadHeldCampaignGateFacts), telling
 * which of `abandonedAttemptIds` the abandoned count already includes.
 */
export type HeldFactsLoader = (
  now: Date,
  hold: { validForMs: number; abandonedAttemptIds: readonly number[] },
) => Promise<HeldCampaignGateFacts>;

/**
 * The campaign-wide gate facts of one runner's dial passes (definition, registry age, the
 * abandonment figures over the window), read from the database at most once per TTL of engine
 * time instead of once per pass: the 30-day abandonment count reads every attempt of the window.
 *
 * Never a rate below the true one (the cap is judged on it): the loader bounds the figures for
 * the whole TTL (see loadHeldCampaignGateFacts), and every abandon this runner makes is added
 * the moment it happens, by attempt id, until a load shows its dial-log row counted. So an
 * abandon whose row is not committed yet (the identification message starts first), or whose
 * write failed, still counts; one the load already counted is not counted twice. Only the
 * runner holding the campaign lock dials the campaign, so its own abandons are all the new ones;
 * an abandon written outside the call flow (recovery) must call invalidate().
 *
 * The denominator is never below the numerator: a person answered every abandoned call, and
 * with no answered call on record a first abandon must read 100 %, not the "no answer yet" 0 %.
 */
export class CampaignFactsCache {
  private loaded: { at: number; facts: CampaignGateFacts } | undefined;
  /** Abandons of this runner not yet seen counted by a load. */
  private readonly unconfirmed = new Set<number>();
  /** Every abandon reported, so a call reported again (it is still live) is added once. */
  private readonly reported = new Set<number>();

  constructor(
    private readonly load: HeldFactsLoader,
    private readonly ttlMs = CAMPAIGN_FACTS_TTL_MS,
  ) {}

  /** A call of this runner was abandoned (its dial-log row id); counts from now on. */
  abandoned(attemptDbId: number): void {
    if (this.reported.has(attemptDbId)) return;
    this.reported.add(attemptDbId);
    this.unconfirmed.add(attemptDbId);
  }

  /** The next get() reads the database. */
  invalidate(): void {
    this.loaded = undefined;
  }

  /** The facts at `now` (engine time): from memory within the TTL of the last load. */
  async get(now: Date): Promise<CampaignGateFacts> {
    const t = now.getTime();
    let loaded = this.loaded;
    if (!loaded || t < loaded.at || t - loaded.at > this.ttlMs) {
      const pending = [...this.unconfirmed];
      const held = await this.load(now, { validForMs: this.ttlMs, abandonedAttemptIds: pending });
      for (const id of held.written) this.unconfirmed.delete(id);
      loaded = { at: t, facts: held.facts };
      this.loaded = loaded;
    }
    const { facts } = loaded;
    const counted = facts.campaignFacts.abandonment;
    const abandoned = counted.abandoned + this.unconfirmed.size;
    if (abandoned === counted.abandoned && counted.humanAnswered >= abandoned) return facts;
    return {
      ...facts,
      campaignFacts: {
        ...facts.campaignFacts,
        abandonment: { ...counted, abandoned, humanAnswered: Math.max(counted.humanAnswered, abandoned) },
      },
    };
  }
}
