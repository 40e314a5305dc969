import type { DncHit, RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';
import { sharedResult } from './shared-result.ts';

/** Live (not expired) entries at `now`. */
export function liveHits(hits: readonly DncHit[], now: Date): DncHit[] {
  return hits.filter((h) => h.expiresAt === null || h.expiresAt.getTime() > now.getTime());
}

const sentence: Record<'internal' | 'national' | 'campaign', string> = {
  internal: 'The number is on the internal do-not-call list (it applies to every campaign)',
  national: 'The number is on the national do-not-call registry',
  campaign: 'The number is on this campaign’s do-not-call list',
};

/**
 * Do-not-call in the internal, national and campaign scopes, read at dial time (an opt-out made
 * after the import must still stop the call). The client's own list is the blacklist rule.
 */
export function dncRule(ctx: RuleContext): RuleResult {
  if (ctx.facts.dnc.length === 0)
    return ctx.policy.nationalRegistryMaxAgeDays !== null ? clearWithNational : clearWithoutNational;
  const hits = liveHits(ctx.facts.dnc, ctx.now).filter((h) => h.scope !== 'client');
  const usesNational = ctx.policy.nationalRegistryMaxAgeDays !== null;
  // Most binding first: an opt-out outranks the registry, which outranks a campaign list.
  for (const scope of ['internal', 'national', 'campaign'] as const) {
    const hit = hits.find((h) => h.scope === scope);
    if (!hit) continue;
    if (scope === 'national' && !usesNational) continue;
    const reason = hit.reason ? ` (${hit.reason})` : '';
    return { rule: 'dnc', status: 'deny', code: `dnc.${scope}`, message: `${sentence[scope]}${reason}.` };
  }
  return usesNational ? clearWithNational : clearWithoutNational;
}

const clearWithNational = sharedResult({
  rule: 'dnc',
  status: 'pass',
  code: 'dnc.clear',
  message: 'The number is on no do-not-call list (internal, national, campaign).',
});
const clearWithoutNational = sharedResult({
  rule: 'dnc',
  status: 'pass',
  code: 'dnc.clear',
  message: 'The number is on no do-not-call list (internal, campaign).',
});
