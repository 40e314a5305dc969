/**
 * The agent state machine, pure: `transition(state, event, ctx) → { state, effects }`.
 *
 *   offline → logging_in → ready ⇄ paused(reason)
 *   ready → reserved → on_call → wrap_up → ready        (wrap-up ends by an outcome or the timeout)
 *   reserved | on_call → ready                            (the person hung up before reaching the agent)
 *
 * A pause or logout asked for during a call waits for the end of wrap-up (`after`), so a call is
 * never cut off and its outcome is never skipped. Adapters carry the effects out: dial or hang up
 * the agent's phone leg, arm the wrap-up timer, record the missing outcome.
 */

/** What happens when wrap-up ends: back to ready, a pause, or the end of the session. */
export type AfterWrapUp = { kind: 'ready' } | { kind: 'pause'; reason: string } | { kind: 'logout' };

export type AgentState =
  | { kind: 'offline' }
  | { kind: 'logging_in' }
  | { kind: 'ready' }
  | { kind: 'paused'; reason: string }
  /** Held for one call: an answered customer being connected, a callback, or a preview. */
  | { kind: 'reserved'; attemptId: string | null; contactId: number | null; preview: boolean }
  | { kind: 'on_call'; attemptId: string; after: AfterWrapUp }
  | { kind: 'wrap_up'; attemptId: string; deadline: Date; after: AfterWrapUp };

export type AgentStateKind = AgentState['kind'];

export type AgentEvent =
  | { type: 'login' }
  /** The agent's phone answered and sits in its bridge. */
  | { type: 'leg_answered' }
  /** The agent's phone leg could not be placed or was lost. */
  | { type: 'leg_lost' }
  | { type: 'ready' }
  | { type: 'pause'; reason: string }
  | { type: 'reserve'; attemptId: string | null; contactId: number | null; preview?: boolean }
  /** A preview was accepted: the engine dials now, the agent stays reserved for that call. */
  | { type: 'preview_accepted'; attemptId: string }
  /** The reservation ended without a call reaching the agent (skip, no answer, busy…). */
  | { type: 'release' }
  /**
   * The agent's phone dropped while a lead was on preview, not yet dialed: the agent stays (the
   * phone is rung again) but the lead cannot wait for a phone that may not come back: it goes
   * back to the queue and the agent is ready once the phone answers.
   */
  | { type: 'preview_withdrawn' }
  | { type: 'call_connected'; attemptId: string }
  /**
   * The call ended without ever reaching the agent: the person hung up while being connected
   * (the telephone system may already have accepted the connect, so the agent can be on_call
   * for it). The agent spoke to nobody and owes no outcome; the engine records the call's.
   */
  | { type: 'call_missed'; attemptId: string }
  | { type: 'call_ended'; attemptId: string }
  | { type: 'outcome_recorded'; attemptId: string }
  | { type: 'wrap_up_timeout'; attemptId: string }
  | { type: 'logout' };

export type AgentEffect =
  | { type: 'dial_agent_leg' }
  | { type: 'hangup_agent_leg' }
  | { type: 'arm_wrap_up_timer'; attemptId: string; deadline: Date }
  /** Nothing was tagged in time: record `no_outcome` for the attempt (durably, before ready). */
  | { type: 'record_missing_outcome'; attemptId: string }
  /**
   * A lead on preview was never dialed and its agent is gone or cannot take it (logout, lost
   * phone): the contact goes back to the queue now, rather than stay claimed until somebody notices.
   */
  | { type: 'release_preview_lead'; contactId: number }
  | { type: 'end_session' };

export interface TransitionContext {
  now: Date;
  wrapUpSeconds: number;
}

export type TransitionResult =
  | { ok: true; state: AgentState; effects: AgentEffect[] }
  | { ok: false; error: string };

const ok = (state: AgentState, effects: AgentEffect[] = []): TransitionResult => ({
  ok: true,
  state,
  effects,
});
const refuse = (state: AgentState, event: AgentEvent): TransitionResult => ({
  ok: false,
  error: `cannot ${event.type.replace(/_/g, ' ')} while ${describe(state)}`,
});

export function describe(state: AgentState): string {
  switch (state.kind) {
    case 'paused':
      return `paused (${state.reason})`;
    case 'on_call':
      return 'on a call';
    case 'wrap_up':
      return 'in wrap-up';
    case 'logging_in':
      return 'logging in';
    default:
      return state.kind;
  }
}

const READY: AgentState = { kind: 'ready' };
const OFFLINE: AgentState = { kind: 'offline' };

/** The contact on an unanswered preview screen, to put back when the screen goes away undialed. */
function previewLeadOf(state: AgentState): AgentEffect[] {
  return state.kind === 'reserved' && state.preview && state.contactId !== null
    ? [{ type: 'release_preview_lead', contactId: state.contactId }]
    : [];
}

function endOfWrapUp(after: AfterWrapUp): TransitionResult {
  if (after.kind === 'pause') return ok({ kind: 'paused', reason: after.reason });
  if (after.kind === 'logout') return ok(OFFLINE, [{ type: 'hangup_agent_leg' }, { type: 'end_session' }]);
  return ok(READY);
}

