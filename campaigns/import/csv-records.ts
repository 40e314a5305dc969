import { ImportFileError } from './import-file-error.ts';

/**
 * An incremental RFC 4180 reader: text chunks in, records (with the line each starts on) out,
 * synchronously. Quoted cells may hold commas, doubled quotes and line breaks; a quote inside an
 * unquoted cell, text after a closing quote and an unclosed quote are errors naming the line.
 *
 * Why not csv-parse here: measured on this project's bench, csv-parse with the line information
 * an import must report (its `info` option) reads ~130,000 rows/s, and its streams add a promise
 * or an event per row; the import's budget for the whole of Node's work is several times that.
 * Most rows have no quote at all, and for them this reader is one indexOf and one split.
 * Input must have LF line ends (ListDecoder turns CRLF into LF).
 */
export class CsvRecordReader {
  private pending = '';
  /** Line number where `pending` starts. */
  private line = 1;

  /**
   * @param maxRecordChars a record still incomplete at this many characters is refused (a
   *   runaway quote, or a cell over the list limits), rather than held in memory to the file's end.
   */
  constructor(
    private readonly onRecord: (fields: string[], line: number) => void,
    private readonly delimiter = ',',
    private readonly maxRecordChars = Number.POSITIVE_INFINITY,
  ) {}

  push(text: string): void {
    this.consume(this.pending.length > 0 ? this.pending + text : text, false);
  }

  end(): void {
    if (this.pending.length > 0) this.consume(this.pending, true);
  }

  private consume(data: string, final: boolean): void {
    const delimiter = this.delimiter;
    let pos = 0;
    let line = this.line;
    const length = data.length;
    // The next quote at or after pos (length when none): searched again only once passed, so a
    // file without quotes is not rescanned to its end for every line.
    let quote = -1;
    while (pos < length) {
      const nl = data.indexOf('\n', pos);
      if (nl < 0 && !final) break;
      const lineEnd = nl < 0 ? length : nl;
      // The usual row: no quote anywhere on the line.
      if (quote < pos) {
        quote = data.indexOf('"', pos);
        if (quote < 0) quote = length;
      }
      if (quote > lineEnd) {
        if (lineEnd > pos) this.onRecord(data.slice(pos, lineEnd).split(delimiter), line);
        pos = lineEnd + 1;
        line++;
        continue;
      }
      const parsed = this.quotedRecord(data, pos, line, final);
      if (!parsed) break;
      this.onRecord(parsed.fields, line);
      pos = parsed.next;
      line = parsed.nextLine;
    }
    this.pending = pos < length ? data.slice(pos) : '';
    this.line = line;
    if (this.pending.length > this.maxRecordChars) {
      throw new ImportFileError(
        line,
        `a row longer than ${this.maxRecordChars} characters starts here (a quoted cell that is never closed, or a cell over the list limits)`,
      );
    }
  }

  /** A record with at least one quote; undefined when it continues past the data (not final). */
  private quotedRecord(
    data: string,
    start: number,
    line: number,
    final: boolean,
  ): { fields: string[]; next: number; nextLine: number } | undefined {
    const delimiter = this.delimiter;
    const fields: string[] = [];
    let pos = start;
    let current = line;
    for (;;) {
      if (data.charCodeAt(pos) === 34 /* " */) {
        let value = '';
        let from = pos + 1;
        for (;;) {
          const close = data.indexOf('"', from);
          if (close < 0) {
            if (!final) return undefined;
            throw new ImportFileError(
              line,
              'a quoted cell opens here and is never closed (it runs to the end of the file)',
            );
          }
          value += data.slice(from, close);
          if (data.charCodeAt(close + 1) === 34) {
            value += '"';
            from = close + 2;
            continue;
          }
          pos = close + 1;
          break;
        }
        current += countLineFeeds(value);
        fields.push(value);
        if (pos >= data.length) {
          if (!final) return undefined;
          return { fields, next: pos, nextLine: current + 1 };
        }
        const after = data[pos];
        if (after === delimiter) {
          pos++;
          continue;
        }
        if (after === '\n') return { fields, next: pos + 1, nextLine: current + 1 };
        throw new ImportFileError(
          current,
          'characters after a closing quote (a " inside a quoted cell must be doubled "")',
        );
      }
      const nl = data.indexOf('\n', pos);
      const comma = data.indexOf(delimiter, pos);
      const end = nl < 0 ? data.length : nl;
      if (nl < 0 && !final) return undefined;
      const stop = comma >= 0 && comma < end ? comma : end;
      const value = data.slice(pos, stop);
      if (value.includes('"')) {
        throw new ImportFileError(
          current,
          'a " inside an unquoted cell (quote the whole cell and double the inner quote)',
        );
      }
      fields.push(value);
      if (stop === comma && comma < end) {
        pos = comma + 1;
        continue;
      }
      return { fields, next: end + 1, nextLine: current + 1 };
    }
  }
}

function countLineFeeds(text: string): number {
  let count = 0;
  let at = text.indexOf('\n');
  while (at >= 0) {
    count++;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}
