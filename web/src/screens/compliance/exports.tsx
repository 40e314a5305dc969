import { useState } from 'react';
import { query } from '../../api/client.ts';
import { InputField, SelectField } from '../../components/fields.tsx';
import { t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';
import { CampaignSelect } from './campaign-select.tsx';

const FORMATS = [
  { value: 'csv', label: 'CSV' },
  { value: 'jsonl', label: 'JSON lines' },
] as const;

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
        <InputField id="export-from" label={x.from} type="datetime-local" value={from} onValue={setFrom} />
        <InputField id="export-to" label={x.to} type="datetime-local" value={to} onValue={setTo} />
        <SelectField
          id="export-format"
          label={x.format}
          value={format}
          options={FORMATS}
          onValue={setFormat}
        />
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
