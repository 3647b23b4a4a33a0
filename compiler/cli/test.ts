/** `policyc test <dir>`: run the decision tables (`*_test.yaml`) against the compiled checker. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Principal, Resource } from '@policyc/runtime';
import { DiagnosticBag, sortDiagnostics } from '../diagnostics/diagnostic.ts';
import { compileDir } from '../index.ts';
import { cellCoverage, testJson, testJunit, testText } from '../testing/report.ts';
import { checkTestProfiles } from '../testing/profiles.ts';
import { failuresAsDiagnostics, loadTests, runTests } from '../testing/tests.ts';
import { limitsOf } from './limits.ts';
import { EXIT, type Io } from './io.ts';
import { report } from './report.ts';
import { loadBundle } from './request.ts';

export interface TestOptions {
  readonly filter?: string;
  readonly minCoverage?: number;
  readonly format: string;
  /** Also write a JUnit report to this file (CI shows the text output and reads the file). */
  readonly junit?: string;
  readonly limit?: readonly string[];
}

export async function testCommand(dir: string, opts: TestOptions, io: Io): Promise<number> {
  const root = resolve(io.cwd, dir);
  const result = await compileDir(root, limitsOf(opts.limit));
  const bag = new DiagnosticBag();
  const { set, tests } = loadTests(root, bag);
  if (result.model !== undefined) checkTestProfiles(result.model, tests, bag);
  const diagnostics = sortDiagnostics([...result.diagnostics, ...bag.items]);
  const sources = new Map([...result.sources, ...set.sources]);
  if (!result.output || !result.model || bag.hasErrors) {
    report({ diagnostics, sources }, dir, ['junit', 'json'].includes(opts.format) ? 'text' : opts.format, io);
    return EXIT.policyErrors;
  }
  if (diagnostics.length > 0 && !['github', 'sarif'].includes(opts.format)) report({ diagnostics, sources }, dir, ['junit', 'json'].includes(opts.format) ? 'text' : opts.format, io);
  if (tests.length === 0) {
    io.err(`policyc: no decision tables (\`*_test.yaml\`) in ${dir}: nothing was tested\n`);
    return EXIT.policyErrors;
  }
  const checker = await loadBundle(result.output.bundle);
  const run = runTests(
    result.model,
    tests,
    (p, a, r, c) => checker.can(p as Principal, a, r as Resource, c),
    opts.filter,
    (p, r) => checker.fields(p as Principal, r as Resource),
  );
  if (opts.format === 'github' || opts.format === 'sarif') {
    const failures = new DiagnosticBag();
    failuresAsDiagnostics(run, failures);
    report({ diagnostics: sortDiagnostics([...diagnostics, ...failures.items]), sources }, dir, opts.format, io);
  } else {
    io.out((opts.format === 'junit' ? testJunit(run, result.model.name) : opts.format === 'json' ? testJson(run) : testText(run)) + '\n');
  }
  if (run.results.length === 0) {
    io.err(`policyc: no test matches --filter \`${opts.filter ?? ''}\`: nothing was tested\n`);
    return EXIT.policyErrors;
  }
  if (opts.junit !== undefined) writeFileSync(resolve(io.cwd, opts.junit), testJunit(run, result.model.name) + '\n');
  const belowCoverage = opts.minCoverage !== undefined && cellCoverage(run) < opts.minCoverage;
  if (belowCoverage) io.err(`policyc: matrix coverage ${cellCoverage(run).toFixed(1)}% is below --min-coverage ${opts.minCoverage}%\n`);
  return run.results.some((r) => !r.passed) || belowCoverage ? EXIT.policyErrors : EXIT.ok;
}
