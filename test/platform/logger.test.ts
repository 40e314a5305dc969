import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/platform/logger.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ pretty: false, destination, level: 'debug' });
  return { lines, log, destination, text: () => lines.join('') };
}

const NUMBER = '+12125550123';
const MASK = maskPhone(NUMBER);

describe('logger', () => {
  it('redacts phone numbers and passwords wherever they appear in a log line', () => {
    const { log, text } = capture();
    log.info({ phone: '+12125550123', call: { phone_e164: '+12125550124', channelId: 'att-1' } }, 'dialing');
    log.info({ ari: { password: 's3cret' } }, 'connecting');
    expect(text()).not.toContain('2125550123');
    expect(text()).not.toContain('2125550124');
    expect(text()).not.toContain('s3cret');
    expect(text()).toContain('att-1');
  });

  it('masks a number under a phone key at any depth, showing the mask', () => {
    const { log, lines } = capture();
    log.info({ a: { b: { c: { phone: NUMBER } } }, list: [{ e164: NUMBER }] }, 'deep');
    const line = JSON.parse(lines[0]!);
    expect(line.a.b.c.phone).toBe(MASK);
    expect(line.list[0].e164).toBe(MASK);
  });

  it('masks the number inside a dial string, under its key or in any text', () => {
    const { log, lines, text } = capture();
    log.info({ request: { ari: { endpoint: `PJSIP/${NUMBER}@carrier` } } }, 'originating');
    log.info({ detail: 'dialed PJSIP/12125550123@carrier' }, `channel Local/${NUMBER}@dialer-test;1 gone`);
    log.info('ringing %s', NUMBER);
    expect(JSON.parse(lines[0]!).request.ari.endpoint).toBe(`PJSIP/${MASK}@carrier`);
    expect(JSON.parse(lines[1]!).msg).toBe(`channel Local/${MASK}@dialer-test;1 gone`);
    expect(JSON.parse(lines[1]!).detail).toBe(`dialed PJSIP/${maskPhone('12125550123')}@carrier`);
    expect(JSON.parse(lines[2]!).msg).toBe(`ringing ${MASK}`);
    expect(text()).not.toContain('2125550123');
  });

  it('masks numbers in an error’s message, its cause and its stack, and keeps its type and code', () => {
    const { log, lines, text } = capture();
    const error = Object.assign(
      new Error(`originate PJSIP/${NUMBER}@carrier refused`, { cause: new Error(`busy ${NUMBER}`) }),
      { code: 'originate-failed' },
    );
    log.warn({ err: error }, 'originate failed');
    log.warn(error);
    const first = JSON.parse(lines[0]!);
    expect(first.err).toMatchObject({ type: 'Error', code: 'originate-failed' });
    expect(first.err.message).toBe(`originate PJSIP/${MASK}@carrier refused: busy ${MASK}`);
    expect(first.err.stack).toContain(`Error: originate PJSIP/${MASK}@carrier refused`);
    expect(JSON.parse(lines[1]!).msg).toBe(`originate PJSIP/${MASK}@carrier refused`);
    expect(text()).not.toContain('2125550123');
  });

  it('masks the bindings of children and grandchildren', () => {
    const { log, lines } = capture();
    const child = log.child({ call: { phone: NUMBER } });
    child.child({ endpoint: `PJSIP/${NUMBER}@carrier` }).info('event');
    const line = JSON.parse(lines[0]!);
    expect(line.call.phone).toBe(MASK);
    expect(line.endpoint).toBe(`PJSIP/${MASK}@carrier`);
  });

  it('shows a number masked on purpose under phoneMasked, and leaves ids, counts and times readable', () => {
    const { log, lines } = capture();
    log.child({ attemptId: 'c1-k2-0123456789', phoneMasked: MASK }).info(
      {
        at: '2026-12-02T18:01:15.123+08:00',
        rows: 1234567,
        url: 'http://127.0.0.1:8088',
        when: new Date('2026-12-02T10:01:15.123Z'),
        ari: new URL('http://127.0.0.1:8088/ari'),
      },
      'ok',
    );
    expect(JSON.parse(lines[0]!)).toMatchObject({
      attemptId: 'c1-k2-0123456789',
      phoneMasked: MASK,
      at: '2026-12-02T18:01:15.123+08:00',
      rows: 1234567,
      url: 'http://127.0.0.1:8088',
      when: '2026-12-02T10:01:15.123Z',
      ari: 'http://127.0.0.1:8088/ari',
    });
  });

  it('replaces secrets at any depth', () => {
    const { log, text } = capture();
    log.info(
      { config: { ari: { connection: { password: 's3cret' } }, databaseUrl: 'postgres://u:pw@h/db' } },
      'x',
    );
    expect(text()).not.toContain('s3cret');
    expect(text()).not.toContain('pw@h');
    expect(text()).toContain('[redacted]');
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
