/**
 * Which character separates the cells of a list. Spreadsheets write commas, but a European
 * Excel writes semicolons (the comma is its decimal mark) and "Text (Tab delimited)" tabs; the
 * header line tells which, since header names hold none of them in practice.
 */

export const DELIMITER_CHOICES = ['auto', 'comma', 'semicolon', 'tab'] as const;
export type DelimiterChoice = (typeof DELIMITER_CHOICES)[number];
export type Delimiter = ',' | ';' | '\t';

const BY_NAME: Record<Exclude<DelimiterChoice, 'auto'>, Delimiter> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
};
const CANDIDATES: readonly Delimiter[] = [',', ';', '\t'];

export function delimiterNamed(choice: Exclude<DelimiterChoice, 'auto'>): Delimiter {
  return BY_NAME[choice];
}

/**
 * The delimiter of a header line: the candidate occurring most often outside quotes; a comma
 * when none occurs (a one-column list) or on a tie, since CSV means commas unless shown otherwise.
 */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<Delimiter, number>(CANDIDATES.map((d) => [d, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char as Delimiter)) {
      counts.set(char as Delimiter, (counts.get(char as Delimiter) ?? 0) + 1);
    }
  }
  let best: Delimiter = ',';
  for (const candidate of CANDIDATES) {
    if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  }
  return best;
}
