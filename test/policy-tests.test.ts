import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runCli } from './helpers/cli.ts';
import { parseTimestamp } from '../compiler/testing/tests.ts';


const run = runCli;

const POLICY = `resources:
  lead:
    actions: [view, edit]
    attributes: { owner: string }
    owner: owner
roles:
  rep:
    grants: { lead: { view: green, edit: yellow } }
`;

function policySet(tests: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-tests-'));
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  writeFileSync(join(dir, 'lead_test.yaml'), tests);
  return dir;
}

const PASSING = `principals:
  rep: { id: u1, role: rep }
resources:
  own: { kind: lead, owner: u1 }
tests:
  - name: reps view every lead
    principal: rep
    resource: { kind: lead, owner: u2 }
    expect: { view: allow, edit: not-reached }
  - name: reps edit their own leads
    principal: rep
    resource: own
    expect: { edit: own }
`;

describe('policyc test', () => {
  for (const set of ['kommo-crm', 'zoho-hierarchy', 'zoho-reporting', 'gtg-marketing']) {
    it(`the ${set} example's decision tables pass`, async () => {
      const r = await run('test', `policies/${set}`);
      expect(r.err).toBe('');
      expect(r.out.trim().split('\n').at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
      expect(r.code).toBe(0);
    });
  }

  it('reports coverage of the role × resource × action matrix and of the rules', async () => {
    const r = await run('test', policySet(PASSING));
    expect(r.code).toBe(0);
    expect(r.out).toContain('coverage: 2/2 matrix cells (100.0%), 3/2 rules'.replace('3/2', '2/2'));
    expect(r.out.trim().split('\n').at(-1)).toBe('2 passed, 0 failed');
  });

  it('a failing expectation shows expected, actual, the reason and where the test is, and exits 1', async () => {
    const r = await run('test', policySet(PASSING.replace('expect: { edit: own }', 'expect: { edit: deny }')));
    expect(r.code).toBe(1);
    expect(r.out).toContain('  ✗ reps edit their own leads');
    expect(r.out).toMatch(/ {6}edit: expected deny, got allow \(own\) at lead_test\.yaml:10\n {8}allowed: role `rep` grants `edit` on `lead` as own \(yellow\) at policy\.yaml:8:\d+/);
    expect(r.out.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  it('--min-coverage fails a run below the threshold and lists the uncovered cells', async () => {
    const one = PASSING.split('  - name: reps edit')[0]!.replace('view: allow, edit: not-reached', 'view: allow');
    const low = await run('test', policySet(one), '--min-coverage', '100');
    expect(low.code).toBe(1);
    expect(low.err).toContain('matrix coverage 50.0% is below --min-coverage 100%');
    expect(low.out).toContain('uncovered cells (role · resource · action):\n  rep · lead · edit');
    expect((await run('test', policySet(one), '--min-coverage', '50')).code).toBe(0);
    expect((await run('test', policySet(one), '--min-coverage', 'lots')).code).toBe(2);
  });

  it('--filter runs only the tests whose name contains the text', async () => {
    const r = await run('test', policySet(PASSING), '--filter', 'own leads');
    expect(r.out).toContain('✓ reps edit their own leads');
    expect(r.out).not.toContain('reps view every lead');
    expect(r.out.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
  });

  it('testing nothing is a failure, not "0 passed": no decision tables, or a --filter that matches none', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'policyc-tests-'));
    writeFileSync(join(empty, 'policy.yaml'), POLICY);
    const none = await run('test', empty);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no decision tables \(`\*_test\.yaml`\) in .*: nothing was tested/);
    const unmatched = await run('test', policySet(PASSING), '--filter', 'no such test');
    expect(unmatched.code).toBe(1);
    expect(unmatched.err).toContain('no test matches --filter `no such test`');
  });

  it('--junit FILE writes the JUnit report while the text report stays on standard output', async () => {
    const dir = policySet(PASSING);
    const file = join(dir, 'report.xml');
    const r = await run('test', dir, '--junit', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ reps edit their own leads');
    expect(readFileSync(file, 'utf8')).toMatch(/^<\?xml[\s\S]*<testcase [^>]*name="reps edit their own leads"/);
  });

  it('--format junit gives a JUnit report with one testcase per test and failures inside', async () => {
    const r = await run('test', policySet(PASSING.replace('expect: { edit: own }', 'expect: { edit: deny }')), '--format', 'junit');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="[^"]+" tests="2" failures="1">/);
    expect(r.out).toContain('<testcase name="reps view every lead" classname="lead_test.yaml" file="lead_test.yaml" line="6">\n    </testcase>');
    expect(r.out).toContain('<failure message="edit: expected deny, got own">');
  });

  it('mistakes in test files are diagnostics with positions and hints, not crashes', async () => {
    const r = await run('test', policySet(PASSING.replace('principal: rep\n    resource: own', 'principal: repp\n    resource: own').replace('expect: { view: allow', 'expect: { view: alow')));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/lead_test\.yaml:9:21: error PC2004: `alow` is not an expected decision/);
    const r2 = await run('test', policySet(PASSING.replace('principal: rep\n    resource: own', 'principal: repp\n    resource: own')));
    expect(r2.err).toMatch(/lead_test\.yaml:11:16: error PC4001: no principal named `repp`\n[\s\S]*help: did you mean `rep`\?/);
  });

  it('fixtures are shared between the test files of a folder', async () => {
    const dir = policySet(PASSING);
    cpSync(join(dir, 'lead_test.yaml'), join(dir, 'more_test.yaml'));
    const dup = await run('test', dir);
    expect(dup.err).toContain('PC4002: principal `rep` is defined twice');
    writeFileSync(join(dir, 'more_test.yaml'), 'tests:\n  - name: fixture from the other file\n    principal: rep\n    resource: own\n    expect: { view: all }\n');
    const r = await run('test', dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('more_test.yaml\n  ✓ fixture from the other file');
  });
});

describe('policyc test in CI formats', () => {
  it('--format github annotates each failed expectation at its line and column', async () => {
    const r = await run('test', policySet(PASSING.replace('expect: { edit: own }', 'expect: { edit: deny }')), '--format', 'github');
    expect(r.code).toBe(1);
    expect(r.out.trim()).toMatch(/^::error file=.*lead_test\.yaml,line=13,col=21,endLine=13,endColumn=25,title=policyc PC4003::test `reps edit their own leads`%3A|: `edit` expected deny, got allow \(own\) \(help: allowed: role `rep` grants `edit`.*\)$/);
  });

  it('--format sarif reports failed expectations as results', async () => {
    const r = await run('test', policySet(PASSING.replace('expect: { edit: own }', 'expect: { edit: deny }')), '--format', 'sarif');
    const log = JSON.parse(r.out) as { runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    expect(log.runs[0]!.results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.region.startLine])).toEqual([['PC4003', 13]]);
  });
});

