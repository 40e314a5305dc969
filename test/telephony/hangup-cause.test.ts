import { describe, expect, it } from 'vitest';
import { type CallOutcome, classifyHangup, type DialStatus } from '../../engine/telephony/index.ts';

describe('hangup cause classification', () => {
  const cases: Array<
    [
      string,
      { cause: number; dialStatus?: DialStatus; answered?: boolean; hungUpByUs?: boolean },
      CallOutcome,
    ]
  > = [
    ['an answered call, whoever ended it', { cause: 16, dialStatus: 'ANSWER', answered: true }, 'answered'],
    ['an answered call cut by a network fault', { cause: 38, answered: true }, 'answered'],
    ['cause 0 with Dial BUSY (Local callee, as traced)', { cause: 0, dialStatus: 'BUSY' }, 'busy'],
    ['cause 17 from a SIP trunk', { cause: 17 }, 'busy'],
    ['cause 0 with Dial CONGESTION', { cause: 0, dialStatus: 'CONGESTION' }, 'congestion'],
    ['cause 34 with no Dial status', { cause: 34 }, 'congestion'],
    ['cause 38 / 41 / 42 network trouble', { cause: 42 }, 'congestion'],
    ['cause 19 with no final Dial (originate timeout)', { cause: 19 }, 'no_answer'],
    ['cause 18 no user responding', { cause: 18 }, 'no_answer'],
    [
      'cause 1 even though Dial said NOANSWER (the cause is the truth)',
      { cause: 1, dialStatus: 'NOANSWER' },
      'invalid_number',
    ],
    ['cause 28 invalid number format', { cause: 28 }, 'invalid_number'],
    ['cause 3 no route', { cause: 3 }, 'no_route'],
    ['cause 27 destination out of order', { cause: 27 }, 'out_of_order'],
    ['cause 21 call rejected', { cause: 21, dialStatus: 'NOANSWER' }, 'rejected'],
    ['Dial CHANUNAVAIL', { cause: 0, dialStatus: 'CHANUNAVAIL' }, 'congestion'],
    ['we hung up while it rang', { cause: 16, hungUpByUs: true }, 'cancelled'],
    ['cause 0 and nothing else (missing context)', { cause: 0 }, 'failed'],
    ['an unknown cause', { cause: 99 }, 'failed'],
  ];

  it.each(cases)('%s', (_name, input, outcome) => {
    expect(classifyHangup({ answered: false, ...input })).toBe(outcome);
  });
});
