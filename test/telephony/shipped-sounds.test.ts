import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { SOUND_LANGUAGES, soundFileFor } from '../../scripts/sounds/sound-files.ts';

const SOUNDS = join(import.meta.dirname, '../../asterisk-conf/sounds');

/** G.711 µ-law byte → linear sample (ITU-T G.711). */
function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

describe('the shipped identification message', () => {
  const defaultSound = campaignDefinitionSchema.shape.abandon
    .unwrap()
    .shape.identificationMessage.parse(undefined) as string;

  it('is the sound a campaign plays by default', () => {
    expect(defaultSound).toBe('sound:dialer-identification');
  });

  for (const language of SOUND_LANGUAGES) {
    it(`exists in ${language} as 8 kHz µ-law speech of a few seconds, small`, () => {
      const bytes = readFileSync(join(SOUNDS, soundFileFor(language, defaultSound.slice('sound:'.length))));
      const seconds = bytes.length / 8000;
      expect(seconds).toBeGreaterThan(3);
      expect(seconds).toBeLessThan(15);
      // Not silence: a caller must hear words (the whole point of the message).
      let sumSquares = 0;
      for (const b of bytes) sumSquares += ulawToLinear(b) ** 2;
      const rms = Math.sqrt(sumSquares / bytes.length) / 32768;
      expect(rms).toBeGreaterThan(0.02);
    });
  }

  it('refuses a sound name Asterisk could not look up as a file', () => {
    expect(() => soundFileFor('en', '../etc/passwd')).toThrow(/letters, digits/);
  });
});
