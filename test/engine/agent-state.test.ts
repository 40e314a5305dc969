import { describe, expect, it } from 'vitest';
import { type AgentEvent, type AgentState, transition } from '../../engine/agents/agent-state.ts';

const now = new Date('2026-11-25T15:00:00Z');
const ctx = { now, wrapUpSeconds: 30 };

function run(state: AgentState, ...events: AgentEvent[]) {
  let current = state;
  const effects: string[] = [];
  for (const event of events) {
    const result = transition(current, event, ctx);
    if (!result.ok) throw new Error(result.error);
    current = result.state;
    effects.push(...result.effects.map((e) => e.type));
  }
  return { state: current, effects };
}

describe('agent state machine', () => {
  it('logs in by dialing the agent leg and becomes ready when it answers', () => {
    const { state, effects } = run({ kind: 'offline' }, { type: 'login' }, { type: 'leg_answered' });
    expect(state).toEqual({ kind: 'ready' });
    expect(effects).toEqual(['dial_agent_leg']);
  });

  it('moves ready → reserved → on call → wrap-up → ready, arming the wrap-up timer at the hangup', () => {
    const result = run(
      { kind: 'ready' },
      { type: 'reserve', attemptId: 'a1', contactId: 7 },
      { type: 'call_connected', attemptId: 'a1' },
      { type: 'call_ended', attemptId: 'a1' },
    );
    expect(result.state).toEqual({
      kind: 'wrap_up',
      attemptId: 'a1',
      deadline: new Date('2026-11-25T15:00:30Z'),
      after: { kind: 'ready' },
    });
    expect(result.effects).toEqual(['arm_wrap_up_timer']);
    expect(run(result.state, { type: 'outcome_recorded', attemptId: 'a1' }).state).toEqual({ kind: 'ready' });
  });

  it('records the missing outcome when wrap-up times out, then is ready again', () => {
    const wrap: AgentState = { kind: 'wrap_up', attemptId: 'a1', deadline: now, after: { kind: 'ready' } };
    const result = transition(wrap, { type: 'wrap_up_timeout', attemptId: 'a1' }, ctx);
    expect(result).toEqual({
      ok: true,
      state: { kind: 'ready' },
      effects: [{ type: 'record_missing_outcome', attemptId: 'a1' }],
    });
  });

  it('ignores a wrap-up timeout that lost the race against the outcome', () => {
    const result = transition({ kind: 'ready' }, { type: 'wrap_up_timeout', attemptId: 'a1' }, ctx);
    expect(result).toEqual({ ok: true, state: { kind: 'ready' }, effects: [] });
  });

  it('pauses with a reason and comes back to ready', () => {
    const paused = run({ kind: 'ready' }, { type: 'pause', reason: 'lunch' }).state;
    expect(paused).toEqual({ kind: 'paused', reason: 'lunch' });
    expect(run(paused, { type: 'ready' }).state).toEqual({ kind: 'ready' });
  });

  it('defers a pause asked during a call to the end of wrap-up', () => {
    const { state } = run(
      { kind: 'on_call', attemptId: 'a1', after: { kind: 'ready' } },
      { type: 'pause', reason: 'break' },
      { type: 'call_ended', attemptId: 'a1' },
      { type: 'outcome_recorded', attemptId: 'a1' },
    );
    expect(state).toEqual({ kind: 'paused', reason: 'break' });
  });

  it('defers a logout during a call, then hangs up the leg and ends the session', () => {
    const { state, effects } = run(
      { kind: 'on_call', attemptId: 'a1', after: { kind: 'ready' } },
      { type: 'logout' },
      { type: 'call_ended', attemptId: 'a1' },
      { type: 'outcome_recorded', attemptId: 'a1' },
    );
    expect(state).toEqual({ kind: 'offline' });
    expect(effects).toEqual(['arm_wrap_up_timer', 'hangup_agent_leg', 'end_session']);
  });

  it('refuses to reserve an agent who is not ready', () => {
    const result = transition(
      { kind: 'paused', reason: 'x' },
      { type: 'reserve', attemptId: 'a', contactId: 1 },
      ctx,
    );
    expect(result).toEqual({ ok: false, error: 'cannot reserve while paused (x)' });
  });

  it('refuses an outcome for another call than the one in wrap-up', () => {
    const wrap: AgentState = { kind: 'wrap_up', attemptId: 'a1', deadline: now, after: { kind: 'ready' } };
    expect(transition(wrap, { type: 'outcome_recorded', attemptId: 'a2' }, ctx).ok).toBe(false);
  });

  it('releases a reservation that did not lead to a call', () => {
    const reserved = run(
      { kind: 'ready' },
      { type: 'reserve', attemptId: null, contactId: 3, preview: true },
    ).state;
    expect(run(reserved, { type: 'release' }).state).toEqual({ kind: 'ready' });
  });

  it('frees an agent whose call ended before reaching them, reserved or already on it, with nothing to tag', () => {
    const reserved: AgentState = { kind: 'reserved', attemptId: 'a1', contactId: 3, preview: false };
    expect(run(reserved, { type: 'call_missed', attemptId: 'a1' })).toEqual({
      state: { kind: 'ready' },
      effects: [],
    });
    const onCall: AgentState = { kind: 'on_call', attemptId: 'a1', after: { kind: 'ready' } };
    expect(run(onCall, { type: 'call_missed', attemptId: 'a1' })).toEqual({
      state: { kind: 'ready' },
      effects: [],
    });
    // A pause or logout asked for during the call takes effect then.
    expect(
      run({ ...onCall, after: { kind: 'pause', reason: 'lunch' } }, { type: 'call_missed', attemptId: 'a1' })
        .state,
    ).toEqual({ kind: 'paused', reason: 'lunch' });
    expect(run({ ...onCall, after: { kind: 'logout' } }, { type: 'call_missed', attemptId: 'a1' })).toEqual({
      state: { kind: 'offline' },
      effects: ['hangup_agent_leg', 'end_session'],
    });
    // Somebody else's call does not free the agent.
    expect(transition(onCall, { type: 'call_missed', attemptId: 'a2' }, ctx).ok).toBe(false);
    expect(transition({ kind: 'ready' }, { type: 'call_missed', attemptId: 'a1' }, ctx).ok).toBe(false);
  });

  it('dials a preview once accepted and keeps the agent reserved for that call', () => {
    const { state } = run(
      { kind: 'ready' },
      { type: 'reserve', attemptId: null, contactId: 3, preview: true },
      { type: 'preview_accepted', attemptId: 'a9' },
      { type: 'call_connected', attemptId: 'a9' },
    );
    expect(state).toEqual({ kind: 'on_call', attemptId: 'a9', after: { kind: 'ready' } });
  });

  it('puts the lead on a preview screen back when the agent logs out or loses the phone before dialing', () => {
    const previewing: AgentState = { kind: 'reserved', attemptId: null, contactId: 3, preview: true };
    const putBack = { type: 'release_preview_lead', contactId: 3 };
    expect(transition(previewing, { type: 'logout' }, ctx)).toEqual({
      ok: true,
      state: { kind: 'offline' },
      effects: [putBack, { type: 'hangup_agent_leg' }, { type: 'end_session' }],
    });
    expect(transition(previewing, { type: 'leg_lost' }, ctx)).toEqual({
      ok: true,
      state: { kind: 'offline' },
      effects: [putBack, { type: 'end_session' }],
    });
    // Once accepted the lead is the call's: its end decides the contact's fate.
    const accepted = run(previewing, { type: 'preview_accepted', attemptId: 'a9' }).state;
    expect(run(accepted, { type: 'leg_lost' }).effects).toEqual(['end_session']);
  });

  it('withdraws a preview not yet dialed, lead put back, agent kept ready, when the phone is to be rung again', () => {
    const previewing: AgentState = { kind: 'reserved', attemptId: null, contactId: 3, preview: true };
    expect(transition(previewing, { type: 'preview_withdrawn' }, ctx)).toEqual({
      ok: true,
      state: { kind: 'ready' },
      effects: [{ type: 'release_preview_lead', contactId: 3 }],
    });
    // Dialed already, or not a preview: the call decides, not this event.
    const dialing: AgentState = { kind: 'reserved', attemptId: 'a9', contactId: 3, preview: false };
    expect(transition(dialing, { type: 'preview_withdrawn' }, ctx).ok).toBe(false);
    expect(transition({ kind: 'ready' }, { type: 'preview_withdrawn' }, ctx).ok).toBe(false);
  });

  it('owes the outcome when the agent leg drops mid-call, and stays logged in (the phone is lost, not the agent)', () => {
    const { state, effects } = run(
      { kind: 'on_call', attemptId: 'a1', after: { kind: 'ready' } },
      { type: 'leg_lost' },
      { type: 'outcome_recorded', attemptId: 'a1' },
    );
    expect(state).toEqual({ kind: 'ready' });
    expect(effects).toEqual(['arm_wrap_up_timer']);
  });

  it('keeps a pause or logout asked for before the leg dropped mid-call, and a wrap-up as it was', () => {
    const paused = run(
      { kind: 'on_call', attemptId: 'a1', after: { kind: 'pause', reason: 'break' } },
      { type: 'leg_lost' },
      { type: 'outcome_recorded', attemptId: 'a1' },
    );
    expect(paused.state).toEqual({ kind: 'paused', reason: 'break' });
    const wrapping: AgentState = {
      kind: 'wrap_up',
      attemptId: 'a1',
      deadline: new Date('2026-11-25T15:00:30Z'),
      after: { kind: 'ready' },
    };
    expect(transition(wrapping, { type: 'leg_lost' }, ctx)).toEqual({
      ok: true,
      state: wrapping,
      effects: [],
    });
  });

  it('goes offline when the login call fails', () => {
    expect(run({ kind: 'logging_in' }, { type: 'leg_lost' })).toEqual({
      state: { kind: 'offline' },
      effects: ['end_session'],
    });
  });
});
