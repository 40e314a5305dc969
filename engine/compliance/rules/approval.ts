import type { ApprovalCoverage, RuleResult } from '../gate-types.ts';
import type { RuleContext } from './rule-context.ts';
import { sharedResult } from './shared-result.ts';

const notNeeded = sharedResult({
  rule: 'approval',
  status: 'not_applicable',
  code: 'approval.not_needed',
  message: 'The number was not worked in another campaign; no re-marketing approval is needed.',
});

export type ApprovalState = 'valid' | 'not_yet_valid' | 'expired' | 'revoked';

/** An approval's state at `now`: a revocation counts from the moment it was recorded. */
export function approvalState(approval: ApprovalCoverage, now: Date): ApprovalState {
  const t = now.getTime();
  if (approval.revokedAt && approval.revokedAt.getTime() <= t) return 'revoked';
  if (approval.validFrom.getTime() > t) return 'not_yet_valid';
  if (approval.validUntil && approval.validUntil.getTime() <= t) return 'expired';
  return 'valid';
}

/** The first approval valid at `now`, if any. */
export function validApproval(approvals: readonly ApprovalCoverage[], now: Date) {
  return approvals.find((a) => approvalState(a, now) === 'valid');
}

/**
 * Re-marketing: a number already worked in another campaign may be dialed here only while the
 * list owner's approval of that second use is valid. Checked at every dial, so a revocation
 * stops contacts already released.
 */
export function approvalRule(ctx: RuleContext): RuleResult {
  if (!ctx.contact.needsApproval) return notNeeded;
  const valid = validApproval(ctx.facts.approvals, ctx.now);
  if (valid) {
    return {
      rule: 'approval',
      status: 'pass',
      code: 'approval.valid',
      message: `Re-marketing approval ${valid.approvalId} (${valid.reference}) covers the number.`,
    };
  }
  const states = ctx.facts.approvals.map((a) => ({ a, state: approvalState(a, ctx.now) }));
  const revoked = states.find((s) => s.state === 'revoked');
  if (revoked) {
    return {
      rule: 'approval',
      status: 'deny',
      code: 'approval.revoked',
      message: `The re-marketing approval ${revoked.a.approvalId} (${revoked.a.reference}) covering the number was revoked.`,
    };
  }
  const expired = states.find((s) => s.state === 'expired');
  if (expired) {
    return {
      rule: 'approval',
      status: 'deny',
      code: 'approval.expired',
      message: `The re-marketing approval ${expired.a.approvalId} (${expired.a.reference}) covering the number has expired.`,
    };
  }
  const pending = states.find((s) => s.state === 'not_yet_valid');
  if (pending) {
    return {
      rule: 'approval',
      status: 'deny',
      code: 'approval.not_yet_valid',
      message: `The re-marketing approval ${pending.a.approvalId} (${pending.a.reference}) is not valid yet.`,
      retryAt: pending.a.validFrom,
    };
  }
  return {
    rule: 'approval',
    status: 'deny',
    code: 'approval.missing',
    message:
      'The number was worked in another campaign and no re-marketing approval of the list owner covers it.',
  };
}
