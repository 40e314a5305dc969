import type { TelephonyPort } from '../../engine/telephony/port.ts';
import type { ManualTelephony } from './simulated-telephony.ts';

/** Probes of engine tests on the ARI simulator's manual engine time. */

/** The port as the engine sees it, with every ring of an agent's phone noted (engine time). */
export function countingRings(telephony: ManualTelephony['telephony'], clock: ManualTelephony['clock']) {
  const rings: Array<{ agentId: string; at: number }> = [];
  const port = new Proxy(telephony, {
    get(target, property) {
      if (property === 'loginAgent') {
        return (request: Parameters<TelephonyPort['loginAgent']>[0]) => {
          rings.push({ agentId: request.agentId, at: clock.now().getTime() });
          return target.loginAgent(request);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { port, rings };
}

/** Polls `check` until it holds, at most `engineMs` of engine time (and a real-time bound). */
export async function untilEngineTime(
  clock: ManualTelephony['clock'],
  engineMs: number,
  check: () => Promise<boolean>,
): Promise<boolean> {
  const deadline = clock.now().getTime() + engineMs;
  const realDeadline = Date.now() + 120_000;
  while (clock.now().getTime() < deadline && Date.now() < realDeadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}
