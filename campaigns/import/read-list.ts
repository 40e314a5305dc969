import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { DEFAULT_LIMITS, type InputLimits } from '../../engine/platform/config.ts';
import { type ColumnMapSpec, type ResolvedColumns, resolveColumns } from './column-map.ts';
import { copyText, copyTextArray } from './copy-text.ts';
import { type Delimiter, type DelimiterChoice, delimiterNamed, detectDelimiter } from './csv-delimiter.ts';
import { CsvRecordReader } from './csv-records.ts';
import { ImportFileError } from './import-file-error.ts';
import { type EncodingChoice, ListDecoder, type ListEncoding } from './list-decoder.ts';
import type { PhoneNormalizer } from './phone-normalizer.ts';
import { resolveTimeZone } from './time-zone.ts';

/**
 * Streams a list file into rows for the staging table, as PostgreSQL COPY text: decode, parse
 * CSV, normalize each row (phone → E.164 or a reject reason, time zone, consent, other fields).
 * Memory stays bounded: one chunk of the file and one chunk of COPY text at a time.
 *
 * Nothing here touches the database; the caller feeds the chunks to COPY.
 */

/** The staging table's columns, in the order copyRow writes them. */
export const STAGE_COLUMNS = [
  'line_number',
  'phone_e164',
  'reason',
  'detail',
  'time_zone',
  'time_zone_assumed',
  'time_zone_candidates',
  'phone_raw',
  'consent_ref',
  'account_ref',
  'fields',
  'raw_row',
] as const;

export interface ReadListOptions {
  readonly path: string;
  readonly encoding: EncodingChoice;
  /** The cell separator; `auto` (the default) reads it from the header line. */
  readonly delimiter?: DelimiterChoice | undefined;
  readonly map: ColumnMapSpec;
  readonly normalizer: PhoneNormalizer;
  readonly defaultTimeZone: string;
  /** Characters of COPY text per yielded chunk. */
  readonly chunkChars?: number;
  /** Cell, row and column limits (config `limits`); a list over one is refused naming the line. */
  readonly limits?: ListLimits | undefined;
}

export type ListLimits = Pick<InputLimits, 'listCellChars' | 'listRowChars' | 'listColumns'>;

/** Filled in while the generator runs; complete once it has finished. */
export interface ReadListStats {
  rows: number;
  encoding: ListEncoding | undefined;
  delimiter: Delimiter | undefined;
  headers: readonly string[];
  columns: ResolvedColumns | undefined;
  bytes: number;
}

export function readList(options: ReadListOptions): {
  chunks: AsyncGenerator<string, void, undefined>;
  stats: ReadListStats;
} {
  const stats: ReadListStats = {
    rows: 0,
    encoding: undefined,
    delimiter: undefined,
    headers: [],
    columns: undefined,
    bytes: 0,
  };
  return { chunks: generate(options, stats), stats };
}

async function* generate(options: ReadListOptions, stats: ReadListStats): AsyncGenerator<string> {
  const chunkChars = options.chunkChars ?? 1 << 16;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const decoder = new ListDecoder(options.encoding);
  // pipeline destroys both streams with the first error, so the loop below sees it.
  pipeline(createReadStream(options.path, { highWaterMark: 1 << 16 }), decoder, () => {});
  let columns: ResolvedColumns | undefined;
  let keyPrefixes: readonly string[] = [];
  let buffer = '';
  let headerLine = 1;
  // Rows are normalized as the reader completes them, synchronously, into one COPY text buffer.
  const onRecord = (record: string[], line: number) => {
    if (isBlank(record)) return;
    checkSize(record, line, limits, stats.headers);
    if (!columns) {
      if (record.length > limits.listColumns) {
        throw new ImportFileError(
          line,
          `the header has ${record.length} columns, over the limit of ${limits.listColumns} ` +
            '(limits.listColumns in the config, or DIALER_MAX_LIST_COLUMNS)',
        );
      }
      headerLine = line;
      stats.encoding = decoder.encoding;
      stats.headers = record.map((h) => h.trim());
      columns = resolveColumns(stats.headers, options.map);
      stats.columns = columns;
      keyPrefixes = fieldKeyPrefixes(columns);
      return;
    }
    if (record.length !== columns.fieldKeys.length) {
      throw new ImportFileError(
        line,
        `the row has ${record.length} cells where the header has ${columns.fieldKeys.length}`,
      );
    }
    stats.rows++;
    buffer += copyRow(record, line, columns, keyPrefixes, options);
  };
  // The reader is made once the header line is in: its delimiter may be read from it.
  const choice = options.delimiter ?? 'auto';
  let reader: CsvRecordReader | undefined;
  let head = '';
  const startReader = (final: boolean): CsvRecordReader | undefined => {
    const headerLine = firstContentLine(head, final);
    if (headerLine === undefined) return undefined;
    stats.delimiter = choice === 'auto' ? detectDelimiter(headerLine) : delimiterNamed(choice);
    // A quoted cell still open when this much has piled up cannot end in a row within the limit:
    // each character of a cell is at most two in the file ("" for "), plus quotes and separator.
    const maxRecordChars = 2 * limits.listRowChars + 3 * limits.listColumns + 1;
    const started = new CsvRecordReader(onRecord, stats.delimiter, maxRecordChars);
    started.push(head);
    head = '';
    return started;
  };
  try {
    for await (const text of decoder as AsyncIterable<string>) {
      if (reader) reader.push(text);
      else {
        head += text;
        reader = startReader(false);
      }
      if (buffer.length >= chunkChars) {
        yield buffer;
        buffer = '';
      }
    }
    reader ??= startReader(true);
    reader?.end();
  } finally {
    stats.bytes = decoder.bytes;
    stats.encoding = decoder.encoding;
  }
  if (!columns) throw new ImportFileError(1, 'the file is empty: no header line with a phone column');
  if (stats.rows === 0) {
    throw new ImportFileError(
      headerLine,
      'the file has a header line and no rows: there is nothing to import',
    );
  }
  if (buffer.length > 0) yield buffer;
}

