import { useEffect, useState } from 'react';
import { get } from '../../api/client.ts';
import type { AgentScreen } from '../../api/types.ts';

export interface FeedState {
  screen: AgentScreen | null;
  /** This browser's time (performance.now()) when the current state arrived: timers count from it. */
  stateSeenAt: number;
  /** The stream broke and the browser is reconnecting (not before the first connection). */
  lost: boolean;
}

/**
 * The agent's live feed (GET /api/events, channel agent, Server-Sent Events): the current screen
 * first, then each change. `agent` names the seat a supervisor watches; omitted, one's own.
 * Timers run on this browser's clock from the moment a state arrived, so they are right even
 * when the engine's clock is not the wall clock (the demo's).
 */
export function useAgentFeed(agent: string | null, enabled: boolean): FeedState {
  const [state, setState] = useState<FeedState>({ screen: null, stateSeenAt: 0, lost: false });
  useEffect(() => {
    // Another seat (a supervisor's pick): nothing of the previous one stays on screen.
    setState({ screen: null, stateSeenAt: 0, lost: false });
    if (!enabled) return;
    const query = new URLSearchParams({ channel: 'agent', ...(agent ? { agent } : {}) });
    const source = new EventSource(`/api/events?${query}`);
    source.addEventListener('agent', (event) => {
      const screen = JSON.parse((event as MessageEvent<string>).data) as AgentScreen;
      setState((previous) => ({
        screen,
        lost: false,
        stateSeenAt:
          previous.screen &&
          previous.screen.state.kind === screen.state.kind &&
          previous.screen.since === screen.since
            ? previous.stateSeenAt
            : performance.now(),
      }));
    });
    source.addEventListener('open', () => setState((s) => ({ ...s, lost: false })));
    source.addEventListener('error', () => {
      setState((s) => ({ ...s, lost: true }));
      // The browser gives up on a refused stream (401: the session ended): asking who we are
      // sends the shell back to the sign-in page; otherwise it reconnects by itself.
      if (source.readyState === EventSource.CLOSED) void get('/api/session').catch(() => {});
    });
    return () => source.close();
  }, [agent, enabled]);
  return state;
}

/** Seconds since `from` (a performance.now() value), re-rendering four times a second. */
export function useSecondsSince(from: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, (Math.max(now, from) - from) / 1000);
}
