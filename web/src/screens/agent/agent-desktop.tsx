import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { outcomeSchemaFor } from '../../../../campaigns/outcomes/outcome-schema.ts';
import { ApiError, get, post } from '../../api/client.ts';
import type {
  AgentRow,
  AgentScreen,
  AgentState,
  Campaign,
  CampaignDetail,
  ScreenCall,
} from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { clockText, labelOf, t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';
import { CallbackForm } from './callback-form.tsx';
import { PreviewPanel, WrapUpClock } from './countdowns.tsx';
import { OutcomeForm } from './outcome-form.tsx';
import { useAgentFeed, useSecondsSince } from './use-agent-feed.ts';

type Act = (path: string, body?: unknown) => Promise<void>;

function errorText(error: unknown): string {
  return error instanceof ApiError
    ? error.status === 0
      ? t.errors.network
      : t.errors.generic(error.message)
    : t.errors.network;
}

function afterText(state: AgentState): string | null {
  if (state.kind !== 'on_call' && state.kind !== 'wrap_up') return null;
  const after = state.after;
  if (after.kind === 'pause') return t.agent.afterCall.pause(after.reason);
  return after.kind === 'ready' ? t.agent.afterCall.ready : t.agent.afterCall.logout;
}

function StatePanel({ screen, seenAt }: { screen: AgentScreen; seenAt: number }) {
  const seconds = useSecondsSince(seenAt);
  const { state } = screen;
  const after = afterText(state);
  return (
    <section className="panel" aria-labelledby="state-title">
      <h2 id="state-title">{t.agent.state}</h2>
      <p aria-live="polite">
        <span className={`state-badge state-${state.kind}`} data-testid="agent-state" data-state={state.kind}>
          {state.kind === 'paused'
            ? t.agent.pausedBecause(state.reason)
            : labelOf(t.agent.states, state.kind)}
        </span>
        <span className="timer" data-testid="state-timer">
          {t.agent.stateFor(clockText(seconds))}
        </span>
      </p>
      {after && <p className="notice">{after}</p>}
    </section>
  );
}

function Controls({ screen, act, busy }: { screen: AgentScreen; act: Act; busy: boolean }) {
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [campaignId, setCampaignId] = useState('');
  const [reason, setReason] = useState(t.agent.pauseReasons[0]!);
  const kind = screen.state.kind;
  useEffect(() => {
    if (kind !== 'offline') return;
    get<Campaign[]>('/api/campaigns').then(
      (rows) => {
        const usable = rows.filter((c) => c.mode !== 'agentless' && c.status !== 'stopped');
        setCampaigns(usable);
        setCampaignId((old) => old || String(usable.find((c) => c.status === 'running')?.id ?? ''));
      },
      () => setCampaigns([]),
    );
  }, [kind]);

  if (kind === 'offline') {
    const logIn = (event: FormEvent) => {
      event.preventDefault();
      void act('login', { campaignId: Number(campaignId) });
    };
    return (
      <form className="panel" onSubmit={logIn} aria-label={t.agent.logIn}>
        <label>
          {t.agent.campaign}
          <select name="campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)} required>
            <option value="">{t.agent.pickCampaign}</option>
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.status})
              </option>
            ))}
          </select>
        </label>
        <p className="notice">{t.agent.logInHelp}</p>
        <button type="submit" disabled={busy || campaignId === ''}>
          {t.agent.logIn}
        </button>
      </form>
    );
  }
  const canPause = kind === 'ready' || kind === 'on_call' || kind === 'wrap_up' || kind === 'paused';
  return (
    <div className="panel stack">
      <div className="row">
        <button type="button" onClick={() => void act('ready')} disabled={busy || kind === 'ready'}>
          {t.agent.ready}
        </button>
        <button type="button" className="secondary" onClick={() => void act('logout')} disabled={busy}>
          {t.agent.logOut}
        </button>
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void act('pause', { reason });
        }}
      >
        <label>
          {t.agent.pauseReason}
          <select name="reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            {t.agent.pauseReasons.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="secondary" disabled={busy || !canPause || kind === 'paused'}>
          {t.agent.pause}
        </button>
      </form>
    </div>
  );
}

