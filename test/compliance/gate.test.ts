import { describe, expect, it } from 'vitest';
import { evaluateGate, gateReasonsForLog, RULE_NAMES } from '../../engine/compliance/gate.ts';
import type { GateDecision } from '../../engine/compliance/gate-types.ts';
import { jurisdictionPolicy } from '../../engine/compliance/jurisdictions.ts';
import { input, NOW } from './gate-fixtures.ts';

const result = (d: GateDecision, rule: string) => d.results.find((r) => r.rule === rule)!;
const hours = (h: number) => new Date(NOW.getTime() + h * 3_600_000);

describe('compliance gate', () => {
  it('allows a clean contact and reports every rule, in a fixed order', () => {
    const d = evaluateGate(input());
    expect(d.allowed).toBe(true);
    expect(d.disposition).toBe('dial');
    expect(d.denials).toEqual([]);
    expect(d.results.map((r) => r.rule)).toEqual(RULE_NAMES);
    for (const r of d.results) {
      expect(r.code).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(r.message.length).toBeGreaterThan(10);
      expect(r.message).not.toContain('+12125550123');
    }
    expect(gateReasonsForLog(d)).toHaveLength(RULE_NAMES.length);
  });

  describe('do-not-call', () => {
    it('blocks a number on the internal list, in every campaign', () => {
      const d = evaluateGate(
        input({
          facts: {
            dnc: [
              { scope: 'internal', scopeKey: 'internal', reason: 'opt-out', addedAt: null, expiresAt: null },
            ],
          },
        }),
      );
      expect(d.allowed).toBe(false);
      expect(d.disposition).toBe('block');
      expect(d.permanent).toBe(true);
      expect(result(d, 'dnc').code).toBe('dnc.internal');
    });

    it('blocks a number on the national registry where the jurisdiction has one', () => {
      const hit = {
        scope: 'national' as const,
        scopeKey: 'national',
        reason: null,
        addedAt: null,
        expiresAt: null,
      };
      expect(result(evaluateGate(input({ facts: { dnc: [hit] } })), 'dnc').code).toBe('dnc.national');
      const uk = evaluateGate(input({ facts: { dnc: [hit] }, definition: { jurisdiction: 'UK' } }));
      expect(result(uk, 'dnc').code).toBe('dnc.clear');
    });

    it('blocks a number on the campaign list', () => {
      const d = evaluateGate(
        input({
          facts: {
            dnc: [
              { scope: 'campaign', scopeKey: 'campaign:7', reason: null, addedAt: null, expiresAt: null },
            ],
          },
        }),
      );
      expect(result(d, 'dnc').code).toBe('dnc.campaign');
    });

    it('ignores an entry that has expired', () => {
      const d = evaluateGate(
        input({
          facts: {
            dnc: [
              { scope: 'internal', scopeKey: 'internal', reason: null, addedAt: null, expiresAt: hours(-1) },
            ],
          },
        }),
      );
      expect(d.allowed).toBe(true);
    });
  });

  describe('client blacklist', () => {
    it('blocks a number on the list owner’s blacklist', () => {
      const d = evaluateGate(
        input({
          facts: {
            dnc: [{ scope: 'client', scopeKey: 'client:3', reason: 'VIP', addedAt: null, expiresAt: null }],
          },
        }),
      );
      expect(result(d, 'blacklist')).toMatchObject({ status: 'deny', code: 'blacklist.client' });
      expect(d.disposition).toBe('block');
    });

    it('ignores another client’s blacklist', () => {
      const d = evaluateGate(
        input({
          facts: {
            dnc: [{ scope: 'client', scopeKey: 'client:4', reason: null, addedAt: null, expiresAt: null }],
          },
        }),
      );
      expect(result(d, 'blacklist').code).toBe('blacklist.clear');
    });
  });

  describe('re-marketing approval', () => {
    const approval = {
      approvalId: 5,
      reference: 'DOC-1',
      validFrom: new Date('2026-06-01T00:00:00Z'),
      validUntil: null,
      revokedAt: null,
    };

    it('is not needed for a number not worked elsewhere', () => {
      expect(result(evaluateGate(input()), 'approval').status).toBe('not_applicable');
    });

    it('holds a contact that needs one and has none', () => {
      const d = evaluateGate(input({ contact: { needsApproval: true } }));
      expect(result(d, 'approval').code).toBe('approval.missing');
      expect(d.disposition).toBe('hold');
    });

    it('allows a contact covered by a valid approval', () => {
      const d = evaluateGate(input({ contact: { needsApproval: true }, facts: { approvals: [approval] } }));
      expect(result(d, 'approval').code).toBe('approval.valid');
      expect(d.allowed).toBe(true);
    });

    it('stops a contact whose approval was revoked, from the moment of the revocation', () => {
      const revoked = { ...approval, revokedAt: hours(-1) };
      const d = evaluateGate(input({ contact: { needsApproval: true }, facts: { approvals: [revoked] } }));
      expect(result(d, 'approval').code).toBe('approval.revoked');
      const before = evaluateGate(
        input({ contact: { needsApproval: true }, facts: { approvals: [revoked] }, now: hours(-2) }),
      );
      expect(result(before, 'approval').code).toBe('approval.valid');
    });

    it('stops a contact whose approval expired', () => {
      const d = evaluateGate(
        input({
          contact: { needsApproval: true },
          facts: { approvals: [{ ...approval, validUntil: hours(-1) }] },
        }),
      );
      expect(result(d, 'approval').code).toBe('approval.expired');
    });

    it('waits for an approval that is not valid yet', () => {
      const d = evaluateGate(
        input({
          contact: { needsApproval: true },
          facts: { approvals: [{ ...approval, validFrom: hours(20) }] },
        }),
      );
      expect(result(d, 'approval')).toMatchObject({ code: 'approval.not_yet_valid', retryAt: hours(20) });
      expect(d.disposition).toBe('retry_later');
    });
  });

  describe('consent (China)', () => {
    const cn = { jurisdiction: 'CN', defaultTimeZone: 'Asia/Shanghai' };
    const shanghaiNoon = '2026-06-10T04:00:00Z';
    const cnContact = { timeZone: 'Asia/Shanghai', phoneE164: '+8613800138000' };

    it('denies a contact with no recorded consent', () => {
      const d = evaluateGate(input({ definition: cn, contact: cnContact, now: shanghaiNoon }));
      expect(result(d, 'consent').code).toBe('consent.missing');
      expect(d.allowed).toBe(false);
    });

    it('allows a contact with a consent reference', () => {
      const d = evaluateGate(
        input({ definition: cn, contact: { ...cnContact, consentRef: 'WL-2026-001' }, now: shanghaiNoon }),
      );
      expect(result(d, 'consent').code).toBe('consent.recorded');
      expect(d.allowed).toBe(true);
    });

    it('accepts an approval covering the contact as the consent record', () => {
      const d = evaluateGate(
        input({
          definition: cn,
          contact: cnContact,
          now: shanghaiNoon,
          facts: {
            approvals: [
              { approvalId: 1, reference: 'WL', validFrom: new Date(0), validUntil: null, revokedAt: null },
            ],
          },
        }),
      );
      expect(result(d, 'consent').code).toBe('consent.approval');
    });

    it('does not ask for consent in the US', () => {
      expect(result(evaluateGate(input()), 'consent').status).toBe('not_applicable');
    });
  });

  describe('national registry age', () => {
    it('stops all dialing when the copy is older than 31 days', () => {
      const d = evaluateGate(
        input({ campaignFacts: { nationalRegistrySyncedAt: new Date('2026-05-09T15:00:00Z') } }),
      );
      expect(result(d, 'national_registry').code).toBe('national_registry.stale');
      expect(d.disposition).toBe('hold');
    });

    it('accepts a copy exactly 31 days old', () => {
      const d = evaluateGate(
        input({ campaignFacts: { nationalRegistrySyncedAt: new Date('2026-05-10T16:00:00Z') } }),
      );
      expect(result(d, 'national_registry').code).toBe('national_registry.fresh');
    });

    it('stops all dialing when the registry was never loaded', () => {
      const d = evaluateGate(input({ campaignFacts: { nationalRegistrySyncedAt: null } }));
      expect(result(d, 'national_registry').code).toBe('national_registry.never_loaded');
    });

    it('does not apply where the jurisdiction has no registry loaded', () => {
      const d = evaluateGate(
        input({ definition: { jurisdiction: 'UK' }, campaignFacts: { nationalRegistrySyncedAt: null } }),
      );
      expect(result(d, 'national_registry').status).toBe('not_applicable');
    });
  });

  describe('attempts', () => {
    it('exhausts a contact at the campaign maximum', () => {
      const d = evaluateGate(input({ facts: { attemptsTotal: 5 } }));
      expect(result(d, 'attempts').code).toBe('attempts.max_per_contact');
      expect(d.disposition).toBe('exhausted');
    });

    it('stops for the day at the daily maximum, counted in the contact’s own day', () => {
      // Three attempts on 10 June in New York. 01:00Z on the 10th is still the 9th there.
      const today = [
        new Date('2026-06-10T13:00:00Z'),
        new Date('2026-06-10T14:00:00Z'),
        new Date('2026-06-10T15:00:00Z'),
      ];
      const d = evaluateGate(input({ facts: { attemptsTotal: 3, recentAttemptTimes: today } }));
      expect(result(d, 'attempts')).toMatchObject({
        code: 'attempts.max_per_day',
        retryAt: new Date('2026-06-11T04:00:00Z'),
      });
      expect(d.disposition).toBe('retry_later');
      const yesterdayLocal = [new Date('2026-06-10T01:00:00Z'), ...today.slice(1)];
      const d2 = evaluateGate(input({ facts: { attemptsTotal: 3, recentAttemptTimes: yesterdayLocal } }));
      expect(result(d2, 'attempts').code).toBe('attempts.within_limits');
    });
  });

  describe('minimum gap after an outcome', () => {
    it('waits the campaign’s minutes after a busy signal', () => {
      const d = evaluateGate(
        input({ facts: { lastAttempt: { result: 'busy', at: hours(-0.25) }, attemptsTotal: 1 } }),
      );
      expect(result(d, 'retry_gap')).toMatchObject({ code: 'retry_gap.too_soon', retryAt: hours(0.25) });
      const later = evaluateGate(
        input({ facts: { lastAttempt: { result: 'busy', at: hours(-1) }, attemptsTotal: 1 } }),
      );
      expect(result(later, 'retry_gap').code).toBe('retry_gap.elapsed');
    });

    it('takes the gap of the agent’s tagged outcome too, the later one winning', () => {
      const d = evaluateGate(
        input({
          facts: {
            attemptsTotal: 1,
            lastAttempt: { result: 'answered', at: hours(-1) },
            lastOutcome: { tag: 'no_answer', at: hours(-1) },
          },
        }),
      );
      expect(result(d, 'retry_gap')).toMatchObject({ code: 'retry_gap.too_soon', retryAt: hours(1) });
    });

    it('uses the campaign file’s own retry minutes', () => {
      const d = evaluateGate(
        input({
          definition: { attempts: { retryMinutes: { busy: 5 } } },
          facts: { attemptsTotal: 1, lastAttempt: { result: 'busy', at: hours(-0.25) } },
        }),
      );
      expect(result(d, 'retry_gap').code).toBe('retry_gap.elapsed');
    });
  });

  describe('repeat after an abandoned call', () => {
    it('refuses a call within 72 h of an abandoned call to the number', () => {
      const d = evaluateGate(input({ facts: { lastAbandonedAt: hours(-71) } }));
      expect(result(d, 'abandon_repeat')).toMatchObject({
        code: 'abandon_repeat.within_window',
        retryAt: hours(1),
      });
    });

    it('allows it when an agent is reserved for the call', () => {
      const d = evaluateGate(input({ facts: { lastAbandonedAt: hours(-1), agentReserved: true } }));
      expect(result(d, 'abandon_repeat').code).toBe('abandon_repeat.agent_reserved');
      expect(d.allowed).toBe(true);
    });

    it('allows it after 72 h', () => {
      expect(evaluateGate(input({ facts: { lastAbandonedAt: hours(-72) } })).allowed).toBe(true);
    });
  });

  describe('abandonment rate', () => {
    it('refuses predictive pacing at the cap but still allows the dial', () => {
      const d = evaluateGate(
        input({ campaignFacts: { abandonment: { abandoned: 3, humanAnswered: 100, windowStart: NOW } } }),
      );
      expect(d.allowed).toBe(true);
      expect(d.predictiveAllowed).toBe(false);
      expect(result(d, 'abandonment_rate')).toMatchObject({
        status: 'restrict',
        code: 'abandonment_rate.over_cap',
      });
    });

    it('allows predictive pacing under the cap', () => {
      const d = evaluateGate(
        input({ campaignFacts: { abandonment: { abandoned: 2, humanAnswered: 100, windowStart: NOW } } }),
      );
      expect(d.predictiveAllowed).toBe(true);
      expect(result(d, 'abandonment_rate').code).toBe('abandonment_rate.under_cap');
    });
  });

  it('refuses a contact already in a call', () => {
    const d = evaluateGate(input({ facts: { openAttempt: true } }));
    expect(result(d, 'in_flight').code).toBe('in_flight.open_attempt');
    expect(d.disposition).toBe('hold');
  });

  it('lists every denial and picks the most final disposition', () => {
    const d = evaluateGate(
      input({
        now: '2026-06-10T03:00:00Z', // 23:00 in New York
        contact: { needsApproval: true },
        facts: {
          dnc: [{ scope: 'internal', scopeKey: 'internal', reason: null, addedAt: null, expiresAt: null }],
        },
      }),
    );
    expect(d.denials.map((r) => r.code)).toEqual([
      'dnc.internal',
      'approval.missing',
      'calling_window.legal_hours',
    ]);
    expect(d.disposition).toBe('block');
    expect(d.retryAt).toBeNull();
  });

  it('gives the latest lifting time when only time-based rules deny', () => {
    const d = evaluateGate(
      input({
        now: '2026-06-10T03:00:00Z',
        facts: { attemptsTotal: 1, lastAttempt: { result: 'busy', at: new Date('2026-06-10T02:50:00Z') } },
      }),
    );
    expect(d.disposition).toBe('retry_later');
    expect(d.retryAt).toEqual(new Date('2026-06-10T13:00:00Z')); // 09:00 New York, the campaign's opening
  });

  it('takes a jurisdiction policy given by the caller', () => {
    const late = input({ now: '2026-06-10T23:30:00Z' }); // 19:30 New York: open by default
    const policy = jurisdictionPolicy('US', { legalHours: [{ start: '08:00', end: '19:00' }] });
    expect(evaluateGate(late).allowed).toBe(true);
    expect(result(evaluateGate({ ...late, policy }), 'calling_window').code).toBe(
      'calling_window.legal_hours',
    );
  });
});
