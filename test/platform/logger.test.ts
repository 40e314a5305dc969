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

describe('logger on a terminal', () => {
  it('writes one human line per record, with plain fields and the error, never a JSON object', () => {
    const { lines, destination } = capture();
    const log = createLogger({ pretty: true, destination });
    const err = Object.assign(new Error('ARI did not answer'), { code: 'unavailable' });
    log.warn({ campaignId: 1, timings: { screen: 593, commit: 117 }, err }, 'originate failed');
    const text = lines.join('');
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text).toContain('WARN');
    expect(text).toContain('originate failed');
    expect(text).toContain('campaignId=1');
    expect(text).toContain('error="unavailable: ARI did not answer"');
    expect(text).not.toMatch(/[{}]/);
    expect(text).not.toContain('screen');
  });
});
