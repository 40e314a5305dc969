import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'ari-client';
import { sleep } from './support.ts';

/** Reading the recorded Asterisk 22 traces (../shared/ari-traces) and comparing events with them. */
export const TRACES = join(import.meta.dirname, '../../../shared/ari-traces');

export interface RawEvent {
  type: string;
  channel?: { id: string; state: string };
  peer?: { id: string; state: string };
  cause?: number;
  cause_txt?: string;
  dialstatus?: string;
  soft?: boolean;
  args?: string[];
  variable?: string;
  digit?: string;
  bridge?: { id: string };
  playback?: { id: string; state: string };
  recording?: { name: string; state: string };
}

export interface Trace {
  scenario: string;
  rest?: Array<{ call: string; ok: boolean; error?: string }>;
  events: RawEvent[];
}

export function loadTrace(name: string): Trace {
  return JSON.parse(readFileSync(join(TRACES, `${name}.json`), 'utf8')) as Trace;
}

/** One comparable line per event about our side of the call. */
export function signature(e: RawEvent): string | undefined {
  if (e.type.startsWith('(')) return undefined;
  const subject = e.channel ?? e.peer;
  if (subject?.id.endsWith(';2')) return undefined;
  const parts = [e.type];
  if (subject) parts.push(subject.id, subject.state);
  if (e.dialstatus !== undefined) parts.push(`dial=${e.dialstatus}`);
  if (e.cause !== undefined) parts.push(`cause=${e.cause}`);
  if (e.cause_txt !== undefined) parts.push(e.cause_txt);
  if (e.soft) parts.push('soft');
  if (e.args) parts.push(`args=${e.args.join(',')}`);
  if (e.variable) parts.push(`var=${e.variable}`);
  if (e.digit) parts.push(`digit=${e.digit}`);
  if (e.bridge) parts.push(`bridge=${e.bridge.id}`);
  if (e.playback) parts.push(`playback=${e.playback.id}:${e.playback.state}`);
  if (e.recording) parts.push(`recording=${e.recording.name}:${e.recording.state}`);
  return parts.join(' ');
}

export function signatures(events: RawEvent[]): string[] {
  return events.map(signature).filter((s): s is string => s !== undefined);
}

export class Recorder {
  readonly events: RawEvent[] = [];
  constructor(client: Client) {
    (client as unknown as NodeJS.EventEmitter).on('*', (e: RawEvent) => this.events.push(e));
  }
  async until(match: (e: RawEvent) => boolean, timeoutMs = 10_000): Promise<RawEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for an event');
      await sleep(2);
    }
  }
}

/**
 * Asterisk sends a SIP 180's `Dial RINGING` and `ChannelStateChange Ringing` in either order (this
 * recording has the Dial first, pjsip_answered_customer_hangs_up the state first); the
 * simulator always sends the state first. Compared with the pair in one order.
 */
export function ringingFirst(lines: string[]): string[] {
  const out = [...lines];
  for (let i = 0; i + 1 < out.length; i++) {
    const dial = /^Dial (\S+) Down dial=RINGING$/.exec(out[i]!);
    if (dial && out[i + 1] === `ChannelStateChange ${dial[1]} Ringing`) {
      out[i] = out[i + 1]!;
      out[i + 1] = `Dial ${dial[1]} Ringing dial=RINGING`;
    }
  }
  return out;
}
