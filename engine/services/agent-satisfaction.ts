import type { AgentState } from '../agents/agent-state.ts';
import { UserError } from '../platform/errors.ts';

/** What this needs of the engine of this process: the runner holding a campaign's calls. */
export interface SatisfactionRunners {
  runner(campaignId: number): { sendToSatisfaction(attemptId: string): Promise<boolean> } | undefined;
}

/**
 * The agent's desktop sends the customer of the agent's current call to the campaign's
 * satisfaction prompt (the agent's part of the call ends; the customer is asked for 1–5). Only
 * a call the agent is on, held by a runner of this process, of a campaign that asks for a score;
 * otherwise a refusal that says which (nothing changes).
 */
export async function sendAgentCallToSatisfaction(
  deps: {
    agents: {
      status(code: string): Promise<{ state: AgentState; session: { campaign_id: number | null } | null }>;
    };
    runners: SatisfactionRunners | undefined;
  },
  code: string,
): Promise<{ attemptId: string; campaignId: number }> {
  const { state, session } = await deps.agents.status(code);
  if (state.kind !== 'on_call' || session?.campaign_id == null) {
    throw new UserError(`agent ${code} is ${state.kind}, not on a call`, 'not_on_call');
  }
  const campaignId = session.campaign_id;
  const runner = deps.runners?.runner(campaignId);
  if (!runner) {
    throw new UserError(
      `campaign ${campaignId} is not run by this server: its calls are handled by another engine`,
      'not_here',
    );
  }
  if (!(await runner.sendToSatisfaction(state.attemptId))) {
    throw new UserError(
      `the call of agent ${code} cannot go to the satisfaction prompt: it has ended, or campaign ${campaignId} asks for no score`,
      'no_satisfaction',
    );
  }
  return { attemptId: state.attemptId, campaignId };
}
