import { describe, expect, it } from 'vitest';
import { decide, decideAgentOperation, type Principal } from '../../engine/access/permissions.ts';
import { generateToken, hashToken, looksLikeToken, parseLifetime } from '../../engine/access/tokens.ts';

const as = (role: Principal['role'], userId = 7): Principal => ({ userId, name: `u${userId}`, role });

describe('the permission table', () => {
  it('names the roles a refused permission needs', () => {
    expect(decide(as('manager'), 'numbers.full')).toEqual({
      allowed: false,
      permission: 'numbers.full',
      needs: ['compliance_officer'],
    });
    expect(decide(as('compliance_officer'), 'numbers.full')).toEqual({ allowed: true });
  });

  it('lets an agent operate only the agent linked to them; supervisors any', () => {
    expect(decideAgentOperation(as('agent', 7), 7).allowed).toBe(true);
    expect(decideAgentOperation(as('agent', 7), 8).allowed).toBe(false);
    expect(decideAgentOperation(as('agent', 7), null).allowed).toBe(false);
    expect(decideAgentOperation(as('manager', 1), 8).allowed).toBe(true);
    expect(decideAgentOperation(as('qa', 1), 1)).toMatchObject({
      allowed: false,
      permission: 'agent.operate.any',
    });
  });
});

describe('API tokens', () => {
  it('are 32 random bytes behind a prefix, stored as their SHA-256', () => {
    const a = generateToken();
    expect(looksLikeToken(a)).toBe(true);
    expect(a).not.toBe(generateToken());
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('always expire: a lifetime has a unit and is at most 366 days', () => {
    expect(parseLifetime('30d')).toBe(30 * 86_400_000);
    expect(parseLifetime('12h')).toBe(12 * 3_600_000);
    for (const bad of ['0d', '367d', '30', 'never', '-1d']) expect(() => parseLifetime(bad)).toThrow();
  });
});
