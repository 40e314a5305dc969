import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import type { AriSimulator } from '../../engine/telephony/simulator/start-ari-simulator.ts';

const BIN = join(import.meta.dirname, '../../bin/dialer.js');
const PGLITE_CHILD = join(import.meta.dirname, 'pglite-engine-child.ts');

export interface EngineProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
}

function track(child: ChildProcess): EngineProcess {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

/** `dialer run` in a child process, as an operator would start it, against the given ARI and database. */
/**
 * The environment that points an engine process at the ARI simulator and runs its clock at
 * `speed`× from `epoch`, as every engine-process test starts it.
 */
export function simulatorEnv(sim: AriSimulator, speed: number, epoch: Date): NodeJS.ProcessEnv {
  return {
    ARI_URL: sim.url,
    ARI_USERNAME: sim.username,
    ARI_PASSWORD: sim.password,
    ARI_APP: sim.app,
    DIALER_CLOCK_SPEED: String(speed),
    DIALER_CLOCK_EPOCH: epoch.toISOString(),
  };
}

export function spawnEngine(args: string[], env: NodeJS.ProcessEnv): EngineProcess {
  const child = spawn(process.execPath, [BIN, 'run', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}

/** What pglite-engine-child.ts reports over IPC (the test cannot open the database meanwhile). */
export const pgliteChildMessageSchema = z.discriminatedUnion('type', [
  /** The data directory is open, before the engine starts: what a previous engine left behind. */
  z.object({ type: z.literal('opened'), attempts: z.number(), openAttempts: z.number() }),
  z.object({ type: z.literal('progress'), attempts: z.number(), openAttempts: z.number() }),
  z.object({ type: z.literal('done'), attempts: z.number(), openAttempts: z.number() }),
]);
export type PgliteChildMessage = z.infer<typeof pgliteChildMessageSchema>;

export interface PgliteEngineProcess extends EngineProcess {
  /** Every message received so far, oldest first. */
  readonly messages: PgliteChildMessage[];
  /** The latest message of the given type, if any. */
  last<T extends PgliteChildMessage['type']>(type: T): Extract<PgliteChildMessage, { type: T }> | undefined;
}

/**
 * The engine and the simulated agents of one campaign in one child process, on an embedded
 * data directory (see pglite-engine-child.ts for why they share a process).
 */
export function spawnPgliteEngine(
  dataDir: string,
  campaignId: number,
  options: { untilDone?: boolean },
  env: NodeJS.ProcessEnv,
): PgliteEngineProcess {
  const args = [dataDir, String(campaignId), ...(options.untilDone ? ['--until-done'] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', PGLITE_CHILD, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const messages: PgliteChildMessage[] = [];
  child.on('message', (raw) => {
    messages.push(pgliteChildMessageSchema.parse(raw));
  });
  return {
    ...track(child),
    messages,
    last(type) {
      for (let i = messages.length - 1; i >= 0; i -= 1) {
        const message = messages[i];
        if (message?.type === type) return message as Extract<PgliteChildMessage, { type: typeof type }>;
      }
      return undefined;
    },
  };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
