/**
 * A decision table's principal carrying a profile the policy does not declare (issue 16). Such a
 * principal is always denied (`unknown-profile`), so a typo in `profile:` would make every `deny`
 * expectation pass for the wrong reason. It is an error with did-you-mean, unless every
 * expectation of the test is `unknown-profile`: then the table tests that denial on purpose.
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { PolicyModel } from '../ir/model.ts';
import { spanAt } from '../load/load.ts';
import type { TestSpec } from './tests.ts';

export function checkTestProfiles(model: PolicyModel, tests: readonly TestSpec[], bag: DiagnosticBag): void {
  for (const test of tests) {
    const principal = test.principal;
    if (typeof principal !== 'object' || principal === null || !Object.hasOwn(principal, 'profile')) continue;
    const profile = (principal as { profile?: unknown }).profile;
    if (typeof profile !== 'string' || model.profiles.includes(profile)) continue;
    if (test.expect.size > 0 && [...test.expect.values()].every((e) => e === 'unknown-profile')) continue;
    // on the profile of an inline principal, else on the name of the fixture the test uses
    const written = ((test.file.value as { tests?: { principal?: unknown }[] } | null)?.tests ?? [])[test.index]?.principal;
    const path = typeof written === 'object' && written !== null ? ['tests', test.index, 'principal', 'profile'] : ['tests', test.index, 'principal'];
    bag.report('UnknownProfile', spanAt(test.file, path, 'value'), `test ${tick(test.name)}: the principal carries the unknown profile ${tick(profile)}, so every check is denied`, {
      help:
        didYouMean(profile, model.profiles) ??
        (model.profiles.length === 0 ? 'the policy declares no `profiles`' : 'declare it under `profiles`, or expect `unknown-profile` to test that denial'),
    });
  }
}
