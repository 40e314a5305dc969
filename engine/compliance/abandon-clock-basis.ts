import type { Jurisdiction } from '../../campaigns/campaign-definition.ts';
import { type AbandonClockFrom, jurisdictionPolicy } from './jurisdictions.ts';

/**
 * Which moment a jurisdiction's 2-second connect rule counts from, named the way reports and
 * exports show it: the policy's value, the dial-log column holding that moment and a sentence
 * for a reader. A regulator comparing our abandon counts with the dial log needs all three.
 */
export interface AbandonClockBasis {
  jurisdiction: Jurisdiction;
  from: AbandonClockFrom;
  /** The dial log column the clock starts at (sip_answered_at falls back to answered_at when unset). */
  column: 'sip_answered_at' | 'answered_at';
  description: string;
}

export function abandonClockBasis(jurisdiction: Jurisdiction): AbandonClockBasis {
  const from = jurisdictionPolicy(jurisdiction).abandonClockFrom;
  return from === 'sip_answer'
    ? {
        jurisdiction,
        from,
        column: 'sip_answered_at',
        description: `${jurisdiction}: the 2-second rule counts from the SIP answer (sip_answered_at)`,
      }
    : {
        jurisdiction,
        from,
        column: 'answered_at',
        description: `${jurisdiction}: the 2-second rule counts from the end of the greeting (answered_at, the AMD verdict)`,
      };
}
