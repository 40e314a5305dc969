import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../db/data-dir-lock.ts';

const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-lock-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function leaveLock(dir: string, pid: number, host = hostname()): void {
  writeFileSync(join(dir, 'dialer.lock'), JSON.stringify({ pid, host, since: '2026-01-01T00:00:00Z' }));
}

/** The pid of a process that has exited (as an engine killed with SIGKILL would have). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

describe('the embedded data folder lock (one process at a time)', () => {
  it('refuses a second open in the same process until the first is released', () => {
    const dir = folder();
    const first = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    first.release();
    const again = lockDataDir(dir);
    again.release();
    expect(existsSync(join(dir, 'dialer.lock'))).toBe(false);
  });

  it('refuses a folder another live process holds, naming that process', () => {
    const dir = folder();
    leaveLock(dir, process.ppid);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
    // The holder's file stays: refusing must not break the running process's lock.
    expect(existsSync(join(dir, 'dialer.lock'))).toBe(true);
  });

  it('takes over the lock of a process that died without releasing it (SIGKILL)', async () => {
    const dir = folder();
    leaveLock(dir, await deadPid());
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    lock.release();
  });

  it('takes over a lock with its own pid it does not hold (a restarted container is pid 1 again)', () => {
    const dir = folder();
    leaveLock(dir, process.pid);
    lockDataDir(dir).release();
    expect(existsSync(join(dir, 'dialer.lock'))).toBe(false);
  });

  it('treats a lock from another machine as held (its processes cannot be checked)', () => {
    const dir = folder();
    leaveLock(dir, 1, `not-${hostname()}`);
    expect(() => lockDataDir(dir)).toThrow(/in use by process 1 on not-/);
  });
});
