import { ValidationError } from '../../engine/platform/errors.ts';

/** The list itself is unusable (malformed CSV, undecodable bytes, no phone column): nothing is imported. */
export class ImportFileError extends ValidationError {
  /** 1-based line of the file where the problem is (1 is the header). */
  readonly line: number;
  readonly problem: string;

  constructor(line: number, problem: string, file?: string) {
    super(`${file ? `${file}, ` : ''}line ${line}: ${problem}`);
    this.line = line;
    this.problem = problem;
  }

  /** The same error naming the file, for the message a manager reads. */
  inFile(file: string): ImportFileError {
    return new ImportFileError(this.line, this.problem, file);
  }
}
