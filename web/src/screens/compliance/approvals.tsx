import { type FormEvent, useState } from 'react';
import { ApiError, get, type Issue, post, query } from '../../api/client.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FieldProblems, OtherIssues } from '../../components/fields.tsx';
import { errorText, fieldOf, useLoad } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';
import { CampaignSelect } from './campaign-select.tsx';

type Approval = Record<string, unknown> & { id: number };

/** The re-marketing approvals register: the approvals with their state; record one, revoke one. */
export function ApprovalsDesk() {
  const a = t.compliance.approvals;
  const me = useMe();
  const [campaign, setCampaign] = useState('');
  const { data, error, reload } = useLoad(
    () => get<Approval[]>(`/api/approvals${query({ campaign })}`),
    [campaign],
  );
  const [form, setForm] = useState({
    client: '',
    campaignId: '',
    batchId: '',
    reference: '',
    approvedBy: '',
    note: '',
  });
  const [issues, setIssues] = useState<Issue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<{ id: number; reason: string } | null>(null);

  const record = async (event: FormEvent) => {
    event.preventDefault();
    setIssues([]);
    setMessage(null);
    try {
      const done = await post<{ id: number; contactsReleased: number }>('/api/approvals', {
        client: form.client,
        campaignId: Number(form.campaignId),
        ...(form.batchId ? { batchId: Number(form.batchId) } : {}),
        reference: form.reference,
        approvedBy: form.approvedBy,
        ...(form.note ? { note: form.note } : {}),
      });
      setMessage(a.recorded(done.id, done.contactsReleased));
      reload();
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) setIssues(e.issues);
      else setMessage(errorText(e));
    }
  };
  const revoke = async (event: FormEvent) => {
    event.preventDefault();
    if (!revoking) return;
    try {
      const done = await post<{ contactsHeld: number }>(`/api/approvals/${revoking.id}/revoke`, {
        reason: revoking.reason,
      });
      setMessage(a.revoked(revoking.id, done.contactsHeld));
      setRevoking(null);
      reload();
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const columns = [
    'id',
    'campaign_id',
    'batch_id',
    'reference',
    'approved_by',
    'valid_from',
    'valid_until',
    'numbers',
    'revoked_at',
    'revoke_reason',
  ];
  const canRecord = me.permissions.includes('approval.record');
  return (
    <div>
      <div className="filters">
        <CampaignSelect id="approvals-campaign" value={campaign} onChange={setCampaign} />
      </div>
      {error && <p role="alert">{error}</p>}
      {message && <p aria-live="polite">{message}</p>}
      {data && (
        <DataTable
          testId="approvals"
          caption={a.caption}
          columns={[...columns.map((c) => a.columns[c] ?? c), a.action]}
        >
          {data.map((row) => (
            <tr key={row.id}>
              {columns.map((c) => (
                <td key={c}>{row[c] === null || row[c] === undefined ? '—' : String(row[c])}</td>
              ))}
              <td>
                {canRecord && !row.revoked_at && (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => setRevoking({ id: row.id, reason: '' })}
                  >
                    {a.revoke}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {revoking && (
        <form className="panel" onSubmit={(e) => void revoke(e)}>
          <h2>{a.revokeTitle(revoking.id)}</h2>
          <label htmlFor="revoke-reason">{a.reason}</label>
          <input
            id="revoke-reason"
            required
            value={revoking.reason}
            onChange={(e) => setRevoking({ ...revoking, reason: e.target.value })}
          />
          <div className="row">
            <button type="submit" disabled={!revoking.reason.trim()}>
              {a.revoke}
            </button>
            <button type="button" className="secondary" onClick={() => setRevoking(null)}>
              {a.cancel}
            </button>
          </div>
        </form>
      )}
      {canRecord && (
        <form className="panel" onSubmit={(e) => void record(e)} noValidate>
          <h2>{a.recordTitle}</h2>
          <p>{a.recordHelp}</p>
          <div className="grid-form">
            {(['client', 'campaignId', 'batchId', 'reference', 'approvedBy', 'note'] as const).map((k) => {
              const problems = issues.filter((i) => fieldOf(i) === k);
              return (
                <div key={k} className="field">
                  <label htmlFor={`approval-${k}`}>{a.fields[k]}</label>
                  <input
                    id={`approval-${k}`}
                    value={form[k]}
                    aria-invalid={problems.length > 0}
                    onChange={(e) => setForm({ ...form, [k]: e.target.value })}
                  />
                  <FieldProblems field={k} problems={problems} />
                </div>
              );
            })}
          </div>
          <OtherIssues issues={issues} shown={(field) => field in form} />
          <button type="submit">{a.record}</button>
        </form>
      )}
    </div>
  );
}
