import { type FormEvent, useState } from 'react';
import { ApiError, get, type Issue, post, query } from '../../api/client.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FieldProblems, InputField, OtherIssues } from '../../components/fields.tsx';
import { errorText, fieldOf, useLoad } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';

interface Entry {
  phone: string;
  scope: string;
  reason: string | null;
  source: string | null;
  addedBy: string | null;
  addedAt: string | null;
  expiresAt: string | null;
}

/**
 * Do-not-call lists: the entries (masked) by scope, searched by the masked number's last digits;
 * add a number; take one off with the reason (the full number is typed by the officer, never shown).
 */
export function DncDesk() {
  const d = t.compliance.dnc;
  const me = useMe();
  const [scope, setScope] = useState('');
  const [suffix, setSuffix] = useState('');
  const { data, error, reload } = useLoad(
    () =>
      get<{ entries: Entry[]; summary: Record<string, unknown> }>(`/api/dnc${query({ scope, limit: 1000 })}`),
    [scope],
  );
  const [add, setAdd] = useState({ phone: '', scope: 'internal', region: 'US', reason: '' });
  const [remove, setRemove] = useState({ phone: '', scope: 'internal', region: 'US', reason: '' });
  const [issues, setIssues] = useState<{ form: string; list: Issue[] }>({ form: '', list: [] });
  const [message, setMessage] = useState<string | null>(null);

  const send = async (form: 'add' | 'remove', event: FormEvent) => {
    event.preventDefault();
    setIssues({ form: '', list: [] });
    setMessage(null);
    const body = form === 'add' ? add : remove;
    try {
      if (form === 'add') {
        const done = await post<{ phone: string; created: boolean; contactsBlocked: number }>('/api/dnc', {
          ...body,
          region: body.region.toUpperCase(),
          ...(body.reason ? {} : { reason: undefined }),
        });
        setMessage(d.added(done.phone, done.created, done.contactsBlocked));
        setAdd({ ...add, phone: '', reason: '' });
      } else {
        const done = await post<{ phone: string; contactsReleased: number }>('/api/dnc/remove', {
          ...body,
          region: body.region.toUpperCase(),
        });
        setMessage(d.removed(done.phone, done.contactsReleased));
        setRemove({ ...remove, phone: '', reason: '' });
      }
      reload();
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) setIssues({ form, list: e.issues });
      else setMessage(errorText(e));
    }
  };
  const digits = suffix.replace(/\D/g, '');
  const shown = (data?.entries ?? []).filter((e) => !digits || e.phone.replace(/\D/g, '').endsWith(digits));

  const fields = (form: 'add' | 'remove') => {
    const value = form === 'add' ? add : remove;
    const set = form === 'add' ? setAdd : setRemove;
    return (['phone', 'scope', 'region', 'reason'] as const).map((k) => {
      const problems = issues.form === form ? issues.list.filter((i) => fieldOf(i) === k) : [];
      return (
        <div key={k} className="field">
          <label htmlFor={`dnc-${form}-${k}`}>{d.fields[k]}</label>
          <input
            id={`dnc-${form}-${k}`}
            value={value[k]}
            autoComplete="off"
            required={k === 'phone' || (form === 'remove' && k === 'reason')}
            aria-invalid={problems.length > 0}
            onChange={(e) => set({ ...value, [k]: e.target.value })}
          />
          <FieldProblems field={k} problems={problems} />
        </div>
      );
    });
  };

  return (
    <div>
      <div className="filters">
        <InputField
          id="dnc-scope"
          label={d.scope}
          value={scope}
          placeholder={d.scopeHint}
          onValue={setScope}
        />
        <InputField id="dnc-suffix" label={d.suffix} inputMode="numeric" value={suffix} onValue={setSuffix} />
      </div>
      {error && <p role="alert">{error}</p>}
      {message && <p aria-live="polite">{message}</p>}
      {data && (
        <>
          <p>{d.sizes(JSON.stringify(data.summary))}</p>
          <DataTable testId="dnc-entries" caption={d.caption(shown.length)} columns={d.columns}>
            {shown.map((e) => (
              <tr key={`${e.scope}:${e.phone}:${e.addedAt}`}>
                <td className="number">{e.phone}</td>
                <td>{e.scope}</td>
                <td>{e.reason ?? '—'}</td>
                <td>{e.source ?? '—'}</td>
                <td>{e.addedBy ?? '—'}</td>
                <td>{e.addedAt?.replace('T', ' ').slice(0, 19) ?? '—'}</td>
                <td>{e.expiresAt?.slice(0, 10) ?? '—'}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
      <div className="columns">
        {me.permissions.includes('dnc.add') && (
          <form className="panel" onSubmit={(e) => void send('add', e)} noValidate>
            <h2>{d.addTitle}</h2>
            <div className="grid-form">{fields('add')}</div>
            <OtherIssues issues={issues.form === 'add' ? issues.list : []} shown={isFormField} />
            <button type="submit">{d.add}</button>
          </form>
        )}
        {me.permissions.includes('dnc.remove') && (
          <form className="panel" onSubmit={(e) => void send('remove', e)} noValidate>
            <h2>{d.removeTitle}</h2>
            <div className="grid-form">{fields('remove')}</div>
            <OtherIssues issues={issues.form === 'remove' ? issues.list : []} shown={isFormField} />
            <button type="submit" className="secondary">
              {d.remove}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

const FORM_FIELDS = new Set(['phone', 'scope', 'region', 'reason']);
const isFormField = (field: string) => FORM_FIELDS.has(field);
