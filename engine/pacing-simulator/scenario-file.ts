import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../platform/errors.ts';
import { parseOrThrow } from '../platform/zod-error.ts';
import { type Scenario, scenarioSchema } from './scenario.ts';

export const SCENARIOS_DIR = join(import.meta.dirname, '../../campaigns/scenarios');

/** Reads and validates a scenario file; a mistake names the file and the field. */
export function readScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read scenario file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'not_found',
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`scenario file ${file} is not valid JSON: ${(error as Error).message}`, 'invalid', {
      cause: error,
    });
  }
  return parseOrThrow(scenarioSchema, json, `scenario file ${file}`);
}

/** The shipped scenarios (campaigns/scenarios/*.json), sorted by file name. */
export function shippedScenarioFiles(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(SCENARIOS_DIR, f));
}
