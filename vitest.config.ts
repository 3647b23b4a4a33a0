import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'policies/**/*.test.ts'],
    testTimeout: 180_000, // a hang guard, not a speed assertion: slow shared CI machines run the PGlite and property tests for a minute
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
