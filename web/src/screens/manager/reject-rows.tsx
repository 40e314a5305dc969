import { useState } from 'react';
import { DataTable } from '../../components/data-table.tsx';
import { useLoad } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';

/** A rejected row of an imported batch (GET /api/lists/batches/:id/rejects; numbers masked by the API). */
export interface Reject {
  line: number;
  reason: string;
  phone: string | null;
  detail: string | null;
}

/** Rejected rows on one page: the table stays readable and each request small, whatever the list's size. */
export const REJECTS_PAGE = 1000;

/**
 * A batch's rejected rows, a page at a time in line order. `load(after)` asks the API for the page
 * after line `after` (its keyset: the next page starts after the last line shown); the page
 * keeps where each page it showed started, so "previous" goes back without an offset. `total` is
 * the batch's count of rejects (the accounting's), for the caption and to know the last page.
 */
export function RejectRows({ total, load }: { total: number; load: (after: number) => Promise<Reject[]> }) {
  const u = t.upload;
  /** After which line each page shown so far started; the last is the page on screen. */
  const [starts, setStarts] = useState<number[]>([0]);
  const after = starts[starts.length - 1] ?? 0;
  const { data, error } = useLoad(async () => ({ after, rows: await load(after) }), [after]);
  if (error) return <p role="alert">{error}</p>;
  // Until the page asked for arrives, the previous one is not shown under the new page's numbers.
  if (!data || data.after !== after) return <p className="loading">{t.app.loading}</p>;
  const { rows } = data;
  const first = (starts.length - 1) * REJECTS_PAGE + 1;
  const last = first + rows.length - 1;
  const more = rows.length === REJECTS_PAGE && last < total;
  const lastLine = rows[rows.length - 1]?.line;
  return (
    <>
      <DataTable testId="reject-rows" caption={u.rejectRows(first, last, total)} columns={u.rejectColumns}>
        {rows.map((r) => (
          <tr key={r.line}>
            <td>{r.line}</td>
            <td>{r.reason}</td>
            <td className="number">{r.phone ?? '—'}</td>
            <td>{r.detail ?? ''}</td>
          </tr>
        ))}
      </DataTable>
      {(starts.length > 1 || more) && (
        <nav className="row" aria-label={u.rejectsPages}>
          <button
            type="button"
            className="secondary"
            disabled={starts.length === 1}
            onClick={() => setStarts(starts.slice(0, -1))}
          >
            {u.previousRejects}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!more || lastLine === undefined}
            onClick={() => lastLine !== undefined && setStarts([...starts, lastLine])}
          >
            {u.nextRejects}
          </button>
        </nav>
      )}
    </>
  );
}
