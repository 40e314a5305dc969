import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/platform/config.ts';
import { UserError, ValidationError } from '../../engine/platform/errors.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { ariTelephonyFromConfig } from '../../engine/telephony/ari/from-config.ts';
import { type AriSimulator, type AriTelephony, startAriSimulator } from '../../engine/telephony/index.ts';
import { EventLog, originateRequest, sleep } from './support.ts';

/** Carrier limits per trunk come from the configuration and reach the adapter `dialer run` builds. */

describe('trunk limits in the configuration', () => {
  it('reads DIALER_TRUNKS as name=callsPerSecond/maxChannels, several separated by commas', () => {
    const config = loadConfig({ env: { DIALER_TRUNKS: 'carrier=20/200, backup=5/50' } });
    expect(config.trunks).toEqual({
      carrier: { callsPerSecond: 20, maxChannels: 200 },
      backup: { callsPerSecond: 5, maxChannels: 50 },
    });
  });

  it('reads trunks from the config file; the environment replaces them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-trunks-'));
    const file = join(dir, 'dialer.config.json');
    writeFileSync(file, JSON.stringify({ trunks: { carrier: { callsPerSecond: 30, maxChannels: 300 } } }));
    expect(loadConfig({ env: {}, file }).trunks).toEqual({
      carrier: { callsPerSecond: 30, maxChannels: 300 },
    });
    expect(loadConfig({ env: { DIALER_TRUNKS: 'carrier=2/3' }, file }).trunks).toEqual({
      carrier: { callsPerSecond: 2, maxChannels: 3 },
    });
  });

  it('has no trunk limits unless configured (each trunk then gets the adapter default)', () => {
    expect(loadConfig({ env: {} }).trunks).toEqual({});
  });

  it('refuses limits that are not whole numbers of at least 1, naming the setting', () => {
    expect(() => loadConfig({ env: { DIALER_TRUNKS: 'carrier=0/10' } })).toThrow(ValidationError);
    expect(() => loadConfig({ env: { DIALER_TRUNKS: 'carrier=0/10' } })).toThrow(
      /trunks\.carrier\.callsPerSecond/,
    );
    expect(() => loadConfig({ env: { DIALER_TRUNKS: 'carrier=10/2.5' } })).toThrow(
      /trunks\.carrier\.maxChannels/,
    );
    expect(() => loadConfig({ env: { DIALER_TRUNKS: 'carrier=ten/10' } })).toThrow(/callsPerSecond/);
  });

  it('refuses a malformed DIALER_TRUNKS entry, naming it', () => {
    expect(() => loadConfig({ env: { DIALER_TRUNKS: 'carrier=20' } })).toThrow(UserError);
    expect(() => loadConfig({ env: { DIALER_TRUNKS: 'carrier=20' } })).toThrow(
      /DIALER_TRUNKS entry "carrier=20"/,
    );
  });

  it('refuses an unknown key in a trunk of the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialer-trunks-'));
    const file = join(dir, 'dialer.config.json');
    writeFileSync(file, JSON.stringify({ trunks: { carrier: { callsPerSecond: 3, maxChanels: 3 } } }));
    expect(() => loadConfig({ env: {}, file })).toThrow(/trunks\.carrier/);
  });
});

describe('a configured trunk limit, through the adapter built from the configuration', () => {
  let sim: AriSimulator | undefined;
  let tel: AriTelephony | undefined;
  afterEach(async () => {
    await tel?.stop();
    await sim?.stop();
  });

  it('holds a second call on a one-channel trunk until the first one ends', async () => {
    sim = await startAriSimulator({
      clock: { speed: 50 },
      callees: { numbers: { '+8613800000002': { kind: 'no-answer' } } },
    });
    const config = loadConfig({
      env: {
        DIALER_TRUNKS: 'carrier=100/1',
        ARI_URL: sim.url,
        ARI_USERNAME: sim.username,
        ARI_PASSWORD: sim.password,
      },
    });
    tel = ariTelephonyFromConfig(config, { engineId: 'trunk-test', logger: silentLogger() });
    const log = new EventLog();
    tel.onEvent(log.push);
    await tel.start();

    const first = tel.newCallId('c1-k1');
    const second = tel.newCallId('c1-k2');
    await tel.originate(originateRequest(first, '+8613800000002', { ringTimeoutSeconds: 600 }));
    let secondSent = false;
    const pending = tel
      .originate(originateRequest(second, '+8613800000002', { ringTimeoutSeconds: 600 }))
      .then(() => {
        secondSent = true;
      });
    for (let i = 0; i < 500 && tel.snapshot().trunks[0]?.waiting !== 1; i++) await sleep(10);
    expect(tel.snapshot().trunks).toEqual([
      expect.objectContaining({
        trunk: 'carrier',
        inUse: 1,
        waiting: 1,
        limit: { callsPerSecond: 100, maxChannels: 1 },
      }),
    ]);
    expect(secondSent).toBe(false);
    expect(sim.stats().originates).toBe(1);

    await tel.hangup(first);
    await log.waitFor('hangup', (e) => e.attemptId === first);
    await pending;
    await log.waitFor('ringing', (e) => e.attemptId === second);
    expect(sim.stats().originates).toBe(2);
  });
});
