import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
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
}

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
  const decoder = new ListDecoder(options.encoding);
  // pipeline destroys both streams with the first error, so the loop below sees it.
  pipeline(createReadStream(options.path, { highWaterMark: 1 << 16 }), decoder, () => {});
  let columns: ResolvedColumns | undefined;
  let keyPrefixes: readonly string[] = [];
  let buffer = '';
  // Rows are normalized as the reader completes them, synchronously, into one COPY text buffer.
  const onRecord = (record: string[], line: number) => {
    if (isBlank(record)) return;
    if (!columns) {
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
    const started = new CsvRecordReader(onRecord, stats.delimiter);
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
  const raw = JSON.stringify(record);
  if (!result.ok) {
    return `${line}\t\\N\t${result.reason}\t${copyText(result.detail)}\t\\N\t\\N\t\\N\t${copyText(phoneRaw)}\t${consent ? copyText(consent) : '\\N'}\t${copyText(fields)}\t${copyText(raw)}\n`;
  }
  const zone = resolveTimeZone(
    result.e164,
    columns.tz === undefined ? undefined : record[columns.tz],
    options.defaultTimeZone,
  );
  return `${line}\t${result.e164}\t\\N\t\\N\t${copyText(zone.timeZone)}\t${zone.assumed ? 't' : 'f'}\t${copyTextArray(zone.candidates)}\t${copyText(phoneRaw)}\t${consent ? copyText(consent) : '\\N'}\t${copyText(fields)}\t${copyText(raw)}\n`;
}
