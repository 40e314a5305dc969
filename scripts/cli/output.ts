/**
 * What commands print. With --json a command prints exactly one JSON document on stdout;
 * otherwise a human-readable table or lines. Logs never go to stdout.
 */

export interface Output {
  readonly json: boolean;
  /** Prints `data` as JSON, or calls `human` to print it for people. */
  result(data: unknown, human: () => void): void;
  line(text?: string): void;
  table(rows: readonly Record<string, unknown>[], columns?: readonly string[]): void;
}

export function createOutput(
  json: boolean,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Output {
  const output: Output = {
    json,
    result(data, human) {
      if (json) write(`${JSON.stringify(data, jsonReplacer)}\n`);
      else human();
    },
    line(text = '') {
      write(`${text}\n`);
    },
    table(rows, columns) {
      write(formatTable(rows, columns));
    },
  };
  return output;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Left-aligned columns separated by two spaces; the header is the column names. */
export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => cols.map((c) => cell(row[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const render = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[render(cols), ...cells.map(render)].join('\n')}\n`;
}
