import { useState } from 'react';
import { t } from '../../i18n/index.ts';

/**
 * The call's outcome as a callback: this person is called back at a time (a local date-time sent
 * as an instant), by this agent unless any agent may take it. The API checks the time against
 * the calling hours and the campaign.
 */
export function CallbackForm({
  act,
  busy,
}: {
  act: (path: string, body: { at: string; anyone: boolean; note?: string }) => Promise<void>;
  busy: boolean;
}) {
  const [at, setAt] = useState('');
  const [anyone, setAnyone] = useState(false);
  const [note, setNote] = useState('');
  return (
    <form
      aria-label={t.agent.callback}
      onSubmit={(e) => {
        e.preventDefault();
        const when = new Date(at);
        if (Number.isNaN(when.getTime())) return;
        void act('callback', {
          at: when.toISOString(),
          anyone,
          ...(note.trim() ? { note: note.trim() } : {}),
        });
      }}
    >
      <h3>{t.agent.callback}</h3>
      <label>
        {t.agent.callbackAt}
        <input
          type="datetime-local"
          name="callback-at"
          value={at}
          onChange={(e) => setAt(e.target.value)}
          required
        />
      </label>
      <label className="inline">
        <input type="checkbox" checked={anyone} onChange={(e) => setAnyone(e.target.checked)} />
        {t.agent.callbackAnyone}
      </label>
      <label>
        {t.agent.callbackNote} <span className="notice">{t.agent.optional}</span>
        <input type="text" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" className="secondary" disabled={busy || at === ''}>
        {t.agent.scheduleCallback}
      </button>
    </form>
  );
}
