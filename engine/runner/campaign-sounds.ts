import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { UserError } from '../platform/errors.ts';
import type { SoundInfo, TelephonyPort } from '../telephony/port.ts';

/** A sound a campaign plays, and what it is for (said in errors and by `dialer doctor`). */
export interface CampaignSound {
  /** The sound's name: `sound:<name>` without the prefix. */
  name: string;
  use: 'identification message' | 'machine message' | `prompt ${string}`;
}

/**
 * Every `sound:` a campaign can play: the identification message of an abandoned call, the
 * message left on a machine, the agentless prompts. Other media (recording:, tone:) are not
 * files Asterisk looks up by name.
 */
export function campaignSounds(definition: CampaignDefinition): CampaignSound[] {
  const sounds: CampaignSound[] = [];
  const add = (media: string | undefined, use: CampaignSound['use']) => {
    if (media?.startsWith('sound:')) sounds.push({ name: media.slice('sound:'.length), use });
  };
  add(definition.abandon.identificationMessage, 'identification message');
  if (definition.dialing.amd.enabled && definition.dialing.amd.onMachine === 'leave_message')
    add(definition.dialing.amd.machineMessage, 'machine message');
  if (definition.mode === 'agentless') for (const q of definition.questions) add(q.prompt, `prompt ${q.id}`);
  return sounds;
}

export interface SoundCheck extends CampaignSound, SoundInfo {}

/** Asks the telephone system about each of the campaign's sounds (none if it cannot say). */
export async function checkCampaignSounds(
  telephony: Pick<TelephonyPort, 'soundInfo'>,
  definition: CampaignDefinition,
): Promise<SoundCheck[]> {
  const soundInfo = telephony.soundInfo?.bind(telephony);
  if (!soundInfo) return [];
  const checks: SoundCheck[] = [];
  for (const sound of campaignSounds(definition)) checks.push({ ...sound, ...(await soundInfo(sound.name)) });
  return checks;
}

/**
 * A campaign must not dial when a sound it plays is missing: a person abandoned would hear
 * silence instead of the identification message (the call regulators punish most), and a
 * missing prompt is a silent IVR. Refuses with `campaign.sound_missing`, naming each sound.
 */
export async function requireCampaignSounds(
  telephony: Pick<TelephonyPort, 'soundInfo'>,
  campaignId: number,
  definition: CampaignDefinition,
): Promise<void> {
  const missing = (await checkCampaignSounds(telephony, definition)).filter((c) => !c.exists);
  if (missing.length === 0) return;
  const list = missing.map((m) => `${m.use} sound:${m.name}`).join(', ');
  throw new UserError(
    `campaign ${campaignId} does not start: ${list} not installed on Asterisk (callers would hear silence; see asterisk-conf/README.md, "Sounds")`,
    'campaign.sound_missing',
  );
}
