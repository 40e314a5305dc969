import wavefileModule from 'wavefile';
import { UserError } from '../platform/errors.ts';

// wavefile is CommonJS: Node gives ESM only its default export; its types describe the named ones.
const { WaveFile } = wavefileModule as unknown as typeof import('wavefile');

export interface WavInfo {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Seconds of audio the data chunk holds. */
  durationSeconds: number;
}

/** A file that is not the recording it claims to be (truncated, not a wav, altered). */
export class RecordingIntegrityError extends UserError {
  constructor(message: string) {
    super(message, 'recording_integrity');
  }
}

/**
 * Reads a wav file's header the way `sox --i` does (RIFF/WAVE, fmt, data chunk) with wavefile,
 * and checks that the data chunk is really there: a truncated transfer is refused, not stored.
 */
export function readWavHeader(bytes: Uint8Array): WavInfo {
  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes, false);
  } catch (error) {
    throw new RecordingIntegrityError(`not a wav file: ${(error as Error).message}`);
  }
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number; byteRate: number };
  const data = wav.data as { chunkSize: number };
  if (!fmt.numChannels || !fmt.sampleRate || !fmt.byteRate)
    throw new RecordingIntegrityError('wav header without a format');
  // wavefile reads what is there: a RIFF size that is not the file's is a cut (or padded) file.
  const riffSize = (wav as unknown as { chunkSize: number }).chunkSize;
  if (riffSize !== bytes.length - 8) {
    throw new RecordingIntegrityError(`wav file of ${bytes.length} bytes says it has ${riffSize + 8}`);
  }
  if (data.chunkSize <= 0) throw new RecordingIntegrityError('wav file without audio data');
  return {
    channels: fmt.numChannels,
    sampleRate: fmt.sampleRate,
    bitsPerSample: fmt.bitsPerSample,
    durationSeconds: data.chunkSize / fmt.byteRate,
  };
}
