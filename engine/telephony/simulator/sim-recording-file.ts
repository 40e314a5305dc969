import wavefileModule from 'wavefile';

// wavefile is CommonJS: Node gives ESM only its default export; its types describe the named ones.
const { WaveFile } = wavefileModule as unknown as typeof import('wavefile');

/** Sample rate of the simulator's recordings: Asterisk's own `wav` format (8 kHz, 16-bit, mono). */
export const SIM_RECORDING_RATE = 8000;

/**
 * A real, playable wav file of `ms` milliseconds: a quiet 440 Hz tone, as a bridge recording of
 * the call's length would be. Written by wavefile (a maintained library), not by hand.
 */
export function simulatedRecordingWav(ms: number): Buffer {
  const count = Math.max(1, Math.round((Math.max(0, ms) / 1000) * SIM_RECORDING_RATE));
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    samples[i] = Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / SIM_RECORDING_RATE));
  }
  const wav = new WaveFile();
  wav.fromScratch(1, SIM_RECORDING_RATE, '16', samples);
  return Buffer.from(wav.toBuffer());
}
