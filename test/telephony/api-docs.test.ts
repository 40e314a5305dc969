import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createAriTelephony, startAriSimulator } from '../../engine/telephony/index.ts';
import { EVENT_MODELS, RESOURCE_NAMES } from '../../engine/telephony/simulator/api-docs.ts';

describe('ARI simulator API description documents', () => {
  it('serves resources.json without and with auth, basePath following the Host header, and the 11 declarations', async () => {
    const sim = await startAriSimulator();
    try {
      const auth = { authorization: `Basic ${Buffer.from('dialer:dialer').toString('base64')}` };
      const open = await fetch(`${sim.url}/ari/api-docs/resources.json`);
      expect(open.status).toBe(200);
      const listing = (await getWithHost(sim.port, '/ari/api-docs/resources.json', 'pbx.example:8088')) as {
        basePath: string;
        apis: Array<{ path: string }>;
      };
      expect(listing.basePath).toBe('http://pbx.example:8088/ari');
      expect(listing.apis.map((a) => a.path)).toEqual(RESOURCE_NAMES.map((n) => `/api-docs/${n}.{format}`));
      expect(RESOURCE_NAMES).toHaveLength(11);
      for (const name of RESOURCE_NAMES) {
        const res = await fetch(`${sim.url}/ari/api-docs/${name}.json`, { headers: auth });
        expect(res.status).toBe(200);
      }
      const events = (await fetch(`${sim.url}/ari/api-docs/events.json`, { headers: auth }).then((r) =>
        r.json(),
      )) as {
        models: Record<string, unknown>;
      };
      for (const type of Object.keys(EVENT_MODELS)) expect(events.models).toHaveProperty(type);
      expect((await fetch(`${sim.url}/ari/channels`)).status).toBe(401);
      expect((await fetch(`${sim.url}/ari/channels`, { headers: auth })).status).toBe(200);
    } finally {
      await sim.stop();
    }
  });
});

/** fetch() will not send a Host header of our choosing; node:http will. */
function getWithHost(port: number, path: string, host: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('connecting to ARI with a wrong password', () => {
  it('fails with a message naming the credentials, not a bare timeout', async () => {
    const sim = await startAriSimulator();
    const telephony = createAriTelephony({
      url: sim.url,
      username: 'dialer',
      password: 'not-the-password',
      app: sim.app,
      connectTimeoutMs: 1500,
    });
    try {
      await expect(telephony.start()).rejects.toThrow(
        /refused user "dialer" \(401 Unauthorized\).*ARI_PASSWORD/,
      );
    } finally {
      await telephony.stop().catch(() => {});
      await sim.stop();
    }
  });
});

describe('ari-client on stdout', () => {
  it('keeps stdout clean: the Swagger deprecation line goes to the logger, not console.log', async () => {
    const sim = await startAriSimulator();
    const printed: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    };
    const tel = createAriTelephony({
      url: sim.url,
      username: sim.username,
      password: sim.password,
      app: 'dialer',
    });
    try {
      await tel.start();
    } finally {
      console.log = original;
      await tel.stop();
      await sim.stop();
    }
    expect(printed).toEqual([]);
  });
});
