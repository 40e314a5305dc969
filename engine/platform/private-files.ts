import {
  chmodSync,
  closeSync,
  createWriteStream,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * Files that hold phone numbers, recordings or secrets: readable by their owner only. The modes
 * are set explicitly with chmod, not left to the umask, which can only take bits away.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Mode bits that let a group or other users in. */
const OPEN_BITS = 0o077;

export interface PrivateDirResult {
  readonly path: string;
  /** The folder existed before and lets other users in (its mode, e.g. 0o755). */
  readonly tooOpen?: number;
}

/**
 * Creates the folder (and any missing parents) as 0700. A folder that already existed keeps
 * its mode, which may be the owner's choice, but is reported when it is open to others so
 * the caller can warn.
 */
export function ensurePrivateDir(path: string): PrivateDirResult {
  const target = resolve(path);
  const first = mkdirSync(target, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) {
    const mode = statSync(target).mode & 0o777;
    return (mode & OPEN_BITS) !== 0 ? { path: target, tooOpen: mode } : { path: target };
  }
  // Every folder this call created, from the first one down to the target.
  let current = resolve(first);
  chmodSync(current, PRIVATE_DIR_MODE);
  for (const part of relative(current, target).split(sep).filter(Boolean)) {
    current = resolve(current, part);
    chmodSync(current, PRIVATE_DIR_MODE);
  }
  return { path: target };
}

/** The mode of an existing folder when it lets others in; undefined when private or absent. */
export function openFolderMode(path: string): number | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isDirectory()) return undefined;
    const mode = stat.mode & 0o777;
    return (mode & OPEN_BITS) !== 0 ? mode : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens a file for writing as 0600 (its folder created private if missing). `wx` refuses an
 * existing file; `w` truncates one, whose old mode is replaced too.
 */
export function openPrivateFile(path: string, flags: 'w' | 'wx' = 'wx'): number {
  ensurePrivateDir(dirname(resolve(path)));
  const fd = openSync(path, flags, PRIVATE_FILE_MODE);
  try {
    // A regular file only: `--output /dev/stdout` is a terminal or a pipe, not ours to chmod.
    if (fstatSync(fd).isFile()) fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** A write stream on a private file (see openPrivateFile). */
export function createPrivateWriteStream(path: string, flags: 'w' | 'wx' = 'wx'): WriteStream {
  return createWriteStream(path, { fd: openPrivateFile(path, flags) });
}

export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
