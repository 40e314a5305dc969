import type { LivePacingState } from './types.ts';

/**
 * Progressive pacing: keep `linesPerAgent` calls in flight for each available agent. With 1.0 no
 * answered call can find every agent busy (each ready agent has its own line), so it never
 * abandons when every answer goes to an agent; above 1.0 it trades abandonment for less waiting.
 */
export function progressiveLaunches(state: LivePacingState, linesPerAgent: number): number {
  const available = availableAgents(state);
  const wanted = Math.floor(available * linesPerAgent + 1e-9);
  return Math.max(0, wanted - state.callsInFlight.length);
}

export function availableAgents(state: LivePacingState): number {
  return Math.max(0, state.agentsReady - (state.agentsReserved ?? 0));
}
