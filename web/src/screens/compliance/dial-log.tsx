import { type FormEvent, useState } from 'react';
import { get, post, query } from '../../api/client.ts';
import { DataTable } from '../../components/data-table.tsx';
import { InputField } from '../../components/fields.tsx';
import { errorText } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';
import { useMe } from '../../shell/session.tsx';
import { CampaignSelect } from './campaign-select.tsx';

interface Attempt {
  id: number;
  campaignId: number;
  contactId: number;
  phone: string;
  agentId: number | null;
  status: string;
  queuedAt: string;
  result: string | null;
  hangupCause: number | null;
  abandoned: boolean;
  chainSeq: number | null;
}

interface Verify {
  ok: boolean;
  dialLog: {
    ok: boolean;
    rowsChecked: number;
    openRows: number;
    head: { seq: number; hash: string } | null;
    firstBreak: unknown;
  };
  evidence: { ok: boolean } | null;
  staleOpenRows: unknown[];
  checkpoints: { name: string; at: string; signatureValid: boolean; chains: number; mismatches: unknown[] }[];
}

/** POST /api/log/checkpoint: the chains' heads, signed, for the officer to keep outside the database. */
interface SignedCheckpoint {
  at: string;
  chains: { chain: string; position: number; hash: string }[];
  keyId: string;
}

/** Rows per page of the search (GET /api/log, newest first; the next page starts before the last id). */
const PAGE = 100;

/**
 * The dial log: search by campaign, time, result and the masked number's last digits; verify
 * the chains with the checkpoints. Numbers are masked (the API masks them).
 */
export function DialLogDesk() {
  const l = t.compliance.log;
  const [campaign, setCampaign] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [result, setResult] = useState('');
  const [suffix, setSuffix] = useState('');
  const [rows, setRows] = useState<Attempt[] | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const [more, setMore] = useState(false);
  const me = useMe();
  const [made, setMade] = useState<{ checkpoint: SignedCheckpoint; file: string } | null>(null);

  /** One request at a time: the buttons wait for it, and its refusal is shown as a sentence. */
  const busyWhile = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  /** The server filters (campaign, time, outcome, last digits); `before` asks for the next page. */
  const load = (before?: number) =>
    busyWhile(async () => {
      const page = await get<Attempt[]>(
        `/api/log${query({
          campaign,
          from: from ? new Date(from).toISOString() : undefined,
          to: to ? new Date(to).toISOString() : undefined,
          result,
          suffix: suffix.trim(),
          before,
          limit: PAGE,
        })}`,
      );
      setRows((previous) => (before === undefined ? page : [...(previous ?? []), ...page]));
      setMore(page.length === PAGE);
    });
  const search = (event: FormEvent) => {
    event.preventDefault();
    void load();
  };
  const runVerify = () =>
    busyWhile(async () => {
      setVerify(await get<Verify>(`/api/log/verify${query({ campaign })}`));
    });

  /** Signs the chains' heads now and offers the statement as a file to keep (the server keeps no copy). */
  const makeCheckpoint = () =>
    busyWhile(async () => {
      const checkpoint = await post<SignedCheckpoint>('/api/log/checkpoint', {});
      if (made) URL.revokeObjectURL(made.file);
      const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
      setMade({ checkpoint, file: URL.createObjectURL(new Blob([text], { type: 'application/json' })) });
    });

  return (
    <div>
      <form className="filters" onSubmit={search}>
        <CampaignSelect id="log-campaign" value={campaign} onChange={setCampaign} />
        <InputField id="log-from" label={l.from} type="datetime-local" value={from} onValue={setFrom} />
        <InputField id="log-to" label={l.to} type="datetime-local" value={to} onValue={setTo} />
        <InputField id="log-result" label={l.result} value={result} list="log-results" onValue={setResult}>
          <datalist id="log-results">
            {l.results.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
        </InputField>
        <InputField
          id="log-suffix"
          label={l.suffix}
          inputMode="numeric"
          maxLength={4}
          pattern="[0-9]{1,4}"
          value={suffix}
          onValue={setSuffix}
        />
        <button type="submit" disabled={busy}>
          {l.search}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void runVerify()}>
          {l.verify}
        </button>
        {me.permissions.includes('log.checkpoint') && (
          <button type="button" className="secondary" disabled={busy} onClick={() => void makeCheckpoint()}>
            {l.makeCheckpoint}
          </button>
        )}
      </form>
      {made && (
        <div className="panel" data-testid="checkpoint-made" aria-live="polite">
          <p>{l.checkpointMade(made.checkpoint.chains.length, made.checkpoint.at, made.checkpoint.keyId)}</p>
          <a href={made.file} download={`checkpoint-${made.checkpoint.at.replace(/[:.]/g, '-')}.json`}>
            {l.saveCheckpoint}
          </a>
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      {verify && (
        <div className="panel" data-testid="verify" data-ok={verify.ok} aria-live="polite">
          <h2>{verify.ok ? l.verifyOk : l.verifyBroken}</h2>
          <p>
            {l.verifyRows(verify.dialLog.rowsChecked, verify.dialLog.openRows)}{' '}
            {verify.dialLog.head
              ? l.head(verify.dialLog.head.seq, verify.dialLog.head.hash.slice(0, 16))
              : ''}
          </p>
          {verify.staleOpenRows.length > 0 && <p className="error">{l.stale(verify.staleOpenRows.length)}</p>}
          <p data-testid="checkpoints">
            {verify.checkpoints.length === 0
              ? l.noCheckpoint
              : verify.checkpoints
                  .map((c) => l.checkpoint(c.name, c.at, c.signatureValid, c.mismatches.length))
                  .join(' · ')}
          </p>
        </div>
      )}
      {rows && (
        <DataTable testId="log-rows" caption={l.caption(rows.length)} columns={l.columns}>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>{r.queuedAt.replace('T', ' ').slice(0, 19)}</td>
              <td>{r.campaignId}</td>
              <td className="number">{r.phone}</td>
              <td>{r.status}</td>
              <td>{r.result ?? '—'}</td>
              <td>{r.abandoned ? l.yes : ''}</td>
              <td>{r.agentId ?? '—'}</td>
              <td>{r.chainSeq ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {rows && more && (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void load(rows[rows.length - 1]?.id)}
        >
          {l.older}
        </button>
      )}
    </div>
  );
}
