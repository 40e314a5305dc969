import type { RuleResult } from '../gate-types.ts';
import { validApproval } from './approval.ts';
import type { RuleContext } from './rule-context.ts';
import { ResultMemo } from './shared-result.ts';

const notRequired = new ResultMemo(100);

/**
 * Where the jurisdiction requires the called person's consent (China), a contact needs a
 * consent reference, or an approval valid now that covers it (the list owner's consent record
 * for the batch). A person who has not clearly consented counts as refusing.
 */
export function consentRule(ctx: RuleContext): RuleResult {
  if (!ctx.policy.requiresConsent) {
    return notRequired.get(ctx.policy.code, () => ({
      rule: 'consent',
      status: 'not_applicable',
      code: 'consent.not_required',
      message: `The ${ctx.policy.code} jurisdiction requires no recorded consent.`,
    }));
  }
  if (ctx.contact.consentRef && ctx.contact.consentRef.trim() !== '') {
    return {
      rule: 'consent',
      status: 'pass',
      code: 'consent.recorded',
      message: `The called person’s consent is recorded (${ctx.contact.consentRef}).`,
    };
  }
  const approval = validApproval(ctx.facts.approvals, ctx.now);
  if (approval) {
    return {
      rule: 'consent',
      status: 'pass',
      code: 'consent.approval',
      message: `Consent is evidenced by approval ${approval.approvalId} (${approval.reference}).`,
    };
  }
  return {
    rule: 'consent',
    status: 'deny',
    code: 'consent.missing',
    message: `The ${ctx.policy.code} jurisdiction requires the called person’s consent and none is recorded for this contact.`,
  };
}
