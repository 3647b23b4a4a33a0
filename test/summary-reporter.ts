import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

/**
 * Ends the run with one plain `N passed, N failed` line, which CI systems read. It always agrees
 * with vitest's exit code: besides failed tests it counts failed suites and files whose tests did
 * not fail (a throwing `beforeAll`, an import error) and unhandled errors, and a run vitest calls
 * failed for any other reason counts at least one failure.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      for (const suite of module.children.allSuites()) {
        const failedTests = [...suite.children.allTests()].some((t) => t.result().state === 'failed');
        const outerFailed = suite.parent.type === 'suite' && suite.parent.state() === 'failed';
        if (suite.state() === 'failed' && !failedTests && !outerFailed) failedHere++;
      }
      if (module.state() === 'failed' && failedHere === 0) failedHere++;
      failed += failedHere;
    }
    failed += unhandledErrors.length;
    if (reason !== 'passed' && failed === 0) failed = 1;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  }
}
