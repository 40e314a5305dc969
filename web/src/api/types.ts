import type { z } from 'zod';
import type { agentScreenView, campaignView } from '../../../scripts/api/schemas.ts';

/**
 * The API's answers, typed from the API's own response schemas (type-only imports: nothing of
 * the server is bundled).
 */
export type AgentScreen = z.infer<typeof agentScreenView>;
export type AgentState = AgentScreen['state'];
export type ScreenCall = NonNullable<AgentScreen['call']>;
export type Campaign = z.infer<typeof campaignView>;

export type Role = 'admin' | 'manager' | 'agent' | 'compliance_officer' | 'qa';

export interface Me {
  name: string;
  role: Role;
  permissions: string[];
  via: 'bearer' | 'cookie';
  agent: { id: number; code: string } | null;
}

export interface SignedIn {
  user: { name: string; role: Role };
  csrfToken: string;
  expiresAt: string;
}

export interface CampaignDetail extends Campaign {
  definition: Record<string, unknown>;
  contacts: Record<string, number>;
}

export interface AgentRow {
  id: number;
  code: string;
  name: string;
  endpoint: string;
  campaignId: number | null;
  state: AgentState;
  detail: string;
}