export function transition(state: AgentState, event: AgentEvent, ctx: TransitionContext): TransitionResult {
  switch (event.type) {
    case 'login':
      return state.kind === 'offline'
        ? ok({ kind: 'logging_in' }, [{ type: 'dial_agent_leg' }])
        : refuse(state, event);

    case 'leg_answered':
      return state.kind === 'logging_in' ? ok(READY) : refuse(state, event);

    case 'leg_lost':
      switch (state.kind) {
        case 'offline':
          return ok(state);
        case 'on_call':
          // The customer is still there or just gone; the call's outcome is still owed. The
          // agent is not gone with the phone (Asterisk stopped, the agent hung up): the session
          // stays and the engine rings the phone again with backoff (issue #11).
          return ok(
            {
              kind: 'wrap_up',
              attemptId: state.attemptId,
              deadline: deadline(ctx),
              after: state.after,
            },
            [{ type: 'arm_wrap_up_timer', attemptId: state.attemptId, deadline: deadline(ctx) }],
          );
        case 'wrap_up':
          return ok(state);
        default:
          return ok(OFFLINE, [...previewLeadOf(state), { type: 'end_session' }]);
      }

    case 'ready':
      if (state.kind === 'paused' || state.kind === 'ready') return ok(READY);
      if (state.kind === 'on_call' || state.kind === 'wrap_up')
        return ok({ ...state, after: { kind: 'ready' } });
      return refuse(state, event);

    case 'pause':
      if (state.kind === 'ready' || state.kind === 'paused')
        return ok({ kind: 'paused', reason: event.reason });
      if (state.kind === 'on_call' || state.kind === 'wrap_up') {
        return ok({ ...state, after: { kind: 'pause', reason: event.reason } });
      }
      return refuse(state, event);

    case 'reserve':
      return state.kind === 'ready'
        ? ok({
            kind: 'reserved',
            attemptId: event.attemptId,
            contactId: event.contactId,
            preview: event.preview ?? false,
          })
        : refuse(state, event);

    case 'preview_accepted':
      return state.kind === 'reserved' && state.preview
        ? ok({ ...state, attemptId: event.attemptId, preview: false })
        : refuse(state, event);

    case 'release':
      return state.kind === 'reserved' ? ok(READY) : refuse(state, event);

    case 'preview_withdrawn':
      return state.kind === 'reserved' && state.preview && state.attemptId === null
        ? ok(READY, previewLeadOf(state))
        : refuse(state, event);

    case 'call_connected':
      // A ready agent may take an answered call directly (the engine reserves and connects at once).
      if (
        (state.kind === 'reserved' && (state.attemptId === null || state.attemptId === event.attemptId)) ||
        state.kind === 'ready'
      ) {
        return ok({ kind: 'on_call', attemptId: event.attemptId, after: { kind: 'ready' } });
      }
      return refuse(state, event);

    case 'call_missed':
      if (state.kind === 'reserved' && (state.attemptId === null || state.attemptId === event.attemptId))
        return ok(READY);
      // A pause or logout asked for meanwhile takes effect now, as at the end of a wrap-up.
      if (state.kind === 'on_call' && state.attemptId === event.attemptId) return endOfWrapUp(state.after);
      return refuse(state, event);

    case 'call_ended':
      if (state.kind === 'on_call' && state.attemptId === event.attemptId) {
        const at = deadline(ctx);
        return ok({ kind: 'wrap_up', attemptId: state.attemptId, deadline: at, after: state.after }, [
          { type: 'arm_wrap_up_timer', attemptId: state.attemptId, deadline: at },
        ]);
      }
      return refuse(state, event);

    case 'outcome_recorded':
      if (state.kind === 'wrap_up' && state.attemptId === event.attemptId) return endOfWrapUp(state.after);
      return refuse(state, event);

    case 'wrap_up_timeout':
      if (state.kind === 'wrap_up' && state.attemptId === event.attemptId) {
        const next = endOfWrapUp(state.after);
        if (!next.ok) return next;
        return ok(next.state, [
          { type: 'record_missing_outcome', attemptId: state.attemptId },
          ...next.effects,
        ]);
      }
      // The outcome won the race: nothing to do.
      return ok(state);

    case 'logout':
      switch (state.kind) {
        case 'offline':
          return refuse(state, event);
        case 'on_call':
        case 'wrap_up':
          return ok({ ...state, after: { kind: 'logout' } });
        case 'reserved':
          if (state.attemptId !== null) return refuse(state, event);
          return ok(OFFLINE, [
            ...previewLeadOf(state),
            { type: 'hangup_agent_leg' },
            { type: 'end_session' },
          ]);
        default:
          return ok(OFFLINE, [{ type: 'hangup_agent_leg' }, { type: 'end_session' }]);
      }
  }
}

function deadline(ctx: TransitionContext): Date {
  return new Date(ctx.now.getTime() + ctx.wrapUpSeconds * 1000);
}
