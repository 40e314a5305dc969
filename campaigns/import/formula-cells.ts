/**
 * A cell that starts with one of these is a formula to a spreadsheet (CSV injection, OWASP).
 * Tab and carriage return are included because some spreadsheets strip them and then evaluate.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as text a spreadsheet shows literally: a leading apostrophe when it would be a formula. */
export function neutralizeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