/**
 * The first line of `text` with anything but whitespace on it (the header), once it is complete;
 * undefined while more text may still complete it. Blank lines before the header are skipped,
 * as the reader skips them.
 */
function firstContentLine(text: string, final: boolean): string | undefined {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) {
      const rest = text.slice(start);
      return final ? rest : undefined;
    }
    const line = text.slice(start, end);
    if (line.trim() !== '') return line;
    start = end + 1;
  }
}

/**
 * A record within the list limits. A usual row costs one sum: its cells are looked at one by one
 * only when the row is longer than a cell may be, and a cell over its limit is named before the
 * row's total.
 */
function checkSize(
  record: readonly string[],
  line: number,
  limits: ListLimits,
  headers: readonly string[],
): void {
  let total = 0;
  for (const cell of record) total += cell.length;
  if (total <= limits.listCellChars) return;
  record.forEach((cell, i) => {
    if (cell.length > limits.listCellChars) {
      const column = headers[i] ? `column "${headers[i]}"` : `column ${i + 1}`;
      throw new ImportFileError(
        line,
        `${column} holds ${cell.length} characters, over the limit of ${limits.listCellChars} ` +
          '(limits.listCellChars in the config, or DIALER_MAX_LIST_CELL_CHARS)',
      );
    }
  });
  if (total > limits.listRowChars) {
    throw new ImportFileError(
      line,
      `the row has ${total} characters, over the limit of ${limits.listRowChars} ` +
        '(limits.listRowChars in the config, or DIALER_MAX_LIST_ROW_CHARS)',
    );
  }
}

/** Blank lines and rows of empty cells (spreadsheets export ",,,") are not rows of the list. */
function isBlank(record: readonly string[]): boolean {
  for (const cell of record) if (cell.trim() !== '') return false;
  return true;
}

/** Per column, the JSON text before its value in contacts.fields (`"key":`, comma-led after the first); '' for the phone. */
function fieldKeyPrefixes(columns: ResolvedColumns): string[] {
  let first = true;
  return columns.fieldKeys.map((key, i) => {
    if (i === columns.phone) return '';
    const prefix = `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    return prefix;
  });
}

function copyRow(
  record: string[],
  line: number,
  columns: ResolvedColumns,
  keyPrefixes: readonly string[],
  options: ReadListOptions,
): string {
  const phoneRaw = record[columns.phone] ?? '';
  const result = options.normalizer.normalize(phoneRaw);
  // contacts.fields as JSON text, built directly: every column but the phone, by header name.
  let fields = '{';
  for (let i = 0; i < record.length; i++) {
    if (i === columns.phone) continue;
    fields += keyPrefixes[i] + JSON.stringify(record[i]);
  }
  fields += '}';
  const consent = columns.consent === undefined ? '' : (record[columns.consent] ?? '').trim();
  const accountCell = columns.account === undefined ? '' : (record[columns.account] ?? '').trim();
  const account = accountCell ? copyText(accountCell) : '\\N';
  const raw = JSON.stringify(record);
  if (!result.ok) {
    return `${line}\t\\N\t${result.reason}\t${copyText(result.detail)}\t\\N\t\\N\t\\N\t${copyText(phoneRaw)}\t${consent ? copyText(consent) : '\\N'}\t${account}\t${copyText(fields)}\t${copyText(raw)}\n`;
  }
  const zone = resolveTimeZone(
    result.e164,
    columns.tz === undefined ? undefined : record[columns.tz],
    options.defaultTimeZone,
  );
  return `${line}\t${result.e164}\t\\N\t\\N\t${copyText(zone.timeZone)}\t${zone.assumed ? 't' : 'f'}\t${copyTextArray(zone.candidates)}\t${copyText(phoneRaw)}\t${consent ? copyText(consent) : '\\N'}\t${account}\t${copyText(fields)}\t${copyText(raw)}\n`;
}
