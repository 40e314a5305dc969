import { useState } from 'react';
import { get, query } from '../../api/client.ts';
import { DataTable } from '../../components/data-table.tsx';
import { InputField } from '../../components/fields.tsx';
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
        <InputField
          id="audit-action"
          label={a.action}
          value={action}
          placeholder={a.actionHint}
          onValue={setAction}
        />
        <InputField id="audit-actor" label={a.actor} value={actor} onValue={setActor} />
      </div>
      {error && <p role="alert">{error}</p>}
      {data && (
        <DataTable testId="audit" caption={a.caption(data.length)} columns={a.columns}>
          {data.map((e) => (
            <tr key={e.id}>
              <td>{e.at.replace('T', ' ').slice(0, 19)}</td>
              <td>{e.actor}</td>
              <td>{e.role ?? '—'}</td>
              <td>{e.action}</td>
              <td>{e.subject ?? '—'}</td>
              <td>
                <code>{e.details === null || e.details === undefined ? '' : JSON.stringify(e.details)}</code>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
