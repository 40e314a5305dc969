import type { ReactNode } from 'react';

/**
 * The console's table of records: an optional caption, one header row of column names, and the
 * rows the screen draws. One markup for every screen, so a table reads (and is found by a screen
 * reader or a test) the same way everywhere.
 */
export function DataTable({
  caption,
  columns,
  testId,
  children,
}: {
  caption?: ReactNode;
  /** The column names, in order; each is also its header cell's key, so they must differ. */
  columns: readonly string[];
  testId?: string;
  /** The body's rows (`<tr>`). */
  children: ReactNode;
}) {
  return (
    <table data-testid={testId}>
      {caption !== undefined && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
