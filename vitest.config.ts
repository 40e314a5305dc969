import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'engine/**/*.test.ts',
      'campaigns/**/*.test.ts',
      'db/**/*.test.ts',
      // The console's component tests (JSX, the DOM): type-checked with web/tsconfig.json.
      'web/test/**/*.test.tsx',
    ],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite instances are large (a WASM Postgres each); two workers match the two cores.
    maxWorkers: 2,
  },
});
