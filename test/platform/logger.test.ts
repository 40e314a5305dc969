import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/platform/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('redacts phone numbers and passwords wherever they appear in a log line', () => {
    const { lines, destination } = capture();
    const log = createLogger({ pretty: false, destination });
    log.info({ phone: '+12125550123', call: { phone_e164: '+12125550124', channelId: 'att-1' } }, 'dialing');
    log.info({ ari: { password: 's3cret' } }, 'connecting');
    const text = lines.join('');
    expect(text).not.toContain('2125550123');
    expect(text).not.toContain('2125550124');
    expect(text).not.toContain('s3cret');
    expect(text).toContain('att-1');
  });
});
