import { useState } from 'react';
import { query } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';
import { CampaignSelect } from './campaign-select.tsx';

const isoOf = (local: string) => (local ? new Date(local).toISOString() : '');

/**
 * Dial-log exports: a link to GET /api/log/export (the browser downloads it with the session
 * cookie). The API checks the role, the campaign and the period and audits every export; full
 * numbers only for a role holding numbers.full (audited as such).
 */
export default function ExportsScreen() {
  const x = t.exports;
  const me = useMe();
  const [campaign, setCampaign] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [format, setFormat] = useState<'csv' | 'jsonl'>('csv');
  const [full, setFull] = useState(false);
  const ready = campaign && from && to;
  const href = `/api/log/export${query({ campaign, from: isoOf(from), to: isoOf(to), format, full: full ? 'true' : undefined })}`;
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">{t.screens.exports}</h1>
      <p>{x.help}</p>
      <div className="filters">
        <CampaignSelect id="export-campaign" value={campaign} onChange={setCampaign} any={false} />
        <div className="field">
          <label htmlFor="export-from">{x.from}</label>
          <input
            id="export-from"
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="export-to">{x.to}</label>
          <input id="export-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="export-format">{x.format}</label>
          <select
            id="export-format"
            value={format}
            onChange={(e) => setFormat(e.target.value as 'csv' | 'jsonl')}
          >
            <option value="csv">CSV</option>
            <option value="jsonl">JSON lines</option>
          </select>
        </div>
        {me.permissions.includes('numbers.full') && (
          <label className="inline">
            <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> {x.full}
          </label>
        )}
      </div>
      {ready ? (
        <a className="button-link" href={href} download data-testid="export-link">
          {x.download}
        </a>
      ) : (
        <p>{x.choose}</p>
      )}
      <p className="notice">{x.audited}</p>
    </section>
  );
}
