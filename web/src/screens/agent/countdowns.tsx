import { useEffect, useRef } from 'react';
import type { AgentScreen } from '../../api/types.ts';
import { clockText, t } from '../../i18n/index.ts';
import { useSecondsSince } from './use-agent-feed.ts';

/** Seconds a lead stays on preview before the page calls it (timed preview). */
export const PREVIEW_SECONDS = 30;

/**
 * Preview: the lead is on screen; the agent calls or skips it. The engine has no preview timeout,
 * so the page has one: at zero it calls the lead (once).
 */
export function PreviewPanel({
  act,
  busy,
  seenAt,
}: {
  act: (path: string) => Promise<void>;
  busy: boolean;
  seenAt: number;
}) {
  const left = PREVIEW_SECONDS - useSecondsSince(seenAt);
  const fired = useRef(false);
  useEffect(() => {
    if (left <= 0 && !fired.current) {
      fired.current = true;
      void act('preview/accept');
    }
  }, [left, act]);
  return (
    <section className="panel" aria-labelledby="preview-title">
      <h2 id="preview-title">{t.agent.preview}</h2>
      <p>{t.agent.previewHelp}</p>
      <p className="countdown" aria-live="off" data-testid="preview-countdown">
        {t.agent.previewDialsIn(clockText(Math.ceil(left)))}
      </p>
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
