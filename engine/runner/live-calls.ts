import type { CallContext } from './call-context.ts';

/**
 * The calls in flight, keyed by attempt id (= customer channel id). Telephony events find
 * their call here; `drained()` resolves when the last one has ended (SIGTERM waits on it).
 */
export class LiveCalls {
  private readonly calls = new Map<string, CallContext>();
  private waiters: Array<() => void> = [];

  add(call: CallContext): void {
    this.calls.set(call.attemptId, call);
  }

  get(attemptId: string): CallContext | undefined {
    return this.calls.get(attemptId);
  }

  remove(attemptId: string): void {
    const call = this.calls.get(attemptId);
    if (!call) return;
    call.dispose();
    this.calls.delete(attemptId);
    if (this.calls.size === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  get size(): number {
    return this.calls.size;
  }

  all(): CallContext[] {
    return [...this.calls.values()];
  }

  drained(): Promise<void> {
    if (this.calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
