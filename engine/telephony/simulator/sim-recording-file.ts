import wavefileModule from 'wavefile';

// wavefile is CommonJS: Node gives ESM only its default export; its types describe the named ones.
const { WaveFile } = wavefileModule as unknown as typeof import('wavefile');

/** Sample rate of the simulator's recordings: Asterisk's own `wav` format (8 kHz, 16-bit, mono). */
export const SIM_RECORDING_RATE = 8000;
const BYTES_PER_SAMPLE = 2;

/**
 * One second of a quiet 440 Hz tone as a wav file, written once by wavefile (a maintained
 * library): its 44-byte canonical PCM header and its samples. Encoding samples through wavefile
 * costs ~20 ms per second of audio, which would stall the simulator's event loop with hundreds
 * of recordings finishing at once, so longer files reuse this second.
 */
let template: { header: Buffer; second: Buffer } | undefined;

function oneSecond(): { header: Buffer; second: Buffer } {
  if (template) return template;
  const samples = new Int16Array(SIM_RECORDING_RATE);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / SIM_RECORDING_RATE));
  }
  const wav = new WaveFile();
  wav.fromScratch(1, SIM_RECORDING_RATE, '16', samples);
  const bytes = Buffer.from(wav.toBuffer());
  template = { header: bytes.subarray(0, 44), second: bytes.subarray(44) };
  return template;
}

/**
 * A real, playable wav file of `ms` milliseconds (8 kHz, 16-bit, mono): the one-second tone
 * repeated, behind wavefile's header with its two sizes set for this length (RIFF chunk size at
 * byte 4, data chunk size at byte 40: the canonical 44-byte PCM layout).
 */
export function simulatedRecordingWav(ms: number): Buffer {
  const { header, second } = oneSecond();
  const samples = Math.max(1, Math.round((Math.max(0, ms) / 1000) * SIM_RECORDING_RATE));
  const dataBytes = samples * BYTES_PER_SAMPLE;
  const out = Buffer.allocUnsafe(44 + dataBytes);
  header.copy(out, 0);
  out.writeUInt32LE(36 + dataBytes, 4);
  out.writeUInt32LE(dataBytes, 40);
  for (let offset = 0; offset < dataBytes; offset += second.length) {
    second.copy(out, 44 + offset, 0, Math.min(second.length, dataBytes - offset));
  }
  return out;
}
