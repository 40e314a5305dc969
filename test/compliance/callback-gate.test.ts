import { describe, expect, it } from 'vitest';
import { nextAllowedMoment } from '../../engine/compliance/next-allowed.ts';
import { input, NOW } from './gate-fixtures.ts';

// NOW is Wednesday 10 June 2026, 12:00 in New York (16:00 UTC); the campaign's window is 09:00-20:00.
const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

describe('a callback planned ahead goes through the gate: each rule moves or refuses it', () => {
  it('calling hours: 06:00 local moves to the window’s opening', () => {
    const v = nextAllowedMoment(input({ now: '2026-06-10T10:00:00Z' }));
    expect(v).toMatchObject({ kind: 'allowed', moved: true, at: at('2026-06-10T13:00:00Z') });
  });

  it('a time inside every rule stays as asked', () => {
    expect(nextAllowedMoment(input())).toMatchObject({ kind: 'allowed', moved: false, at: NOW });
  });

  it('attempts a day: moves past the contact’s local midnight, then to the next opening', () => {
    const today = [1, 2, 3].map((h) => new Date(NOW.getTime() - h * HOUR));
    const v = nextAllowedMoment(input({ facts: { recentAttemptTimes: today, attemptsTotal: 3 } }));
    expect(v).toMatchObject({ kind: 'allowed', at: at('2026-06-11T13:00:00Z') });
  });

  it('retry gap: moves to the end of the gap of the last result', () => {
    const lastAttempt = { result: 'no_answer', at: new Date(NOW.getTime() - HOUR) };
    const v = nextAllowedMoment(input({ facts: { lastAttempt } }));
    expect(v).toMatchObject({ kind: 'allowed', at: new Date(NOW.getTime() + HOUR) });
  });

  it('repeat after an abandoned call: moves to 72 h after it', () => {
    const abandoned = new Date(NOW.getTime() - HOUR); // lifts on Saturday at 11:00, inside the window
    const v = nextAllowedMoment(input({ facts: { lastAbandonedAt: abandoned } }));
    expect(v).toMatchObject({ kind: 'allowed', at: new Date(abandoned.getTime() + 72 * HOUR) });
  });

  it('same-day redial after a machine (UK): moves to the next day’s opening', () => {
    const v = nextAllowedMoment(
      input({
        definition: {
          jurisdiction: 'UK',
          defaultTimeZone: 'Europe/London',
          attempts: { retryMinutes: { machine: 1 } },
        },
        contact: { timeZone: 'Europe/London', phoneE164: '+442071838750' },
        now: '2026-06-10T10:00:00Z',
        facts: { lastAttempt: { result: 'machine', at: at('2026-06-10T09:00:00Z') } },
      }),
    );
    expect(v).toMatchObject({ kind: 'allowed', at: at('2026-06-11T08:00:00Z') }); // 09:00 BST
  });

  it('a frequency rule (Regulation F, quiet after a conversation): moves to the 8th day', () => {
    const talked = NOW.getTime() - 2 * 24 * HOUR;
    const v = nextAllowedMoment(
      input({
        definition: { type: 'collections', compliance: { preset: 'us-collections' } },
        facts: {
          frequency: [
            {
              ruleId: 'reg-f-7-in-7',
              countedBy: 'account',
              attemptTimes: [talked],
              lastConversationAt: talked,
            },
          ],
        },
      }),
    );
    expect(v).toMatchObject({ kind: 'allowed', at: new Date(talked + 7 * 24 * HOUR) });
  });

  it('a do-not-call list, the client’s blacklist or exhausted attempts: refused, whatever the time', () => {
    const internal = {
      scope: 'internal' as const,
      scopeKey: 'internal',
      reason: null,
      addedAt: null,
      expiresAt: null,
    };
    const client = {
      scope: 'client' as const,
      scopeKey: 'client:3',
      reason: null,
      addedAt: null,
      expiresAt: null,
    };
    expect(nextAllowedMoment(input({ facts: { dnc: [internal] } })).kind).toBe('refused');
    expect(nextAllowedMoment(input({ facts: { dnc: [client] } })).kind).toBe('refused');
    const exhausted = nextAllowedMoment(input({ facts: { attemptsTotal: 5 } }));
    expect(exhausted.kind === 'refused' && exhausted.denials.map((d) => d.code)).toEqual([
      'attempts.max_per_contact',
    ]);
  });

  it('a missing approval or consent: held, still moved past the time-based rules', () => {
    const v = nextAllowedMoment(input({ now: '2026-06-10T10:00:00Z', contact: { needsApproval: true } }));
    expect(v.kind).toBe('held');
    expect(v.kind === 'held' && v.at).toEqual(at('2026-06-10T13:00:00Z'));
    expect(v.kind === 'held' && v.denials.map((d) => d.code)).toEqual(['approval.missing']);
    const cn = nextAllowedMoment(
      input({
        definition: { jurisdiction: 'CN' },
        contact: { timeZone: 'Asia/Shanghai' },
        now: '2026-06-10T03:00:00Z',
      }),
    );
    expect(cn.kind === 'held' && cn.denials.map((d) => d.code)).toEqual(['consent.missing']);
  });

  it('ignores the call in progress now (it will have ended)', () => {
    expect(nextAllowedMoment(input({ facts: { openAttempt: true } })).kind).toBe('allowed');
  });
});
