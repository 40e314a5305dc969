import type { JurisdictionPolicy } from './jurisdictions.ts';

/**
 * US states whose wiretap statutes require every party's consent to record a call, with their
 * area codes (NANPA assignments as of 2026; an overlay opened later is missing until added here).
 * CA Penal Code 632, CT Gen. Stat. 52-570d, DE 11 Del. C. 2402 (read as all-party by its courts'
 * privacy statute), FL 934.03, IL 720 ILCS 5/14-2, MD Cts. & Jud. Proc. 10-402, MA c.272 §99,
 * MI 750.539c (read as all-party), MT 45-8-213, NV NRS 200.620 (telephone calls), NH RSA 570-A:2,
 * OR ORS 165.540 (in person; telephone calls one-party, kept here to be safe), PA 18 Pa.C.S. 5703,
 * WA RCW 9.73.030.
 */
const ALL_PARTY_STATES: Readonly<Record<string, readonly number[]>> = {
  California: [
    209, 213, 279, 310, 323, 341, 350, 369, 408, 415, 424, 442, 510, 530, 559, 562, 619, 626, 628, 650, 657,
    661, 669, 707, 714, 747, 760, 805, 818, 820, 831, 840, 858, 909, 916, 925, 949, 951,
  ],
  Connecticut: [203, 475, 860, 959],
  Delaware: [302],
  Florida: [
    239, 305, 321, 324, 352, 386, 407, 448, 561, 645, 656, 689, 727, 728, 754, 772, 786, 813, 850, 863, 904,
    941, 954,
  ],
  Illinois: [217, 224, 309, 312, 331, 447, 464, 618, 630, 708, 730, 773, 779, 815, 847, 861, 872],
  Maryland: [227, 240, 301, 410, 443, 667],
  Massachusetts: [339, 351, 413, 508, 617, 774, 781, 857, 978],
  Michigan: [231, 248, 269, 313, 517, 586, 616, 679, 734, 810, 906, 947, 989],
  Montana: [406],
  Nevada: [702, 725, 775],
  'New Hampshire': [603],
  Oregon: [458, 503, 541, 971],
  Pennsylvania: [215, 223, 267, 272, 412, 445, 484, 570, 582, 610, 717, 724, 814, 835, 878],
  Washington: [206, 253, 360, 425, 509, 564],
};

const stateByAreaCode = new Map<number, string>();
for (const [state, codes] of Object.entries(ALL_PARTY_STATES))
  for (const c of codes) stateByAreaCode.set(c, state);

/** The US all-party-consent state of a +1 number's area code, if any. */
export function allPartyConsentState(e164: string): string | null {
  const m = /^\+1(\d{3})\d{7}$/.exec(e164);
  return m ? (stateByAreaCode.get(Number(m[1])) ?? null) : null;
}

export interface RecordingNoticeDecision {
  required: boolean;
  /** One sentence naming the preset and why; never the full number. */
  reason: string;
}

/**
 * Whether a recorded call must start with a notice that it is recorded, by the preset's rule
 * (`recordingNotice`) and the called number (E.164). Pure. The recording side combines it with
 * the campaign's own settings (`recordingNoticeFor(campaign, calledNumber)`).
 */
export function recordingNoticeRule(
  policy: Pick<JurisdictionPolicy, 'preset' | 'recordingNotice'>,
  calledNumber: string,
): RecordingNoticeDecision {
  const by = `preset ${policy.preset}`;
  switch (policy.recordingNotice) {
    case 'never':
      return { required: false, reason: `${by} requires no recording notice` };
    case 'always':
      return { required: true, reason: `${by} requires a recording notice on every call` };
    case 'us_all_party_states': {
      if (!calledNumber.startsWith('+1')) {
        return {
          required: true,
          reason: `${by}: a number outside the North American plan, whose recording rule is unknown: notice given`,
        };
      }
      const state = allPartyConsentState(calledNumber);
      if (state) {
        return {
          required: true,
          reason: `${by}: area code ${calledNumber.slice(2, 5)} is in ${state}, where every party must consent to recording`,
        };
      }
      return {
        required: false,
        reason: `${by}: area code ${calledNumber.slice(2, 5)} is not in an all-party-consent state`,
      };
    }
  }
}
