import type { RuleResult } from '../gate-types.ts';
import { liveHits } from './dnc.ts';
import type { RuleContext } from './rule-context.ts';
import { sharedResult } from './shared-result.ts';

const clear = sharedResult({
  rule: 'blacklist',
  status: 'pass',
  code: 'blacklist.clear',
  message: 'The number is not on the client’s blacklist.',
});

/** The list owner's (client's) blacklist: dnc_entries with scope_key 'client:<id>'. */
export function blacklistRule(ctx: RuleContext): RuleResult {
  if (ctx.facts.dnc.length === 0) return clear;
  const key = `client:${ctx.campaign.clientId}`;
  const hit = liveHits(ctx.facts.dnc, ctx.now).find((h) => h.scope === 'client' && h.scopeKey === key);
  if (hit) {
    return {
      rule: 'blacklist',
      status: 'deny',
      code: 'blacklist.client',
      message: `The number is on the client’s blacklist${hit.reason ? ` (${hit.reason})` : ''}.`,
    };
  }
  return clear;
}
