import type { AgentScreen } from '../../api/types.ts';
import { clockText, t } from '../../i18n/index.ts';
import { useSecondsSince } from './use-agent-feed.ts';

/**
 * Preview: the lead is on screen; the agent calls or skips it. Under a timed preview the engine
 * decides at the deadline (the campaign's `preview`): the page only counts down to it, as the
 * engine measures it (deadline − since), from when the state arrived.
 */
export function PreviewPanel({
  screen,
  act,
  busy,
  seenAt,
}: {
  screen: AgentScreen;
  act: (path: string) => Promise<void>;
  busy: boolean;
  seenAt: number;
}) {
  const elapsed = useSecondsSince(seenAt);
  const deadline = screen.call?.previewDeadline ?? null;
  const left = deadline ? (Date.parse(deadline.at) - Date.parse(screen.since)) / 1000 - elapsed : null;
  return (
    <section className="panel" aria-labelledby="preview-title">
      <h2 id="preview-title">{t.agent.preview}</h2>
      <p>{t.agent.previewHelp}</p>
      {deadline && left !== null && (
        <p className="countdown" aria-live="off" data-testid="preview-countdown">
          {left > 0
            ? deadline.action === 'dial'
              ? t.agent.previewDialsIn(clockText(Math.ceil(left)))
              : t.agent.previewSkipsIn(clockText(Math.ceil(left)))
            : t.agent.previewDeciding}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => void act('preview/accept')} disabled={busy}>
          {t.agent.accept}
        </button>
        <button type="button" className="secondary" onClick={() => void act('preview/skip')} disabled={busy}>
          {t.agent.skip}
        </button>
      </div>
    </section>
  );
}

/** The wrap-up's time left: the engine's length (deadline − since) less the time since the state arrived. */
export function WrapUpClock({ screen, seenAt }: { screen: AgentScreen; seenAt: number }) {
  const elapsed = useSecondsSince(seenAt);
  if (screen.state.kind !== 'wrap_up') return null;
  const total = (Date.parse(screen.state.deadline) - Date.parse(screen.since)) / 1000;
  const left = total - elapsed;
  return (
    <p className="countdown" data-testid="wrap-up-countdown" aria-live="off">
      {left > 0 ? t.agent.wrapUpLeft(clockText(Math.ceil(left))) : t.agent.wrapUpOver}
    </p>
  );
}
