import { describe, expect, it } from 'vitest';
import { wrapAriError } from '../../engine/telephony/ari/ari-error.ts';

const page503 =
  '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>';

describe('an HTML page from Asterisk instead of an ARI answer (starting, stopping, ARI not loaded)', () => {
  it('is the link being unavailable, and the page goes into neither the message nor the cause', () => {
    const error = wrapAriError(new Error(page503), 'loginAgent 101');
    expect(error.kind).toBe('unavailable');
    expect(error.message).not.toMatch(/<|Service Unavailable<\/h1>/);
    expect(error.message).toMatch(/HTML error page/);
    expect(error.cause).toBeUndefined();
  });

  it('leaves a JSON error body as it was', () => {
    const error = wrapAriError(new Error('{"message":"Channel not found"}'), 'hangup x');
    expect(error.kind).toBe('not-found');
    expect(error.message).toBe('hangup x: Channel not found');
  });
});
