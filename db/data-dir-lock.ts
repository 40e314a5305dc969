import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { InfrastructureError } from '../engine/platform/errors.ts';

/**
 * One process at a time on an embedded data folder. PostgreSQL refuses a second postmaster on a
 * data directory (postmaster.pid); PGlite on Node takes no such lock (electric-sql/pglite#1106),
 * so two processes opening one folder both succeed and corrupt it. This is the postmaster.pid
 * idea at the folder level: a file naming the holder, refused while that process lives, taken
 * over when it is gone (an engine killed with SIGKILL leaves its file behind).
 */
const LOCK_FILE = 'dialer.lock';

const holderSchema = z.object({ pid: z.number().int(), host: z.string(), since: z.string() });
type Holder = z.infer<typeof holderSchema>;

/**
 * Folders this process holds (lock file → the holding lock), to tell its own second open from a
 * stale file with a reused pid.
 */
const heldHere = new Map<string, DataDirLock>();

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  if (heldHere.has(path)) {
    throw new InfrastructureError(
      `the embedded database in ${dataDir} is already open in this process: close it before opening it again`,
      'database_in_use',
    );
  }
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  if (!tryCreate(path, me)) {
    const holder = readHolder(path);
    if (!holder && ageMs(path) < 5000) {
      throw new InfrastructureError(
        `the embedded database in ${dataDir} is being opened by another process: stop it first`,
        'database_in_use',
      );
    }
    if (holder && isAlive(holder)) {
      throw new InfrastructureError(
        `the embedded database in ${dataDir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}); ` +
          `stop that process first (the embedded database serves one process; use PostgreSQL for several), ` +
          `or delete ${path} if no dialer runs there`,
        'database_in_use',
      );
    }
    // The holder is gone (killed, crashed): take the folder over. If another process takes it
    // over at the same moment, only one of the two creates the file.
    removeIfPresent(path);
    if (!tryCreate(path, me)) {
      throw new InfrastructureError(
        `the embedded database in ${dataDir} was just opened by another process: stop it first`,
        'database_in_use',
      );
    }
  }
  const lock: DataDirLock = {
    release() {
      if (heldHere.get(path) !== lock) return;
      heldHere.delete(path);
      process.removeListener('exit', lock.release);
      // Only our own file: never remove a lock another process took over meanwhile.
      if (readHolder(path)?.pid === me.pid) removeIfPresent(path);
    },
  };
  heldHere.set(path, lock);
  // A process that exits without closing leaves no lock behind (SIGKILL does: taken over above).
  process.once('exit', lock.release);
  return lock;
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function tryCreate(path: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The recorded holder; undefined when the file is gone, empty or unreadable (a torn write). */
function readHolder(path: string): Holder | undefined {
  try {
    return holderSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function isAlive(holder: Holder): boolean {
  // Another machine (a shared folder): its processes cannot be checked from here.
  if (holder.host !== hostname()) return true;
  // Our own pid but not held here: a previous process with the same pid (containers restart
  // as pid 1), so the file is stale.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
