import { useEffect, useState } from 'react';
import { ApiError, get } from '../api/client.ts';
import type { Campaign } from '../api/types.ts';
import { t } from '../i18n/index.ts';
import { useMe } from '../shell/session.tsx';
import { DataTable } from './data-table.tsx';

/** The campaigns (GET /api/campaigns), as a table. */
export function CampaignTable() {
  const [rows, setRows] = useState<Campaign[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Campaign[]>('/api/campaigns').then(setRows, (e: unknown) =>
      setError(e instanceof ApiError ? t.errors.generic(e.message) : t.errors.network),
    );
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!rows) return <p className="loading">{t.app.loading}</p>;
  if (rows.length === 0) return <p>{t.home.noCampaigns}</p>;
  const c = t.home.columns;
  return (
    <DataTable caption={t.home.campaignsCaption} columns={[c.id, c.name, c.type, c.mode, c.status]}>
      {rows.map((r) => (
        <tr key={r.id}>
          <td>{r.id}</td>
          <td>{r.name}</td>
          <td>{r.type}</td>
          <td>{r.mode}</td>
          <td>{r.status}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** A role's first screen until its own screens land: what comes here and what the role may do. */
export function RoleHome({
  title,
  text,
  campaigns = false,
}: {
  title: string;
  text: string;
  campaigns?: boolean;
}) {
  const me = useMe();
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">{title}</h1>
      <p>{text}</p>
      {campaigns && <CampaignTable />}
      <details>
        <summary>{t.home.permissions}</summary>
        <ul className="permissions">
          {me.permissions.map((p) => (
            <li key={p}>
              <code>{p}</code>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
