// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentScreen } from '../src/api/types.ts';
import { PreviewPanel, WrapUpClock } from '../src/screens/agent/countdowns.tsx';

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
  const SINCE = '2020-01-01T09:00:00.000Z';
  /** A lead on preview; `deadline`: the engine's timed preview, seconds after `since`, and its action. */
  const onPreview = (deadline: { seconds: number; action: 'dial' | 'skip' } | null): AgentScreen => ({
    agentId: 1,
    code: 'agent-1',
    campaignId: 1,
    since: SINCE,
    state: { kind: 'reserved', attemptId: null, contactId: 7, preview: true },
    version: 2,
    call: {
      attemptId: null,
      preview: true,
      contactId: 7,
      phoneMasked: '+12*******23',
      fields: {},
      timeZone: 'America/New_York',
      attempts: 0,
      campaign: { id: 1, name: 'c', type: 'survey', script: null },
      history: [],
      previewDeadline: deadline
        ? { at: new Date(Date.parse(SINCE) + deadline.seconds * 1000).toISOString(), action: deadline.action }
        : null,
    },
  });
  const panel = (s: AgentScreen, calls: string[]) =>
    render(
      <PreviewPanel
        screen={s}
        act={async (path) => {
          calls.push(path);
        }}
        busy={false}
        seenAt={performance.now()}
      />,
    );

  it('counts down to the engine’s deadline and leaves the call to the engine: the page never dials by itself', () => {
    const calls: string[] = [];
    panel(onPreview({ seconds: 30, action: 'dial' }), calls);
    expect(screen.getByTestId('preview-countdown').textContent).toBe('Calls automatically in 0:30');
    pass(29_000);
    expect(screen.getByTestId('preview-countdown').textContent).toBe('Calls automatically in 0:01');
    pass(5_000);
    expect(screen.getByTestId('preview-countdown').textContent).toBe('Time is up: the campaign decides now.');
    expect(calls).toEqual([]);
  });

  it('says the lead will be skipped when that is what the campaign does at the timeout', () => {
    panel(onPreview({ seconds: 90, action: 'skip' }), []);
    expect(screen.getByTestId('preview-countdown').textContent).toBe('Skips automatically in 1:30');
  });

  it('shows no countdown under a manual preview, and calls the lead when the agent says so', () => {
    const calls: string[] = [];
    panel(onPreview(null), calls);
    expect(screen.queryByTestId('preview-countdown')).toBeNull();
    act(() => screen.getByRole('button', { name: 'Call now' }).click());
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
