import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import type {
  CampaignFacts,
  ContactFacts,
  GateContact,
  GateInput,
} from '../../engine/compliance/gate-types.ts';
import { policyForDefinition } from '../../engine/compliance/jurisdictions.ts';

/** Builds gate inputs for unit tests: a dialable US contact at a fixed moment, unless overridden. */

export const NOW = new Date('2026-06-10T16:00:00Z'); // Wednesday, 12:00 in New York

export function definition(overrides: Record<string, unknown> = {}) {
  return campaignDefinitionSchema.parse({
    name: 'Test',
    client: 'acme',
    type: 'survey',
    mode: 'predictive',
    dialing: { callerId: '+12125550100' },
    ...overrides,
  });
}

export function contact(overrides: Partial<GateContact> = {}): GateContact {
  return {
    id: 1,
    phoneE164: '+12125550123',
    batchId: 10,
    timeZone: 'America/New_York',
    timeZoneAssumed: false,
    consentRef: null,
    needsApproval: false,
    ...overrides,
  };
}

export function facts(overrides: Partial<ContactFacts> = {}): ContactFacts {
  return {
    dnc: [],
    approvals: [],
    attemptsTotal: 0,
    recentAttemptTimes: [],
    lastAttempt: null,
    lastAbandonedAt: null,
    openAttempt: false,
    agentReserved: false,
    lastOutcome: null,
    ...overrides,
  };
}

export function campaignFacts(overrides: Partial<CampaignFacts> = {}): CampaignFacts {
  return {
    nationalRegistrySyncedAt: new Date('2026-06-01T00:00:00Z'),
    abandonment: { abandoned: 0, humanAnswered: 0, windowStart: new Date('2026-05-11T16:00:00Z') },
    ...overrides,
  };
}

export function input(
  parts: {
    contact?: Partial<GateContact>;
    facts?: Partial<ContactFacts>;
    campaignFacts?: Partial<CampaignFacts>;
    definition?: Record<string, unknown>;
    now?: Date | string;
    clientId?: number;
  } = {},
): GateInput {
  const def = definition(parts.definition);
  // No call counted by the preset's frequency rules unless the test says otherwise.
  const frequency = policyForDefinition(def).frequency.map((rule) => ({
    ruleId: rule.id,
    countedBy: 'number' as const,
    attemptTimes: [],
    lastConversationAt: null,
  }));
  return {
    contact: contact(parts.contact),
    facts: facts({ ...(frequency.length ? { frequency } : {}), ...parts.facts }),
    campaignFacts: campaignFacts(parts.campaignFacts),
    campaign: { id: 7, clientId: parts.clientId ?? 3, definition: def },
    now: parts.now ? new Date(parts.now) : NOW,
  };
}
