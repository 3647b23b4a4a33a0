import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const runtime = (file: string): string => fileURLToPath(new URL(`./packages/runtime/src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // tests and the compiler's sources read the runtime's sources, as the generated checkers' bundles do
    alias: [
      { find: /^@policyc\/runtime$/, replacement: runtime('index.ts') },
      { find: /^@policyc\/runtime\/cel$/, replacement: runtime('cel.ts') },
      { find: /^@policyc\/runtime\/sql$/, replacement: runtime('sql.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'policies/**/*.test.ts'],
    // vitest's default is one worker fewer than the cores: one worker on a 2-core CI machine; most
    // files wait on child processes, servers or PGlite as much as on the CPU, so use every core
    maxWorkers: Math.max(2, availableParallelism()),
    // a worker runs its files one after another in one process with the modules already loaded:
    // each file no longer pays for a fresh process and for loading the compiler, ts-morph and
    // vitest again (half the CPU of the small files). The files are independent of that: none
    // keeps state in the process — prototypes are polluted only inside `polluted()`
    // (test/helpers/pollution.ts), the one environment variable set is removed in `afterAll`
    // (test/serve/postgres.test.ts), spies are restored, servers and databases closed — and
    // module-level caches (compiled example folders, the PGlite cluster) only save work
    isolate: false,
    testTimeout: 180_000, // a hang guard, not a speed assertion: slow shared CI machines run the PGlite and property tests for a minute
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    // checkers the tests compile are self-contained bundles (test/helpers/policy.ts writes them
    // there): Node imports them as an application would; through vite's transform each import cost
    // ten times the CPU, in the main process that every worker waits on
    server: { deps: { external: [/\/policyc-test-checkers\//] } },
  },
});
