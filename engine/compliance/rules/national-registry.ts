import type { RuleResult } from '../gate-types.ts';
import { DAY, type RuleContext } from './rule-context.ts';
import { LastResult } from './shared-result.ts';

const last = new LastResult();

/**
 * Where the jurisdiction has a national registry (US), dialing stops altogether when our copy
 * is older than the allowed age (31 days): numbers registered since then would be called.
 */
export function nationalRegistryRule(ctx: RuleContext): RuleResult {
  // Depends only on the campaign facts, the policy and the moment: once per batch.
  return last.get(ctx.campaignFacts, ctx.policy, ctx.now.getTime(), () => registryResult(ctx));
}

function registryResult(ctx: RuleContext): RuleResult {
  const maxDays = ctx.policy.nationalRegistryMaxAgeDays;
  if (maxDays === null) {
    return {
      rule: 'national_registry',
      status: 'not_applicable',
      code: 'national_registry.not_used',
      message: `The ${ctx.policy.code} jurisdiction has no national registry loaded by this product.`,
    };
  }
  const synced = ctx.campaignFacts.nationalRegistrySyncedAt;
  if (!synced) {
    return {
      rule: 'national_registry',
      status: 'deny',
      code: 'national_registry.never_loaded',
      message: 'The national do-not-call registry has never been loaded; no call may be made.',
    };
  }
  const ageDays = (ctx.now.getTime() - synced.getTime()) / DAY;
  if (ageDays > maxDays) {
    return {
      rule: 'national_registry',
      status: 'deny',
      code: 'national_registry.stale',
      message: `The national registry copy is ${Math.floor(ageDays)} days old (loaded ${synced.toISOString()}); at most ${maxDays} days are allowed.`,
    };
  }
  return {
    rule: 'national_registry',
    status: 'pass',
    code: 'national_registry.fresh',
    message: `The national registry copy was loaded ${synced.toISOString()} (${Math.floor(ageDays)} of ${maxDays} days).`,
  };
}
