import { useState } from 'react';
import { get, query } from '../../api/client.ts';
import { useLoad } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  subject: string | null;
  details: unknown;
}

/** The audit log (GET /api/audit), newest first, by action prefix and actor. */
export function AuditDesk() {
  const a = t.compliance.audit;
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const { data, error } = useLoad(
    () => get<AuditEntry[]>(`/api/audit${query({ action, actor, limit: 200 })}`),
    [action, actor],
  );
  return (
    <div>
      <div className="filters">
        <div className="field">
          <label htmlFor="audit-action">{a.action}</label>
          <input
            id="audit-action"
            value={action}
            placeholder={a.actionHint}
            onChange={(e) => setAction(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">{a.actor}</label>
          <input id="audit-actor" value={actor} onChange={(e) => setActor(e.target.value)} />
        </div>
      </div>
      {error && <p role="alert">{error}</p>}
      {data && (
        <table data-testid="audit">
          <caption>{a.caption(data.length)}</caption>
          <thead>
            <tr>
              {a.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((e) => (
              <tr key={e.id}>
                <td>{e.at.replace('T', ' ').slice(0, 19)}</td>
                <td>{e.actor}</td>
                <td>{e.role ?? '—'}</td>
                <td>{e.action}</td>
                <td>{e.subject ?? '—'}</td>
                <td>
                  <code>
                    {e.details === null || e.details === undefined ? '' : JSON.stringify(e.details)}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
