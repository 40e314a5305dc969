import { mkdtempSync, rmSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatedRecordingWav } from './sim-recording-file.ts';

export interface SimStoredRecording {
  name: string;
  format: string;
}

interface Stored extends SimStoredRecording {
  bytes: Buffer;
}

/** A recording name Asterisk would store as one file in its spool (no folders, no dot files). */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The simulated Asterisk's recordings spool (`/var/spool/asterisk/recording`): one real wav file
 * per finished recording in a private temporary folder, kept across a simulated restart (files on
 * disk survive one), removed when the simulator stops. The file is written in the background
 * (the simulator's event loop never waits on the disk); what is served is the same bytes, kept in
 * memory until the recording is deleted.
 */
export class SimRecordingSpool {
  private readonly stored = new Map<string, Stored>();
  private folder: string | undefined;

  private dir(): string {
    this.folder ??= mkdtempSync(join(tmpdir(), 'sim-asterisk-recordings-'));
    return this.folder;
  }

  static validName(name: string): boolean {
    return SAFE_NAME.test(name) && !name.includes('..');
  }

  has(name: string): boolean {
    return this.stored.has(name);
  }

  get(name: string): SimStoredRecording | undefined {
    const rec = this.stored.get(name);
    return rec ? { name: rec.name, format: rec.format } : undefined;
  }

  list(): SimStoredRecording[] {
    return [...this.stored.values()].map(({ name, format }) => ({ name, format }));
  }

  /** Writes the recording's file: a tone of `ms` (the time it recorded). */
  store(name: string, format: string, ms: number): void {
    const bytes = simulatedRecordingWav(ms);
    const path = this.path(name, format);
    this.stored.set(name, { name, format, bytes });
    void writeFile(path, bytes, { mode: 0o600 }).catch(() => {
      // the spool folder was removed (simulator stopped)
    });
  }

  /** The file's bytes, or undefined if there is no such recording. */
  read(name: string): Buffer | undefined {
    return this.stored.get(name)?.bytes;
  }

  delete(name: string): boolean {
    const rec = this.stored.get(name);
    if (!rec) return false;
    this.stored.delete(name);
    void unlink(this.path(name, rec.format)).catch(() => {
      // not written yet or already gone
    });
    return true;
  }

  removeAll(): void {
    this.stored.clear();
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
    this.folder = undefined;
  }

  private path(name: string, format: string): string {
    if (!SimRecordingSpool.validName(name)) throw new Error(`unsafe recording name ${name}`);
    return join(this.dir(), `${name}.${format === 'wav' ? 'wav' : format}`);
  }
}
