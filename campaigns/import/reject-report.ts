import { once } from 'node:events';
import { createPrivateWriteStream } from '../../engine/platform/private-files.ts';
import { neutralizeCell } from './formula-cells.ts';

/**
 * The reject report written beside the archived list: one row per rejected row, with its line
 * number, reason and detail, then the row's own cells under the list's own headers. Every cell
 * is neutralized (a leading apostrophe before = + - @) so opening it in a spreadsheet runs
 * nothing. A UTF-8 BOM makes Excel read Chinese headers correctly.
 */

export interface RejectedRow {
  line_number: number;
  reason: string;
  detail: string | null;
  /** The row's cells as a JSON array (rejected_rows.raw_row). */
  raw_row: string;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV line (RFC 4180, CRLF as Excel writes it), every cell neutralized first. */
export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = neutralizeCell(cells[i]!);
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
  }
  return `${line}\r\n`;
}

export function rejectReportHeader(headers: readonly string[]): string {
  return `\ufeff${csvLine(['line', 'reason', 'detail', ...headers])}`;
}

export function rejectReportLines(rows: readonly RejectedRow[]): string {
  let text = '';
  for (const row of rows) {
    text += csvLine([String(row.line_number), row.reason, row.detail ?? '', ...parseCells(row.raw_row)]);
  }
  return text;
}

function parseCells(raw: string): string[] {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed.map((c) => String(c));
  } catch {
    // Not ours: keep it whole, still as one neutralized cell.
  }
  return [raw];
}

/** Streams pages of rejected rows into the report file. */
export async function writeRejectReport(
  path: string,
  headers: readonly string[],
  pages: AsyncIterable<readonly RejectedRow[]>,
): Promise<void> {
  // Duplicate rows quote full numbers: owner-only, like the archived list beside it.
  const out = createPrivateWriteStream(path, 'wx');
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  // Observed by the races below; this keeps an error nobody is waiting on from going unhandled.
  failed.catch(() => {});
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    await write(rejectReportHeader(headers));
    for await (const page of pages) await write(rejectReportLines(page));
  } finally {
    out.end();
  }
  await Promise.race([once(out, 'finish'), failed]);
}
