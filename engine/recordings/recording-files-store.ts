import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../platform/private-files.ts';
import { RecordingIntegrityError } from './wav-header.ts';

/**
 * The recordings folder: one file per stored recording, private (folders 0700, files 0600),
 * under `<folder>/<campaign id>/<YYYY-MM-DD>/<name>.<format>`. A file is written beside its final
 * name, synced, renamed into place, then read back and hashed again: what is recorded as stored
 * is what is on disk.
 */
export class RecordingFolder {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Stores `bytes`; returns the path relative to the folder and the SHA-256 of the file. */
  async store(r: { campaignId: number; name: string; format: string; day: Date; bytes: Buffer }): Promise<{
    location: string;
    sha256: string;
    sizeBytes: number;
  }> {
    const expected = sha256(r.bytes);
    const day = r.day.toISOString().slice(0, 10);
    const dir = join(this.root, String(r.campaignId), day);
    ensurePrivateDir(dir);
    const final = join(dir, `${r.name}.${r.format}`);
    const partial = `${final}.part`;
    // Asynchronous I/O: the engine's event loop (ARI events, the 2-second connects) never waits
    // on the disk. The file is created 0600 before anything is written to it.
    const handle = await open(partial, 'w', PRIVATE_FILE_MODE);
    try {
      await handle.chmod(PRIVATE_FILE_MODE);
      await handle.writeFile(r.bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, final);
    const onDisk = sha256(await readFile(final));
    if (onDisk !== expected) {
      await rm(final, { force: true });
      throw new RecordingIntegrityError(
        `recording ${r.name}: the stored file's hash differs from what was fetched`,
      );
    }
    return { location: relative(this.root, final), sha256: expected, sizeBytes: r.bytes.length };
  }

  /** The file's bytes, checked against the digest recorded when it was stored. */
  readVerified(location: string, expectedSha256: string): Buffer {
    const bytes = readFileSync(this.pathOf(location));
    const actual = sha256(bytes);
    if (actual !== expectedSha256) {
      throw new RecordingIntegrityError(
        `recording file ${location} does not match its recorded SHA-256 (expected ${expectedSha256}, found ${actual})`,
      );
    }
    return bytes;
  }

  remove(location: string): void {
    rmSync(this.pathOf(location), { force: true });
  }

  /** A location inside the folder only (a row edited to point elsewhere is refused). */
  pathOf(location: string): string {
    const path = resolve(this.root, location);
    if (!path.startsWith(this.root + sep))
      throw new RecordingIntegrityError(`recording location ${location} is outside the recordings folder`);
    return path;
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
