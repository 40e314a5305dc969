import { type FormEvent, useState } from 'react';
import { ApiError, get, post, query, upload } from '../../api/client.ts';
import { InputField, SelectField } from '../../components/fields.tsx';
import { t } from '../../i18n/index.ts';
import { REJECTS_PAGE, type Reject, RejectRows } from './reject-rows.tsx';

interface Accounting {
  batchId: number | null;
  rows: number;
  imported: number;
  held: number;
  rejected: Record<string, number>;
}
interface Preview {
  columns: { headers: string[]; delimiter: string; mapping: Record<string, string | null>; fields: string[] };
  accounting: Accounting;
}

const ENCODINGS = ['auto', 'utf8', 'gbk', 'gb18030'] as const;
const DELIMITERS = ['auto', 'comma', 'semicolon', 'tab'] as const;
const ROLES = ['phone', 'name', 'tz', 'consent', 'account'] as const;

/**
 * A list into a campaign: upload the CSV (kept privately by the API), choose encoding, delimiter,
 * region and the column mapping, see the dry run (mapping and accounting, nothing written), then
 * import and see the result with the rejects by reason and row by row (numbers masked by the API).
 */
export function ListUpload({ campaignId, onImported }: { campaignId: number; onImported: () => void }) {
  const u = t.upload;
  const [file, setFile] = useState<File | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [encoding, setEncoding] = useState<(typeof ENCODINGS)[number]>('auto');
  const [delimiter, setDelimiter] = useState<(typeof DELIMITERS)[number]>('auto');
  const [region, setRegion] = useState('');
  const [map, setMap] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<Accounting | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const options = () => {
    const mapSpec = Object.entries(map)
      .filter(([, col]) => col)
      .map(([role, col]) => `${role}=${col}`)
      .join(',');
    return {
      campaignId,
      encoding,
      delimiter,
      ...(region ? { region: region.toUpperCase() } : {}),
      ...(mapSpec ? { map: mapSpec } : {}),
    };
  };
  const guard = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e instanceof ApiError ? t.errors.generic(e.message) : t.errors.network);
    } finally {
      setBusy(false);
    }
  };
  const runPreview = (event?: FormEvent) => {
    event?.preventDefault();
    return guard(async () => {
      if (!file) return;
      let id = uploadId;
      if (!id) {
        id = (await upload<{ upload: string }>('/api/lists/uploads', file)).upload;
        setUploadId(id);
      }
      setResult(null);
      setPreview(await post<Preview>(`/api/lists/uploads/${id}/preview`, options()));
    });
  };
  const runImport = () =>
    guard(async () => {
      if (!uploadId) return;
      const imported = await post<Accounting>(`/api/lists/uploads/${uploadId}/import`, {
        ...options(),
        source: file?.name,
      });
      setResult(imported);
      setUploadId(null);
      setPreview(null);
      onImported();
    });

  return (
    <section className="panel" aria-labelledby="upload-title">
      <h2 id="upload-title">{u.title}</h2>
      <form onSubmit={(e) => void runPreview(e)}>
        <div className="grid-form">
          <div className="field">
            <label htmlFor="list-file">{u.file}</label>
            <input
              id="list-file"
              type="file"
              accept=".csv,text/csv,text/plain"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setUploadId(null);
                setPreview(null);
                setResult(null);
              }}
            />
          </div>
          <SelectField
            id="list-encoding"
            label={u.encoding}
            value={encoding}
            options={ENCODINGS.map((v) => ({ value: v, label: u.encodings[v] }))}
            onValue={setEncoding}
          />
          <SelectField
            id="list-delimiter"
            label={u.delimiter}
            value={delimiter}
            options={DELIMITERS.map((v) => ({ value: v, label: u.delimiters[v] }))}
            onValue={setDelimiter}
          />
          <InputField
            id="list-region"
            label={u.region}
            value={region}
            maxLength={2}
            placeholder={u.regionPlaceholder}
            onValue={setRegion}
          />
        </div>
        {preview && (
          <fieldset>
            <legend>{u.mapping}</legend>
            <div className="grid-form">
              {ROLES.map((role) => (
                <div key={role} className="field">
                  <label htmlFor={`map-${role}`}>{u.roles[role]}</label>
                  <select
                    id={`map-${role}`}
                    value={map[role] ?? preview.columns.mapping[role] ?? ''}
                    onChange={(e) => setMap({ ...map, [role]: e.target.value })}
                  >
                    <option value="">{u.noColumn}</option>
                    {preview.columns.headers.map((h) => (
                      <option key={h} value={h}>
                        {h}
                      </option>
                    ))}
                  </select>
                </div>
              ))}
            </div>
            <p>
              {u.detected(preview.columns.delimiter)}{' '}
              {u.otherFields(preview.columns.fields.join(', ') || '—')}
            </p>
          </fieldset>
        )}
        <button type="submit" disabled={busy || !file}>
          {preview ? u.previewAgain : u.preview}
        </button>
      </form>
      {preview && (
        <div data-testid="dry-run">
          <h3>{u.dryRun}</h3>
          <AccountingTable accounting={preview.accounting} />
          <button type="button" disabled={busy} onClick={() => void runImport()}>
            {u.import}
          </button>
        </div>
      )}
      {result && (
        <div data-testid="import-result" aria-live="polite">
          <h3>{u.imported(result.batchId)}</h3>
          <AccountingTable accounting={result} />
          <p>{u.rejectNote}</p>
          {result.batchId !== null && rejectedTotal(result) > 0 && (
            <RejectRows
              key={result.batchId}
              total={rejectedTotal(result)}
              load={(after) =>
                get<Reject[]>(
                  `/api/lists/batches/${result.batchId}/rejects${query({ after, limit: REJECTS_PAGE })}`,
                )
              }
            />
          )}
        </div>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}

/** Every rejected row of a batch, whatever its reason. */
const rejectedTotal = (accounting: Accounting) =>
  Object.values(accounting.rejected).reduce((sum, n) => sum + n, 0);

function AccountingTable({ accounting }: { accounting: Accounting }) {
  const u = t.upload;
  const rejected = Object.entries(accounting.rejected).filter(([, n]) => n > 0);
  const counts = [
    [u.rows, 'acc-rows', accounting.rows],
    [u.toImport, 'acc-imported', accounting.imported],
    [u.held, 'acc-held', accounting.held],
  ] as const;
  return (
    <table>
      <caption>{u.accounting}</caption>
      <tbody>
        {counts.map(([label, testId, n]) => (
          <tr key={testId}>
            <th scope="row">{label}</th>
            <td data-testid={testId}>{n}</td>
          </tr>
        ))}
        {rejected.length === 0 ? (
          <tr>
            <th scope="row">{u.rejected}</th>
            <td data-testid="acc-rejected">0</td>
          </tr>
        ) : (
          rejected.map(([reason, n]) => (
            <tr key={reason}>
              <th scope="row">{u.rejectedFor(reason)}</th>
              <td data-reason={reason}>{n}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