function CallPanel({ call }: { call: ScreenCall }) {
  const fields = Object.entries(call.fields);
  const h = t.agent.historyColumns;
  return (
    <section className="panel" aria-labelledby="call-title" data-testid="screen-pop">
      <h2 id="call-title">{call.preview ? t.agent.preview : t.agent.call}</h2>
      <p>
        <span className="notice">{t.agent.number}: </span>
        <span className="number" data-testid="masked-number">
          {call.phoneMasked}
        </span>
      </p>
      <p className="notice">
        {t.agent.numberNote} {t.agent.timeZone}: {call.timeZone}. {t.agent.attempts(call.attempts)}
      </p>
      <h3>{t.agent.fields}</h3>
      {fields.length === 0 ? (
        <p>{t.agent.noFields}</p>
      ) : (
        <table>
          <tbody>
            {fields.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t.agent.script}</h3>
      {call.campaign.script ? (
        <p className="script" data-testid="script">
          {call.campaign.script}
        </p>
      ) : (
        <p>{t.agent.noScript}</p>
      )}
      <h3>{t.agent.history}</h3>
      {call.history.length === 0 ? (
        <p>{t.agent.noHistory}</p>
      ) : (
        <DataTable testId="history" columns={[h.at, h.result, h.outcome, h.number]}>
          {call.history.map((a) => (
            <tr key={`${a.at}-${a.phoneMasked}-${a.result}`}>
              <td>{new Date(a.at).toLocaleString()}</td>
              <td>{a.result ?? '—'}</td>
              <td>{a.outcome ? labelOf(t.tags, a.outcome) : '—'}</td>
              <td>{a.phoneMasked}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function OutcomePanel({
  screen,
  seenAt,
  code,
  act,
  busy,
}: {
  screen: AgentScreen;
  seenAt: number;
  code: string;
  act: Act;
  busy: boolean;
}) {
  const campaignId = screen.call?.campaign.id;
  const wrapUp = screen.state.kind === 'wrap_up';
  const [campaign, setCampaign] = useState<CampaignDetail | null>(null);
  useEffect(() => {
    if (campaignId === undefined) return;
    get<CampaignDetail>(`/api/campaigns/${campaignId}`).then(setCampaign, () => setCampaign(null));
  }, [campaignId]);
  const definition = campaign?.definition as
    | {
        type: 'survey' | 'collections' | 'reminder' | 'revisit';
        questions?: { id: string; prompt: string }[];
      }
    | undefined;
  const schema = useMemo(
    () =>
      definition
        ? outcomeSchemaFor(
            { type: definition.type, questions: (definition.questions ?? []) as never },
            'agent',
          )
        : null,
    [definition],
  );
  const labels = useMemo(
    () => Object.fromEntries((definition?.questions ?? []).map((q) => [q.id, q.prompt])),
    [definition],
  );
  const submit = useCallback(
    async (body: Record<string, unknown>) => {
      await post(`/api/agents/${code}/outcome`, body);
    },
    [code],
  );
  return (
    <section className="panel" aria-labelledby="outcome-title">
      <h2 id="outcome-title">{t.agent.outcome}</h2>
      <WrapUpClock screen={screen} seenAt={seenAt} />
      {!wrapUp && <p className="notice">{t.agent.saveAfterCall}</p>}
      {schema ? (
        <OutcomeForm
          key={screen.call?.attemptId ?? ''}
          schema={schema}
          labels={labels}
          submit={submit}
          disabled={!wrapUp}
        />
      ) : (
        <p className="loading">{t.app.loading}</p>
      )}
      <CallbackForm act={act} busy={busy || !wrapUp} />
    </section>
  );
}

function AgentPicker({ value, onChange }: { value: string; onChange(code: string): void }) {
  const [agents, setAgents] = useState<AgentRow[]>([]);
  useEffect(() => {
    get<AgentRow[]>('/api/agents').then(setAgents, () => setAgents([]));
  }, []);
  return (
    <label>
      {t.agent.pickAgent}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {agents.map((a) => (
          <option key={a.code} value={a.code}>
            {a.code}: {a.name} ({a.detail})
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The agent desktop: the seat's state and timer, log in / ready / pause / log out, and on a call
 * the screen pop from the live feed (masked number, the list's fields, the campaign's script,
 * the contact's attempts), the outcome form of the campaign's type, a callback, preview's
 * accept/skip and the wrap-up countdown. An agent works their own seat; a supervisor picks one.
 */
export default function AgentDesktop() {
  const me = useMe();
  const own = me.role === 'agent';
  const [picked, setPicked] = useState('');
  const code = own ? 'me' : picked;
  const feed = useAgentFeed(own ? null : picked, own ? me.agent !== null : picked !== '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act: Act = useCallback(
    async (path, body) => {
      setBusy(true);
      setError(null);
      try {
        await post(`/api/agents/${code}/${path}`, body);
      } catch (e) {
        setError(errorText(e));
      } finally {
        setBusy(false);
      }
    },
    [code],
  );

  if (own && !me.agent) {
    return (
      <section>
        <h1>{t.agent.title}</h1>
        <p role="alert">{t.agent.noSeat}</p>
      </section>
    );
  }
  const screen = feed.screen;
  const state = screen?.state;
  const seat = own ? me.agent?.code : picked;
  return (
    <section aria-labelledby="desk-title">
      <h1 id="desk-title">
        {t.agent.title}
        {seat ? ` · ${t.agent.seat} ${seat}` : ''}
      </h1>
      {!own && <AgentPicker value={picked} onChange={setPicked} />}
      {feed.lost && code !== '' && (
        <p className="notice" role="status">
          {t.agent.feedLost}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {screen && state && (
        <div className="desk">
          <div className="stack">
            <StatePanel screen={screen} seenAt={feed.stateSeenAt} />
            <Controls screen={screen} act={act} busy={busy} />
            {state.kind === 'reserved' && state.preview && (
              <PreviewPanel
                key={screen.since}
                screen={screen}
                act={act}
                busy={busy}
                seenAt={feed.stateSeenAt}
              />
            )}
          </div>
          <div className="stack">
            {screen.call && <CallPanel call={screen.call} />}
            {screen.call && (state.kind === 'on_call' || state.kind === 'wrap_up') && (
              <OutcomePanel screen={screen} seenAt={feed.stateSeenAt} code={code} act={act} busy={busy} />
            )}
          </div>
        </div>
      )}
    </section>
  );
}
