import { defineConfig } from 'vitest/config';

/**
 * `npm run test:asterisk`: tests against a REAL Asterisk 22 given by ASTERISK_ARI_URL (see
 * test/asterisk/README.md). Not part of `npm test` (CI has no Asterisk and stays on the ARI
 * simulator); without ASTERISK_ARI_URL the run stops at once with a message saying so.
 */
export default defineConfig({
  test: {
    include: ['test/asterisk/**/*.asterisk.ts'],
    // The migrated database templates too: the engine tests here run on PGlite (PostgreSQL with
    // TEST_DATABASE_URL), as the rest of the suite does.
    globalSetup: ['test/asterisk/require-asterisk.ts', 'test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