const CONDITIONAL = `resources:
  lead:
    actions: [view, edit, delete]
    attributes: { owner: string, stage: string, pipeline: string, amount: number }
    owner: owner
    stage: stage
    pipeline: pipeline
context: { channel: string }
shifts:
  office: { days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00', timeZone: Europe/Warsaw }
roles:
  sales_rep:
    shift: office
    grants:
      lead:
        view: all
        edit: { level: own, when: 'resource.amount < 1000.0 && (!has(context.channel) || context.channel != "api")' }
        delete: { level: own, duringShift: true }
    stages: { lead: { won: { edit: red } } }
    pipelines: { lead: { partners: deny } }
`;

function conditionalSet(tests: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-tests-'));
  writeFileSync(join(dir, 'policy.yaml'), CONDITIONAL);
  writeFileSync(join(dir, 'lead_test.yaml'), tests);
  return dir;
}

const LEAD = '{ kind: lead, owner: u1, stage: new, pipeline: main, amount: 10 }';

describe('policyc test with conditions (pinned now, context)', () => {
  it('R-Z10 the file\'s `now:` is the context of every test; a test\'s `now:` overrides it', async () => {
    const tests = `now: 2026-03-02T20:00:00Z   # a Monday, 21:00 in Warsaw: after the shift
principals:
  rep: { id: u1, role: sales_rep }
tests:
  - name: after the shift
    principal: rep
    resource: ${LEAD}
    expect: { delete: condition }
  - name: during the shift (Monday 10:00 in Warsaw)
    principal: rep
    now: 2026-03-02T10:00:00+01:00
    resource: ${LEAD}
    expect: { delete: own }
`;
    const r = await run('test', conditionalSet(tests));
    expect(r.err).toBe('');
    expect(r.out.trim().split('\n').at(-1)).toBe('2 passed, 0 failed');
    expect(r.code).toBe(0);
    // the same expectations fail when the instants are swapped: the now really reaches `can`
    const swapped = await run('test', conditionalSet(tests.replace('2026-03-02T20:00:00Z', '2026-03-02T09:00:00Z').replace('2026-03-02T10:00:00+01:00', '2026-03-02T21:00:00+01:00')));
    expect(swapped.out.trim().split('\n').at(-1)).toBe('0 passed, 2 failed');
    expect(swapped.out).toContain('delete: expected own, got deny (condition) at lead_test.yaml:9 (now 2026-03-02T20:00:00.000Z)');
  });

  it('without any now a shift condition is not met; `context:` passes attributes and `now` as a Date', async () => {
    const tests = `principals:
  rep: { id: u1, role: sales_rep }
tests:
  - name: no now at all
    principal: rep
    resource: ${LEAD}
    expect: { delete: condition, edit: own }
  - name: context with now and an attribute
    principal: rep
    context: { now: '2026-03-03T08:30:00Z', channel: api }
    resource: ${LEAD}
    expect: { delete: own, edit: condition }
`;
    const r = await run('test', conditionalSet(tests));
    expect(r.err).toBe('');
    expect(r.out.trim().split('\n').at(-1)).toBe('2 passed, 0 failed');
  });

  it('parseTimestamp takes ISO 8601 instants with an offset and nothing looser', () => {
    expect(parseTimestamp('2026-03-02T10:00:00Z')?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(parseTimestamp('2026-03-02T11:30+01:00')?.toISOString()).toBe('2026-03-02T10:30:00.000Z');
    expect(parseTimestamp('2026-03-02T00:30:00.25+02:00')?.toISOString()).toBe('2026-03-01T22:30:00.250Z');
    expect(parseTimestamp('2024-02-29T12:00:00-05:00')?.toISOString()).toBe('2024-02-29T17:00:00.000Z');
    for (const bad of ['2026-03-02T10:00:00', '2026-03-02', '2026-03-02 10:00:00Z', '2026-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2026-13-01T10:00:00Z', '2026-03-02T24:00:00Z', '2026-03-02t10:00:00z', 'tomorrow']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });

  it('a `now` that is not an ISO timestamp with an offset, or `now` given twice, is a diagnostic at its place', async () => {
    const tests = `now: 2026-03-02 10:00
principals:
  rep: { id: u1, role: sales_rep }
tests:
  - name: a day that does not exist
    principal: rep
    now: 2026-02-30T10:00:00Z
    resource: ${LEAD}
    expect: { view: allow }
  - name: twice
    principal: rep
    now: 2026-03-02T10:00:00Z
    context: { now: '2026-03-02T10:00:00Z' }
    resource: ${LEAD}
    expect: { view: allow }
`;
    const r = await run('test', conditionalSet(tests));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/lead_test\.yaml:1:6: error PC4004: `2026-03-02 10:00` is not an ISO 8601 timestamp/);
    expect(r.err).toMatch(/lead_test\.yaml:7:10: error PC4004: `2026-02-30T10:00:00Z` is not an ISO 8601 timestamp/);
    expect(r.err).toMatch(/lead_test\.yaml:13:16: error PC4004: test `twice` gives `now` twice/);
    const schema = await run('test', conditionalSet(tests.replace('now: 2026-03-02 10:00\n', 'now: [soon]\n')));
    expect(schema.err).toMatch(/lead_test\.yaml:1:6: error PC2002: expected a string/);
  });

  it('the example of docs/testing.md passes against the policy it describes', async () => {
    const doc = readFileSync(join(root, 'docs', 'testing.md'), 'utf8');
    const example = doc.split('### Conditions')[1]!.split('```yaml\n')[1]!.split('```')[0]!;
    const r = await run('test', conditionalSet(example));
    expect(r.err).toBe('');
    expect(r.out.trim().split('\n').at(-1)).toBe('4 passed, 0 failed');
  });

  it('R-K5 each stage and pipeline override is a cell of its own, covered when it decided a test; --min-coverage counts it', async () => {
    const tests = `now: 2026-03-02T10:00:00Z
principals:
  rep: { id: u1, role: sales_rep }
tests:
  - name: every action on a new lead
    principal: rep
    resource: ${LEAD}
    expect: { view: all, edit: own, delete: own }
  - name: a won lead cannot be edited
    principal: rep
    resource: { kind: lead, owner: u1, stage: won, pipeline: main, amount: 10 }
    expect: { edit: denied }
`;
    const r = await run('test', conditionalSet(tests), '--format', 'json');
    const coverage = (JSON.parse(r.out) as { coverage: { cells: { covered: number; total: number; uncovered: string[] }; conditional: { covered: number; total: number } } }).coverage;
    expect(coverage.conditional).toEqual({ covered: 1, total: 4 });
    expect(coverage.cells).toEqual({
      covered: 4,
      total: 7,
      uncovered: ['sales_rep · lead · view [pipeline `partners`]', 'sales_rep · lead · edit [pipeline `partners`]', 'sales_rep · lead · delete [pipeline `partners`]'],
    });
    const text = await run('test', conditionalSet(tests), '--min-coverage', '100');
    expect(text.code).toBe(1);
    expect(text.out).toContain('coverage: 4/7 matrix cells (57.1%; stage and pipeline cells: 1/4)');
    expect(text.out).toContain('uncovered cells (role · resource · action [stage or pipeline]):\n  sales_rep · lead · view [pipeline `partners`]');
    expect(text.err).toContain('matrix coverage 57.1% is below --min-coverage 100%');
    // a test of a partners lead covers all three pipeline cells
    const all = await run('test', conditionalSet(`${tests}  - name: partners leads are closed
    principal: rep
    resource: { kind: lead, owner: u1, stage: new, pipeline: partners, amount: 10 }
    expect: { view: deny, edit: deny, delete: deny }
`), '--min-coverage', '100');
    expect(all.out).toContain('coverage: 7/7 matrix cells (100.0%; stage and pipeline cells: 4/4)');
    expect(all.code).toBe(0);
  });
});
