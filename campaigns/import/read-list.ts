import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { type ColumnMapSpec, type ResolvedColumns, resolveColumns } from './column-map.ts';
import { copyText, copyTextArray } from './copy-text.ts';
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
  headers: readonly string[];
  columns: ResolvedColumns | undefined;
  bytes: number;
}

const parserOptions = {
  info: true,
  bom: false,
  skip_empty_lines: true,
  // Spreadsheets export trailing rows of empty cells (",,,"): they are not rows of the list.
  skip_records_with_empty_values: true,
} as const;

export function readList(options: ReadListOptions): {
  chunks: AsyncGenerator<string, void, undefined>;
  stats: ReadListStats;
} {
  const stats: ReadListStats = { rows: 0, encoding: undefined, headers: [], columns: undefined, bytes: 0 };
  return { chunks: generate(options, stats), stats };
}

async function* generate(options: ReadListOptions, stats: ReadListStats): AsyncGenerator<string> {
  const chunkChars = options.chunkChars ?? 1 << 20;
  const decoder = new ListDecoder(options.encoding);
  // Updated synchronously as the parser completes each record, so that when it fails at the
  // end of the file (an unclosed quote) the last complete row is known even though the rows
  // it had buffered are never delivered.
  let lastLine = 0;
  const parser = parse({
    ...parserOptions,
    on_record: (record, context) => {
      lastLine = context.lines;
      return record;
    },
  });
  // pipeline destroys every stream with the first error, so the loop below sees it.
  pipeline(createReadStream(options.path), decoder, parser, () => {});
  let columns: ResolvedColumns | undefined;
  let buffer = '';
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      const line = info.lines - embeddedLineFeeds(record);
      if (!columns) {
        stats.encoding = decoder.encoding;
        stats.headers = record.map((h) => h.trim());
        columns = resolveColumns(stats.headers, options.map);
        stats.columns = columns;
        continue;
      }
      stats.rows++;
      buffer += copyRow(record, line, columns, options);
      if (buffer.length >= chunkChars) {
        yield buffer;
        buffer = '';
      }
    }
  } catch (error) {
    throw asFileError(error, lastLine);
  } finally {
    stats.bytes = decoder.bytes;
    stats.encoding = decoder.encoding;
  }
  if (!columns) throw new ImportFileError(1, 'the file is empty: no header line with a phone column');
  if (buffer.length > 0) yield buffer;
}

function embeddedLineFeeds(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    let at = field.indexOf('\n');
    while (at >= 0) {
      count++;
      at = field.indexOf('\n', at + 1);
    }
  }
  return count;
}

function copyRow(record: string[], line: number, columns: ResolvedColumns, options: ReadListOptions): string {
  const phoneRaw = record[columns.phone] ?? '';
  const result = options.normalizer.normalize(phoneRaw);
  const fields: Record<string, string> = {};
  const keys = columns.fieldKeys;
  for (let i = 0; i < record.length; i++) {
    if (i !== columns.phone) fields[keys[i]!] = record[i]!;
  }
  const consent = columns.consent === undefined ? '' : (record[columns.consent] ?? '').trim();
  const raw = JSON.stringify(record);
  if (!result.ok) {
    return `${line}\t\\N\t${result.reason}\t${copyText(result.detail)}\t\\N\t\\N\t\\N\t${copyText(phoneRaw)}\t${consent ? copyText(consent) : '\\N'}\t${copyText(JSON.stringify(fields))}\t${copyText(raw)}\n`;
  }
  const zone = resolveTimeZone(
    result.e164,
    columns.tz === undefined ? undefined : record[columns.tz],
    options.defaultTimeZone,
  );
  return `${line}\t${result.e164}\t\\N\t\\N\t${copyText(zone.timeZone)}\t${zone.assumed ? 't' : 'f'}\t${copyTextArray(zone.candidates)}\t${copyText(phoneRaw)}\t${consent ? copyText(consent) : '\\N'}\t${copyText(JSON.stringify(fields))}\t${copyText(raw)}\n`;
}

/** CSV syntax errors name the line; everything else passes through unchanged. */
function asFileError(error: unknown, lastLine: number): unknown {
  if (error instanceof ImportFileError) return error;
  if (error instanceof CsvError) {
    // An unclosed quote is only noticed at the end of the file; it opened on the line after the
    // last complete row.
    const line =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? lastLine + 1
        : ((error as CsvError & { lines?: number }).lines ?? lastLine + 1);
    return new ImportFileError(line, describeCsvError(error));
  }
  return error;
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell opens here and is never closed (it runs to the end of the file)';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const counts = /expect (\d+), got (\d+)/.exec(error.message);
      return counts
        ? `the row has ${counts[2]} cells where the header has ${counts[1]}`
        : 'the row does not have as many cells as the header';
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'characters after a closing quote (a " in the middle of a quoted cell must be doubled "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a " inside an unquoted cell (quote the whole cell and double the inner quote)';
    default:
      return error.message;
  }
}
