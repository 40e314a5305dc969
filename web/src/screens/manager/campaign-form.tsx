import { type FormEvent, useState } from 'react';
import { ApiError, type Issue, post } from '../../api/client.ts';
import type { Campaign } from '../../api/types.ts';
import { fieldOf } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';

/** The fields the form edits, by their path in the definition; the rest is in the JSON below. */
const FIELDS = [
  'name',
  'client',
  'clientName',
  'type',
  'mode',
  'jurisdiction',
  'region',
  'defaultTimeZone',
  'callingWindow.start',
  'callingWindow.end',
  'dialing.endpointTemplate',
  'dialing.callerId',
  'wrapUpSeconds',
] as const;
const NUMERIC = new Set(['wrapUpSeconds']);

/** A starting point a manager edits (the shape of campaigns/examples/collections-predictive.json). */
const START = {
  name: '',
  client: '',
  clientName: '',
  type: 'collections',
  mode: 'predictive',
  jurisdiction: 'US',
  region: 'US',
  defaultTimeZone: 'America/New_York',
  callingWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '20:00' },
  dialing: { endpointTemplate: 'PJSIP/{number}@carrier', callerId: '' },
  wrapUpSeconds: 45,
};

type Definition = Record<string, unknown>;

function read(def: Definition, path: string): string {
  let v: unknown = def;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Definition)[k] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

function write(def: Definition, path: string, value: string): Definition {
  const keys = path.split('.');
  const copy: Definition = structuredClone(def);
  let at = copy;
  for (const k of keys.slice(0, -1)) {
    if (!at[k] || typeof at[k] !== 'object') at[k] = {};
    at = at[k] as Definition;
  }
  const last = keys.at(-1) as string;
  if (value === '') delete at[last];
  else at[last] = NUMERIC.has(path) && /^\d+$/.test(value) ? Number(value) : value;
  return copy;
}

/**
 * A new campaign from the form or from a JSON file (the definition of campaigns/examples/). The
 * API validates it; its 422 names each field at fault, shown under the field (or listed when the
 * field is not one of the form's).
 */
export function CampaignForm({ onCreated }: { onCreated: (c: Campaign) => void }) {
  const f = t.campaigns.form;
  const [def, setDef] = useState<Definition>(START);
  const [text, setText] = useState(() => JSON.stringify(START, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const replace = (next: Definition) => {
    setDef(next);
    setText(JSON.stringify(next, null, 2));
    setJsonError(null);
  };
  const fromText = (value: string) => {
    setText(value);
    try {
      const parsed = JSON.parse(value) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      setDef(parsed as Definition);
      setJsonError(null);
    } catch (e) {
      setJsonError(f.badJson(e instanceof Error ? e.message : String(e)));
    }
  };
  const fromFile = async (file: File | undefined) => {
    if (!file) return;
    fromText(await file.text());
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (jsonError) return;
    setBusy(true);
    setIssues([]);
    setError(null);
    try {
      onCreated(await post<Campaign>('/api/campaigns', def));
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) setIssues(e.issues);
      else setError(e instanceof ApiError ? t.errors.generic(e.message) : t.errors.network);
    } finally {
      setBusy(false);
    }
  };
  const issueOf = (path: string) => issues.filter((i) => fieldOf(i) === path);
  const others = issues.filter((i) => !(FIELDS as readonly string[]).includes(fieldOf(i)));

  return (
    <form className="panel campaign-form" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{f.title}</h2>
      <p>{f.help}</p>
      <div className="grid-form">
        {FIELDS.map((path) => {
          const id = `def-${path.replace('.', '-')}`;
          const problems = issueOf(path);
          return (
            <div key={path} className="field">
              <label htmlFor={id}>{f.labels[path] ?? path}</label>
              <input
                id={id}
                value={read(def, path)}
                inputMode={NUMERIC.has(path) ? 'numeric' : undefined}
                aria-invalid={problems.length > 0}
                aria-describedby={problems.length > 0 ? `${id}-error` : undefined}
                onChange={(e) => replace(write(def, path, e.target.value))}
              />
              {problems.length > 0 && (
                <span id={`${id}-error`} className="field-error" data-field={path}>
                  {problems.map((p) => p.message).join('; ')}
                </span>
              )}
            </div>
          );
        })}
      </div>
      <label htmlFor="def-file">{f.file}</label>
      <input
        id="def-file"
        type="file"
        accept="application/json,.json"
        onChange={(e) => void fromFile(e.target.files?.[0])}
      />
      <label htmlFor="def-json">{f.json}</label>
      <textarea
        id="def-json"
        rows={10}
        spellCheck={false}
        value={text}
        aria-invalid={jsonError !== null}
        onChange={(e) => fromText(e.target.value)}
      />
      {jsonError && <p className="field-error">{jsonError}</p>}
      {others.length > 0 && (
        <ul className="field-error" data-testid="other-issues">
          {others.map((i) => (
            <li key={`${i.field}:${i.message}`} data-field={i.field}>
              <code>{i.field || '—'}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy || jsonError !== null}>
        {busy ? f.creating : f.create}
      </button>
    </form>
  );
}
