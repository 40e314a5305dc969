import { afterEach, describe, expect, it } from 'vitest';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { main } from '../../engine/main.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { campaignSounds, checkCampaignSounds } from '../../engine/runner/campaign-sounds.ts';
import { systemEngineClock } from '../../engine/runner/engine-clock.ts';
import { makeCampaign } from '../engine/fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { originateRequest, type Rig, startRig } from './support.ts';

const base = {
  name: 'sounds',
  client: 'acme',
  type: 'collections',
  mode: 'progressive',
  dialing: { callerId: '+12125550100', endpointTemplate: 'PJSIP/{number}@carrier' },
  callingWindow: { days: ['mon'], start: '09:00', end: '17:00' },
} as const;

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('the sounds a campaign plays', () => {
  it('are its identification message, its machine message and its agentless prompts', () => {
    const definition = campaignDefinitionSchema.parse({
      ...base,
      dialing: {
        ...base.dialing,
        amd: { enabled: true, onMachine: 'leave_message', machineMessage: 'sound:acme-machine' },
      },
      abandon: { identificationMessage: 'sound:acme-identification' },
    });
    expect(campaignSounds(definition)).toEqual([
      { name: 'acme-identification', use: 'identification message' },
      { name: 'acme-machine', use: 'machine message' },
    ]);
  });

  it('are looked up on Asterisk: an installed one is found with its languages, a missing one is not (404)', async () => {
    rig = await startRig({ sounds: { missing: ['acme-machine'] } });
    const definition = campaignDefinitionSchema.parse({
      ...base,
      dialing: {
        ...base.dialing,
        amd: { enabled: true, onMachine: 'leave_message', machineMessage: 'sound:acme-machine' },
      },
    });
    expect(await checkCampaignSounds(rig.tel, definition)).toEqual([
      { name: 'dialer-identification', use: 'identification message', exists: true, languages: ['en', 'zh'] },
      { name: 'acme-machine', use: 'machine message', exists: false, languages: [] },
    ]);
  });

  it('a missing sound plays as silence: the play request succeeds and the playback fails (not finished)', async () => {
    rig = await startRig({ sounds: { missing: ['dialer-identification'] } });
    await rig.tel.originate(originateRequest('att-silent-1', '+8613800000005'));
    await rig.log.waitFor('answered', (e) => e.attemptId === 'att-silent-1');
    expect(await rig.tel.play('att-silent-1', ['sound:dialer-identification'])).toEqual({ finished: false });
    expect(await rig.tel.play('att-silent-1', ['sound:beep'])).toEqual({ finished: true });
    await rig.tel.hangup('att-silent-1');
  });
});

describeEachDatabase('a campaign whose identification message is missing', (db) => {
  it('does not start: the engine refuses before any dial, naming the sound', async () => {
    rig = await startRig({ sounds: { missing: ['dialer-identification'] } });
    const { campaign } = await makeCampaign(db().db);
    const started = main(
      { database: db(), telephony: rig.tel, clock: systemEngineClock(), logger: silentLogger() },
      [campaign.id],
    );
    await expect(started).rejects.toMatchObject({
      code: 'campaign.sound_missing',
      message: expect.stringMatching(/identification message sound:dialer-identification/),
    });
    expect(rig.sim.stats().originates).toBe(0);
  });
});
