import type { GateDecision } from '../compliance/gate.ts';

/** What becomes of a claimed contact the gate refused: its status, and when to look again. */
export interface Refusal {
  readonly status: 'blocked' | 'exhausted' | 'awaiting_approval' | 'ready';
  /** Only for `ready`: the next moment worth asking the gate again. */
  readonly nextAttemptAt: Date | null;
  readonly codes: string[];
}

/** Without a moment from the gate, a contact is looked at again this much later. */
const RECHECK_MS = 15 * 60_000;

/**
 * Pure. A contact waits for a person's act (a list owner's approval) only when nothing else
 * will let it through: an approval that exists but starts later is a date, not a missing
 * approval, so the contact stays ready with its next attempt at the approval's first moment
 * (the gate's retryAt). Held as `awaiting_approval` it would wait for a release that never comes.
 */
export function refusalOf(decision: GateDecision | null, now: Date): Refusal {
  const disposition = decision?.disposition ?? 'hold';
  const codes = decision?.denials.map((d) => d.code) ?? ['gate.no_facts'];
  const waitsForApproval = codes.some((c) => c.startsWith('approval.') && c !== 'approval.not_yet_valid');
  const status =
    disposition === 'block'
      ? 'blocked'
      : disposition === 'exhausted'
        ? 'exhausted'
        : waitsForApproval
          ? 'awaiting_approval'
          : 'ready';
  const nextAttemptAt =
    status === 'ready' ? (decision?.retryAt ?? new Date(now.getTime() + RECHECK_MS)) : null;
  return { status, nextAttemptAt, codes };
}
