import type { TelephonyPort } from '../../engine/telephony/port.ts';

/**
 * A telephone system for the reconciliation and recovery tests: only the `live` channels are up,
 * it records what it hangs up in `hungUp`, and refuses everything reconciliation does not use.
 * `tag` prefixes its call ids and names the test in its refusals.
 */
export function reconcilingTelephony(live: string[], hungUp: string[], tag: string): TelephonyPort {
  const refuse = () => Promise.reject(new Error(`not used by ${tag}`));
  return {
    newCallId: (name) => `${tag}-${name}`,
    start: async () => {},
    stop: async () => {},
    loginAgent: refuse,
    logoutAgent: async () => {},
    originate: refuse,
    connect: refuse,
    play: refuse,
    collectDtmf: refuse,
    record: refuse,
    hangup: async (attemptId) => {
      hungUp.push(attemptId);
    },
    onEvent: () => () => {},
    reconcile: async (ids) => ({
      live: ids.filter((id) => live.includes(id)),
      gone: ids.filter((id) => !live.includes(id)),
      orphansHungUp: [],
      agentsAdopted: [],
    }),
  };
}
