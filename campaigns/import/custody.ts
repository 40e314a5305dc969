import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createPrivateWriteStream, ensurePrivateDir } from '../../engine/platform/private-files.ts';

/**
 * The archive copy of every received list (DESIGN.md §2: filed with a number, archived by date).
 * The file is copied in first and hashed from the copy, and that copy is what gets parsed, so
 * the SHA-256 on the batch is the hash of exactly the bytes imported and kept. It gets its final
 * name (with the batch number) only inside the import's transaction, and is removed if the
 * import fails.
 */

/** `<root>/<YYYY>/<MM>/<DD>` of the receiving day (UTC, so every engine files alike). */
export function archiveFolder(root: string, receivedAt: Date): string {
  const iso = receivedAt.toISOString();
  return join(root, iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10));
}

/** A file name safe on every file system, keeping letters of any script (姓名.csv stays readable). */
export function safeFileName(name: string): string {
  const cleaned = basename(name)
    .replace(/[\\/:*?"<>|]/g, '_')
    .replace(/\p{Cc}/gu, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  return cleaned || 'list.csv';
}

export function archivedName(batchId: number, fileName: string): string {
  return `batch-${batchId}-${safeFileName(fileName)}`;
}

export function rejectReportName(batchId: number, fileName: string): string {
  return `${archivedName(batchId, fileName)}.rejects.csv`;
}

export interface FileDigest {
  readonly sha256: string;
  readonly bytes: number;
}

export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Copies the received file into the day's folder under a temporary name and hashes the copy.
 * The copy holds full numbers: 0600 in 0700 folders, whatever the received file's own mode.
 */
export async function receiveIntoArchive(
  source: string,
  folder: string,
): Promise<FileDigest & { readonly path: string }> {
  ensurePrivateDir(folder);
  const path = join(folder, `.incoming-${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline(createReadStream(source), createPrivateWriteStream(path, 'wx'));
    return { path, ...(await digestFile(path)) };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

export async function moveFile(from: string, to: string): Promise<void> {
  await rename(from, to);
}

export async function removeFiles(paths: readonly (string | undefined)[]): Promise<void> {
  await Promise.all(paths.filter((p): p is string => Boolean(p)).map((p) => rm(p, { force: true })));
}

/** received + days, as a calendar date (batches.retain_until is a date). */
export function retainUntil(receivedAt: Date, days: number): string {
  return new Date(receivedAt.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
