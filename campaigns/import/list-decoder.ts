import { isAscii, isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { ImportFileError } from './import-file-error.ts';

/**
 * Bytes of a list file → text, streaming, refusing what does not decode.
 *
 * Chunks are cut at line ends (byte 0x0A, which is never inside a multi-byte character in UTF-8
 * or GB18030), so each piece decodes on its own, and an undecodable byte is found by its line
 * number. CRLF becomes LF so the CSV parser counts lines the same for every file.
 *
 * The encoding: a BOM decides; else `auto` reads the first MiB: valid UTF-8 means UTF-8,
 * anything else GB18030 (a superset of GBK, the default of Chinese Excel). A file that starts
 * as ASCII and turns out to be GBK later is refused at the first bad line, naming --encoding.
 * The other way round — a file found to be GBK with a row saved as UTF-8 — every byte decodes
 * as GB18030, into nonsense (李四 → 鏉庡洓): a line of a found-GBK file that is valid UTF-8 and
 * reads as Chinese text in UTF-8 is refused, naming the line (see readsAsUtf8Chinese).
 * UTF-16 (Excel's "Unicode text", tab separated) is known by its BOM, which Excel always
 * writes; its line ends are the LF code unit at an even offset rather than the byte 0x0A.
 */

export const ENCODING_CHOICES = ['auto', 'utf8', 'gbk', 'gb18030'] as const;
export type EncodingChoice = (typeof ENCODING_CHOICES)[number];
export type ListEncoding = 'utf-8' | 'utf-8-bom' | 'gbk' | 'gb18030' | 'utf-16le' | 'utf-16be';

const SAMPLE_BYTES = 1 << 20;
/** A "line" longer than this is not a list row; it is the wrong file or a runaway quote. */
const MAX_LINE_BYTES = 64 << 20;
const LF = 0x0a;

export class ListDecoder extends Transform {
  private decoder: TextDecoder | undefined;
  private utf8 = false;
  /** For UTF-16: the byte offset of 0x0A inside an LF code unit (0 little-endian, 1 big-endian). */
  private lfByte: 0 | 1 | undefined;
  private resolved: ListEncoding | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Lines fully emitted so far (the next emitted line is linesDone + 1). */
  private linesDone = 0;
  private first = true;
  private bytesIn = 0;
  /** GB18030 was guessed from the file's start (no BOM, no --encoding): look for UTF-8 lines. */
  private guessedGbk = false;
  private readonly utf8Reader = new TextDecoder('utf-8');

  constructor(private readonly choice: EncodingChoice) {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
    if (choice !== 'auto') this.resolve(choice === 'utf8' ? 'utf-8' : choice);
  }

  /** The encoding used; known after the first MiB (or the whole file, if smaller). */
  get encoding(): ListEncoding | undefined {
    return this.resolved;
  }

  get bytes(): number {
    return this.bytesIn;
  }

  private resolve(encoding: ListEncoding): void {
    this.resolved = encoding;
    this.utf8 = encoding === 'utf-8' || encoding === 'utf-8-bom';
    this.lfByte = encoding === 'utf-16le' ? 0 : encoding === 'utf-16be' ? 1 : undefined;
    this.decoder = new TextDecoder(this.decoderLabel(encoding), { fatal: true, ignoreBOM: true });
  }

  private guess(utf8: boolean): void {
    this.resolve(utf8 ? 'utf-8' : 'gb18030');
    this.guessedGbk = !utf8;
  }

  private decoderLabel(encoding: ListEncoding): string {
    if (encoding === 'utf-16le' || encoding === 'utf-16be') return encoding;
    return this.utf8 ? 'utf-8' : 'gb18030';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.bytesIn += chunk.length;
      let data = chunk;
      if (this.first) {
        this.first = false;
        data = this.stripBom(data);
      }
      this.pending.push(data);
      this.pendingBytes += data.length;
      if (!this.resolved) {
        if (this.pendingBytes < SAMPLE_BYTES) {
          callback();
          return;
        }
        const sample = Buffer.concat(this.pending);
        this.pending = [sample];
        const lastLf = sample.lastIndexOf(LF);
        this.guess(isUtf8(lastLf >= 0 ? sample.subarray(0, lastLf) : sample));
      }
      this.flushWholeLines(false);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.first) this.first = false;
      if (!this.resolved) {
        const sample = Buffer.concat(this.pending);
        this.pending = [sample];
        this.guess(isUtf8(sample));
      }
      this.flushWholeLines(true);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private stripBom(data: Buffer): Buffer {
    if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
      if (this.choice === 'gbk' || this.choice === 'gb18030') {
        throw new ImportFileError(
          1,
          `the file starts with a UTF-8 byte order mark but --encoding ${this.choice} was given`,
        );
      }
      this.resolve('utf-8-bom');
      return data.subarray(3);
    }
    if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
      if (this.choice !== 'auto') {
        throw new ImportFileError(
          1,
          `the file starts with a UTF-16 byte order mark but --encoding ${this.choice} was given`,
        );
      }
      this.resolve(data[0] === 0xff ? 'utf-16le' : 'utf-16be');
      return data.subarray(2);
    }
    if (data[0] === 0x84 && data[1] === 0x31 && data[2] === 0x95 && data[3] === 0x33) {
      this.resolve('gb18030');
      return data.subarray(4);
    }
    return data;
  }

  private flushWholeLines(final: boolean): void {
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const cut = final ? data.length : this.lastLineEnd(data);
    if (cut === 0) {
      this.pending = [data];
      this.pendingBytes = data.length;
      if (data.length > MAX_LINE_BYTES) {
        throw new ImportFileError(this.linesDone + 1, `a line longer than ${MAX_LINE_BYTES >> 20} MiB`);
      }
      return;
    }
    const piece = data.subarray(0, cut);
    const rest = data.subarray(cut);
    this.pending = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
    let text: string;
    try {
      text = this.decoder!.decode(piece);
    } catch {
      throw this.undecodable(piece);
    }
    if (this.guessedGbk) this.refuseUtf8Lines(piece);
    this.linesDone += this.countLineEnds(piece);
    if (text.length > 0) this.push(text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text);
  }

  /** Offset just past the last complete line of `data` (0 when it holds no line end). */
  private lastLineEnd(data: Buffer): number {
    for (let at = data.lastIndexOf(LF); at >= 0; at = at > 0 ? data.lastIndexOf(LF, at - 1) : -1) {
      const end = this.lineEndAt(data, at);
      if (end >= 0) return end + (this.lfByte === undefined ? 1 : 2);
    }
    return 0;
  }

  /** Line ends in `data`, counted on every chunk: no list is built for it. */
  private countLineEnds(data: Buffer): number {
    let count = 0;
    for (let at = data.indexOf(LF); at >= 0; at = data.indexOf(LF, at + 1)) {
      if (this.lineEndAt(data, at) >= 0) count++;
    }
    return count;
  }

  /** Offsets of the line ends in `data` (for naming the line of an undecodable byte). */
  private lineEnds(data: Buffer): number[] {
    const ends: number[] = [];
    for (let at = data.indexOf(LF); at >= 0; at = data.indexOf(LF, at + 1)) {
      const end = this.lineEndAt(data, at);
      if (end >= 0) ends.push(end);
    }
    return ends;
  }

  /**
   * The line end that the 0x0A byte at `at` belongs to, or -1 when it is none: every LF byte in
   * UTF-8 and GB18030; in UTF-16 only the LF code unit at an even offset (0x0A also occurs inside
   * other characters, e.g. 上 is 0x4E0A).
   */
  private lineEndAt(data: Buffer, at: number): number {
    const lf = this.lfByte;
    if (lf === undefined) return at;
    const unit = at - lf;
    return unit >= 0 && unit % 2 === 0 && data[unit + 1 - lf] === 0 ? unit : -1;
  }

  /**
   * In a file guessed to be GBK, the first line that is UTF-8 Chinese text: it decodes as GB18030
   * too, but into other characters, so it would be imported garbled without a word. A GBK line is
   * rarely valid UTF-8 at all, and then reads as Latin, Greek or Cyrillic letters mixed with
   * symbols, not as Chinese (measured on random GB2312 names: about 1 in 10,000 three-character
   * runs of rare characters, none of common ones); --encoding gbk takes the line as GBK anyway.
   */
  private refuseUtf8Lines(piece: Buffer): void {
    if (isAscii(piece)) return;
    let start = 0;
    let line = this.linesDone + 1;
    while (start < piece.length) {
      const lf = piece.indexOf(LF, start);
      const end = lf < 0 ? piece.length : lf;
      const bytes = piece.subarray(start, end);
      if (!isAscii(bytes) && isUtf8(bytes) && readsAsUtf8Chinese(this.utf8Reader.decode(bytes))) {
        throw mixedEncodings(line);
      }
      start = end + 1;
      line++;
    }
  }

  private undecodable(piece: Buffer): ImportFileError {
    let start = 0;
    let line = this.linesDone + 1;
    const probe = this.utf8 ? undefined : new TextDecoder(this.decoderLabel(this.resolved!), { fatal: true });
    const ends = this.lineEnds(piece);
    const width = this.lfByte === undefined ? 1 : 2;
    for (let i = 0; start < piece.length; i++) {
      const end = ends[i] ?? -1;
      const lineBytes = piece.subarray(start, end < 0 ? piece.length : end);
      let ok = true;
      if (probe) {
        try {
          probe.decode(lineBytes);
        } catch {
          ok = false;
        }
      } else {
        ok = isUtf8(lineBytes);
      }
      if (!ok) {
        // A guessed-GBK file whose bad line is UTF-8: say so, rather than "not valid gb18030".
        if (this.guessedGbk && isUtf8(lineBytes)) return mixedEncodings(line);
        break;
      }
      if (end < 0) break;
      start = end + width;
      line++;
    }
    const hint =
      this.choice === 'auto'
        ? this.utf8
          ? '; the start of the file looked like UTF-8: if it is GBK, give --encoding gbk'
          : ''
        : `; check --encoding (${this.choice} was given)`;
    return new ImportFileError(line, `bytes that are not valid ${this.resolved ?? 'text'}${hint}`);
  }
}

function mixedEncodings(line: number): ImportFileError {
  return new ImportFileError(
    line,
    'this line is UTF-8 text but the file is GBK (found from its start): the file mixes two encodings, ' +
      'and the line would import garbled; save the list again in one encoding, or give --encoding gbk if the line really is GBK',
  );
}

/**
 * Whether text (a line decoded as UTF-8) is Chinese writing: at least one CJK ideograph, and
 * nothing outside ASCII but ideographs, CJK and full-width punctuation and common quotes/dashes.
 */
export function readsAsUtf8Chinese(text: string): boolean {
  let ideograph = false;
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (c < 0x80) continue;
    if ((c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) {
      ideograph = true;
      continue;
    }
    if (
      (c >= 0x3000 && c <= 0x303f) ||
      (c >= 0xff00 && c <= 0xffef) ||
      (c >= 0x2010 && c <= 0x2027) ||
      c === 0xb7
    ) {
      continue;
    }
    return false;
  }
  return ideograph;
}
