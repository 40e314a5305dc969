// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentScreen } from '../src/api/types.ts';
import { PREVIEW_SECONDS, PreviewPanel, WrapUpClock } from '../src/screens/agent/countdowns.tsx';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** Moves the page's clock on by `ms` and lets React render what changed. */
function pass(ms: number): void {
  act(() => {
    vi.advanceTimersByTime(ms);
  });
}

describe('preview countdown', () => {
  it(`calls the lead once when ${PREVIEW_SECONDS} seconds have passed on screen, not before`, () => {
    const calls: string[] = [];
    render(
      <PreviewPanel
        act={async (path) => {
          calls.push(path);
        }}
        busy={false}
        seenAt={performance.now()}
      />,
    );
    expect(screen.getByTestId('preview-countdown').textContent).toBe('Calls automatically in 0:30');
    pass((PREVIEW_SECONDS - 1) * 1000);
    expect(screen.getByTestId('preview-countdown').textContent).toBe('Calls automatically in 0:01');
    expect(calls).toEqual([]);
    pass(1000);
    expect(calls).toEqual(['preview/accept']);
    pass(10_000);
    expect(calls).toEqual(['preview/accept']);
  });
});

describe('wrap-up countdown', () => {
  const wrapUp = (seconds: number): AgentScreen => ({
    agentId: 1,
    code: 'agent-1',
    campaignId: 1,
    // The engine's times (the demo's clock is not the wall clock): only their difference counts.
    since: '2020-01-01T09:00:00.000Z',
    state: {
      kind: 'wrap_up',
      attemptId: 'c1',
      deadline: new Date(Date.parse('2020-01-01T09:00:00.000Z') + seconds * 1000).toISOString(),
      after: { kind: 'ready' },
    },
    version: 3,
    call: null,
  });

  it('counts the engine’s wrap-up length down from when the state arrived, then says it is over', () => {
    render(<WrapUpClock screen={wrapUp(60)} seenAt={performance.now()} />);
    expect(screen.getByTestId('wrap-up-countdown').textContent).toBe('Wrap-up ends in 1:00');
    pass(45_000);
    expect(screen.getByTestId('wrap-up-countdown').textContent).toBe('Wrap-up ends in 0:15');
    pass(15_000);
    expect(screen.getByTestId('wrap-up-countdown').textContent).toMatch(/^Wrap-up time is over/);
  });
});
