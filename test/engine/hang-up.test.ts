import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { hangUpCustomer } from '../../engine/runner/hang-up.ts';
import { TelephonyError } from '../../engine/telephony/errors.ts';

function capturedLogger() {
  const lines: Array<{ level: number; msg: string; err?: { type?: string; stack?: string } }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

const FAST = { attempts: 4, firstDelayMs: 1, maxDelayMs: 1 };

/** A telephone system that refuses the first `failures` hang-ups. */
function refusing(failures: number) {
  const tries: string[] = [];
  return {
    tries,
    hangup: async (attemptId: string) => {
      tries.push(attemptId);
      if (tries.length <= failures) throw new TelephonyError('unavailable', 'ARI did not answer');
    },
  };
}

describe('hanging a customer up', () => {
  it('logs a failed hang-up with its error and tries again until it goes through', async () => {
    const { log, lines } = capturedLogger();
    const telephony = refusing(2);
    expect(await hangUpCustomer(telephony, 'att-1', { log, policy: FAST })).toBe(true);
    expect(telephony.tries).toEqual(['att-1', 'att-1', 'att-1']);
    const warnings = lines.filter((l) => l.msg === 'hang-up failed; retrying');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.err?.type).toBe('TelephonyError');
  });

  it('says so as an error when every try failed', async () => {
    const { log, lines } = capturedLogger();
    const telephony = refusing(100);
    expect(await hangUpCustomer(telephony, 'att-2', { log, policy: FAST })).toBe(false);
    expect(telephony.tries).toHaveLength(FAST.attempts);
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([
      'could not hang the call up; giving up',
    ]);
  });

  it('stops trying once the call has ended by itself', async () => {
    const { log } = capturedLogger();
    const telephony = refusing(100);
    expect(await hangUpCustomer(telephony, 'att-3', { log, policy: FAST, stillLive: () => false })).toBe(
      true,
    );
    expect(telephony.tries).toHaveLength(1);
  });
});
