import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TRACES } from './trace-support.ts';

/**
 * Every recording in ../shared/ari-traces is replayed by a conformance test here (issue #11:
 * "the conformance test covers every trace file there"): a trace added later fails this test
 * until a test names it.
 */
it('every recorded Asterisk trace is named by a conformance test', () => {
  const traces = readdirSync(TRACES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));
  const sources = readdirSync(import.meta.dirname)
    .filter((f) => f.startsWith('trace-conformance') && f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(import.meta.dirname, f), 'utf8'))
    .join('\n');
  expect(traces.length).toBeGreaterThan(0);
  expect(traces.filter((name) => !sources.includes(`'${name}'`))).toEqual([]);
});
