import { type FormEvent, useState } from 'react';
import { ApiError, get, type Issue, post, query } from '../../api/client.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FieldProblems, InputField, OtherIssues } from '../../components/fields.tsx';
import { errorText, fieldOf, useLoad } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';
import { CampaignSelect } from '../compliance/campaign-select.tsx';

interface Recording {
  id: number;
  name: string;
  campaignId: number | null;
  agentId: number | null;
  contactId: number | null;
  state: string;
  startedAt: string;
  durationSeconds: number | null;
  result: string | null;
  outcome: string | null;
}
interface RecordingDetail extends Recording {
  facts: { kind: string; data: Record<string, unknown>; at: string }[];
  evaluations: {
    id: number;
    evaluator: string;
    score: number;
    passed: boolean;
    correctsEvaluationId: number | null;
    recordedAt: string;
  }[];
}
interface QaForm {
  id: number;
  version: number;
  form: {
    name: string;
    passMark: number;
    criteria: { id: string; label: string; weight: number; maxPoints: number }[];
  };
}

/** Quality: recordings by campaign, agent and day; play, download (audited by the API), score. */
export default function QaHome() {
  const q = t.qa;
  const [campaign, setCampaign] = useState('');
  const [agent, setAgent] = useState('');
  const [day, setDay] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const { data, error } = useLoad(
    () => get<Recording[]>(`/api/recordings${query({ campaign, agent, day, limit: 200 })}`),
    [campaign, agent, day],
  );
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">{t.screens.qa}</h1>
      <div className="filters">
        <CampaignSelect id="qa-campaign" value={campaign} onChange={setCampaign} />
        <InputField
          id="qa-agent"
          label={q.agent}
          inputMode="numeric"
          value={agent}
          onValue={(v) => setAgent(v.replace(/\D/g, ''))}
        />
        <InputField id="qa-day" label={q.day} type="date" value={day} onValue={setDay} />
      </div>
      {error && <p role="alert">{error}</p>}
      {data && (
        <DataTable testId="recordings" caption={q.caption(data.length)} columns={q.columns}>
          {data.map((r) => (
            <tr key={r.id} aria-selected={selected === r.id}>
              <td>
                <button type="button" className="secondary" onClick={() => setSelected(r.id)}>
                  {q.open(r.id)}
                </button>
              </td>
              <td>{r.startedAt.replace('T', ' ').slice(0, 19)}</td>
              <td>{r.campaignId ?? '—'}</td>
              <td>{r.agentId ?? '—'}</td>
              <td>{r.contactId ?? '—'}</td>
              <td>{r.durationSeconds ?? '—'}</td>
              <td>{r.state}</td>
              <td>{r.outcome ?? r.result ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {selected !== null && <RecordingPanel key={selected} id={selected} />}
    </section>
  );
}

function RecordingPanel({ id }: { id: number }) {
  const q = t.qa;
  const me = useMe();
  const { data, error, reload } = useLoad(() => get<RecordingDetail>(`/api/recordings/${id}`), [id]);
  const campaignId = data?.campaignId ?? null;
  const form = useLoad(
    () =>
      campaignId === null
        ? Promise.resolve(null)
        : get<QaForm>(`/api/campaigns/${campaignId}/qa-form`).catch((e: unknown) => {
            if (e instanceof ApiError && e.status === 404) return null;
            throw e;
          }),
    [campaignId],
  );
  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p className="loading">{t.app.loading}</p>;
  const file = `/api/recordings/${id}/file`;
  const canDownload = me.permissions.includes('recording.download');
  return (
    <section className="panel" aria-labelledby="recording-title" data-testid="recording">
      <h2 id="recording-title">{q.recording(id, data.name)}</h2>
      {data.state === 'stored' && canDownload ? (
        <>
          {/* biome-ignore lint/a11y/useMediaCaption: a call recording has no caption track */}
          <audio controls preload="none" src={file} data-testid="player" />
          <p>
            <a href={file} download={`${data.name}.wav`} className="button-link">
              {q.download}
            </a>{' '}
            <span className="notice">{q.audited}</span>
          </p>
        </>
      ) : (
        <p>{q.notPlayable(data.state)}</p>
      )}
      {data.facts.length > 0 && (
        <ul>
          {data.facts.map((f) => (
            <li key={`${f.kind}:${f.at}`}>
              {f.kind}: <code>{JSON.stringify(f.data)}</code>
            </li>
          ))}
        </ul>
      )}
      <h3>{q.evaluations}</h3>
      {data.evaluations.length === 0 ? (
        <p>{q.noEvaluation}</p>
      ) : (
        <ul data-testid="evaluations">
          {data.evaluations.map((e) => (
            <li key={e.id}>
              {q.evaluation(
                e.id,
                e.evaluator,
                e.score,
                e.passed,
                e.recordedAt.slice(0, 19).replace('T', ' '),
              )}
              {e.correctsEvaluationId !== null ? ` ${q.corrects(e.correctsEvaluationId)}` : ''}
            </li>
          ))}
        </ul>
      )}
      {form.error && <p role="alert">{form.error}</p>}
      {me.permissions.includes('qa.score') &&
        (form.data ? (
          <ScoreForm recordingId={id} form={form.data} onScored={reload} />
        ) : (
          form.data === null && !form.error && <p>{q.noForm}</p>
        ))}
    </section>
  );
}

/** An issue's field names a criterion by its id, or as `points.<id>` (the request body's shape). */
const isCriterion = (field: string, id: string) => field === id || field === `points.${id}`;

function ScoreForm({
  recordingId,
  form,
  onScored,
}: {
  recordingId: number;
  form: QaForm;
  onScored: () => void;
}) {
  const q = t.qa;
  const [points, setPoints] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setIssues([]);
    setMessage(null);
    try {
      const done = await post<{ score: number; passed: boolean }>(
        `/api/recordings/${recordingId}/evaluations`,
        {
          points: Object.fromEntries(form.form.criteria.map((c) => [c.id, Number(points[c.id] ?? '')])),
          ...(note ? { note } : {}),
        },
      );
      setMessage(q.scored(done.score, done.passed));
      onScored();
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) setIssues(e.issues);
      else setMessage(errorText(e));
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <fieldset>
        <legend>{q.formTitle(form.form.name, form.version, form.form.passMark)}</legend>
        {form.form.criteria.map((c) => {
          const problems = issues.filter((i) => isCriterion(fieldOf(i), c.id));
          return (
            <div key={c.id} className="field">
              <label htmlFor={`qa-${c.id}`}>{q.criterion(c.label, c.maxPoints, c.weight)}</label>
              <input
                id={`qa-${c.id}`}
                type="number"
                min={0}
                max={c.maxPoints}
                value={points[c.id] ?? ''}
                aria-invalid={problems.length > 0}
                onChange={(e) => setPoints({ ...points, [c.id]: e.target.value })}
              />
              <FieldProblems field={c.id} problems={problems} />
            </div>
          );
        })}
        <label htmlFor="qa-note">{q.note}</label>
        <textarea id="qa-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </fieldset>
      <OtherIssues
        issues={issues}
        shown={(field) => form.form.criteria.some((c) => isCriterion(field, c.id))}
      />
      <button type="submit">{q.score}</button>
      {message && <p aria-live="polite">{message}</p>}
    </form>
  );
}
