import { useCallback, useEffect, useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { ApiError, get, post } from '../../api/client.ts';
import type { Campaign, CampaignDetail } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';
import { CampaignForm } from './campaign-form.tsx';
import { Dashboard } from './dashboard.tsx';
import { ListUpload } from './list-upload.tsx';

/** The campaign manager: the campaigns (list, new), and one campaign (controls, list upload, live dashboard). */
export default function ManagerHome() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path="new" element={<NewCampaign />} />
      <Route path="campaigns/:id" element={<CampaignPage />} />
    </Routes>
  );
}

function CampaignList() {
  const c = t.campaigns;
  const me = useMe();
  const [rows, setRows] = useState<Campaign[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Campaign[]>('/api/campaigns').then(setRows, (e: unknown) =>
      setError(e instanceof ApiError ? t.errors.generic(e.message) : t.errors.network),
    );
  }, []);
  const col = t.home.columns;
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">{t.screens.manager}</h1>
      {me.permissions.includes('campaign.create') && (
        <p>
          <Link to="new" className="button-link">
            {c.newCampaign}
          </Link>
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {!rows && !error && <p className="loading">{t.app.loading}</p>}
      {rows && rows.length === 0 && <p>{t.home.noCampaigns}</p>}
      {rows && rows.length > 0 && (
        <DataTable
          caption={t.home.campaignsCaption}
          columns={[col.id, col.name, col.type, col.mode, c.jurisdiction, col.status]}
        >
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>
                <Link to={`campaigns/${r.id}`}>{r.name}</Link>
              </td>
              <td>{r.type}</td>
              <td>{r.mode}</td>
              <td>{r.jurisdiction}</td>
              <td>
                <span className={`status status-${r.status}`}>{c.statuses[r.status] ?? r.status}</span>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function NewCampaign() {
  const navigate = useNavigate();
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">{t.campaigns.newCampaign}</h1>
      <p>
        <Link to="/manager">{t.campaigns.back}</Link>
      </p>
      <CampaignForm onCreated={(c) => void navigate(`/manager/campaigns/${c.id}`)} />
    </section>
  );
}

/** The API decides which change a status allows (engine/services/campaign-status.ts); a refusal is shown. */
const VERBS = ['start', 'pause', 'stop'] as const;

function CampaignPage() {
  const c = t.campaigns;
  const me = useMe();
  const id = Number(useParams().id);
  const [detail, setDetail] = useState<CampaignDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    get<CampaignDetail>(`/api/campaigns/${id}`).then(setDetail, (e: unknown) =>
      setError(e instanceof ApiError ? t.errors.generic(e.message) : t.errors.network),
    );
  }, [id]);
  useEffect(load, [load]);
  const change = async (verb: (typeof VERBS)[number]) => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/campaigns/${id}/${verb}`);
      load();
    } catch (e) {
      setError(e instanceof ApiError ? t.errors.generic(e.message) : t.errors.network);
    } finally {
      setBusy(false);
    }
  };
  if (!detail) return error ? <p role="alert">{error}</p> : <p className="loading">{t.app.loading}</p>;
  const control = me.permissions.includes('campaign.control');
  return (
    <section aria-labelledby="screen-title">
      <p>
        <Link to="/manager">{c.back}</Link>
      </p>
      <h1 id="screen-title">{detail.name}</h1>
      <p>
        {c.summary(detail.type, detail.mode, detail.jurisdiction)}{' '}
        <span className={`status status-${detail.status}`} data-testid="campaign-status">
          {c.statuses[detail.status] ?? detail.status}
        </span>
      </p>
      {control && (
        <div className="row" data-testid="campaign-controls">
          {VERBS.map((verb) => (
            <button
              key={verb}
              type="button"
              className={verb === 'stop' ? 'secondary' : undefined}
              disabled={busy}
              onClick={() => void change(verb)}
            >
              {c.verbs[verb]}
            </button>
          ))}
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      <Dashboard campaignId={id} />
      <div className="columns">
        <div className="stack">
          <section className="panel" aria-labelledby="contacts-title">
            <h2 id="contacts-title">{c.contacts}</h2>
            <table data-testid="contacts">
              <tbody>
                {Object.entries(detail.contacts).map(([status, n]) => (
                  <tr key={status}>
                    <th scope="row">{status}</th>
                    <td>{n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <details className="panel">
            <summary>{c.definition}</summary>
            <pre className="definition">{JSON.stringify(detail.definition, null, 2)}</pre>
          </details>
        </div>
        {me.permissions.includes('list.import') && <ListUpload campaignId={id} onImported={load} />}
      </div>
    </section>
  );
}
