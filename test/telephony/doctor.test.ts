import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CampaignDefinition, campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { insertAgent } from '../../db/queries/agents.ts';
import { createAriProbe } from '../../engine/telephony/ari/ari-probe.ts';
import {
  type DoctorCheck,
  runDoctor,
  trunkEndpointOf,
} from '../../engine/telephony/doctor/asterisk-doctor.ts';
import {
  type AriSimulator,
  type AriSimulatorOptions,
  startAriSimulator,
} from '../../engine/telephony/index.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testAdmin } from '../support/identity.ts';

const definition = (over: Record<string, unknown> = {}): CampaignDefinition =>
  campaignDefinitionSchema.parse({
    name: 'doctor',
    client: 'acme',
    type: 'collections',
    mode: 'progressive',
    dialing: {
      callerId: '+12125550100',
      endpointTemplate: 'PJSIP/{number}@carrier',
      amd: { enabled: true, context: 'dialer-amd' },
    },
    callingWindow: { days: ['mon'], start: '09:00', end: '17:00' },
    ...over,
  });

let sim: AriSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function doctor(simOptions: AriSimulatorOptions, over: Partial<Parameters<typeof runDoctor>[0]> = {}) {
  sim = await startAriSimulator(simOptions);
  return runDoctor({
    probe: createAriProbe({ url: sim.url, username: sim.username, password: sim.password }),
    app: 'dialer',
    campaigns: [{ id: 1, definition: definition() }],
    agents: [
      { code: 'agent-101', endpoint: 'PJSIP/agent-101' },
      { code: 'agent-102', endpoint: 'Local/102@agents' },
    ],
    trunks: { carrier: { callsPerSecond: 20, maxChannels: 200 } },
    ...over,
  });
}

const failures = (checks: DoctorCheck[]) => checks.filter((c) => c.status === 'fail').map((c) => c.check);

describe('dialer doctor against an Asterisk (the ARI simulator over HTTP)', () => {
  it('passes a well-configured Asterisk: every check ok', async () => {
    const checks = await doctor({});
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'ari',
        'module codec_resample',
        'module app_amd',
        'app',
        'dialplan',
        'amd context dialer-amd',
        'campaign 1 identification message sound:dialer-identification',
        'agent agent-101',
        'campaign 1 trunk carrier',
        'campaign 1 endpoint PJSIP/carrier',
      ]),
    );
  });

  it('fails each thing issue #11 found by running calls: a missing sound, codec_resample, an unknown phone, a trunk without limits', async () => {
    const checks = await doctor(
      {
        sounds: { missing: ['dialer-identification'] },
        modules: { missing: ['codec_resample'] },
        endpoints: { missing: ['PJSIP/agent-101'] },
      },
      { trunks: {} },
    );
    expect(failures(checks).sort()).toEqual(
      [
        'agent agent-101',
        'campaign 1 identification message sound:dialer-identification',
        'campaign 1 trunk carrier',
        'module codec_resample',
      ].sort(),
    );
    expect(checks.find((c) => c.check === 'module codec_resample')?.detail).toMatch(
      /load = codec_resample\.so/,
    );
  });

  it('fails an AMD context the dialplan does not declare, and a dialplan that sends calls to another app', async () => {
    const checks = await doctor({
      globals: { DIALER_STASIS_APP: 'other-app', DIALER_AMD_CONTEXTS: 'amd-x' },
    });
    expect(failures(checks).sort()).toEqual(['amd context dialer-amd', 'dialplan']);
  });

  it('warns about a phone that is not registered and a sound missing in the campaign language', async () => {
    const checks = await doctor(
      { endpoints: { offline: ['PJSIP/agent-101'] }, sounds: { languages: ['en'] } },
      {
        campaigns: [{ id: 1, definition: definition({ abandon: { language: 'zh' } }) }],
      },
    );
    expect(
      checks
        .filter((c) => c.status === 'warn')
        .map((c) => c.check)
        .sort(),
    ).toEqual(['agent agent-101', 'campaign 1 identification message sound:dialer-identification']);
    expect(failures(checks)).toEqual([]);
  });

  it('stops at the first question when the credentials are refused, saying which setting to fix', async () => {
    sim = await startAriSimulator({});
    const checks = await runDoctor({
      probe: createAriProbe({ url: sim.url, username: sim.username, password: 'wrong' }),
      app: 'dialer',
      campaigns: [],
      agents: [],
      trunks: {},
    });
    expect(checks).toEqual([{ check: 'ari', status: 'fail', detail: expect.stringMatching(/ARI_USERNAME/) }]);
  });

  it('says Asterisk did not answer when nothing listens at the ARI address', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const checks = await runDoctor({
      probe: createAriProbe({ url: `http://127.0.0.1:${port}`, username: 'u', password: 'p' }),
      app: 'dialer',
      campaigns: [],
      agents: [],
      trunks: {},
    });
    expect(checks).toEqual([
      { check: 'ari', status: 'fail', detail: expect.stringMatching(/did not answer \(ECONNREFUSED\)/) },
    ]);
  });

  it('reads the trunk endpoint from the campaign template', () => {
    expect(trunkEndpointOf('PJSIP/{number}@carrier')).toBe('PJSIP/carrier');
    expect(trunkEndpointOf('Local/{number}@customers')).toBeUndefined();
  });
});

describeEachDatabase('the dialer doctor command', (database) => {
  let token = '';
  beforeAll(async () => {
    token = (await testAdmin(database().db)).token;
  });

  it('prints each check and exits 1 when one fails (the campaign would play silence)', async () => {
    sim = await startAriSimulator({ sounds: { missing: ['dialer-identification'] } });
    const { campaign } = await makeCampaign(database().db);
    await insertAgent(database().db, { code: `doc-${campaign.id}`, name: 'Doc', endpoint: 'PJSIP/doc' });
    const result = await runCliInProcess(
      ['doctor', '--campaign', String(campaign.id), '--ari-url', sim.url, '--ari-username', sim.username],
      database(),
      { token, env: { ARI_PASSWORD: sim.password, DIALER_TRUNKS: 'carrier=10/100' } },
    );
    expect(result.code).toBe(1);
    expect(result.error).toBe('doctor.failed');
    expect(result.stdout).toMatch(
      new RegExp(
        `FAIL  campaign ${campaign.id} identification message sound:dialer-identification: not installed`,
      ),
    );
    expect(result.stdout).toMatch(/ok {4}ari: ARI reachable/);
  });
});
