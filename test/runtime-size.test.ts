// What an application loads for `can` alone (issue 17): a bundle made by esbuild from the *built*
// packages (`node scripts/build.mjs`), as an application's bundler would, stays within its budget,
// leaves plans, field masks and the text of reasons out, and decides exactly as `checker.can`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { appBundle, bundleApp, CAN_BUDGET, compileSet, firstRequest, policySets } from '../bench/load.mjs';
import { outcome, shortReason } from '../packages/runtime/src/policy.ts';
import { explain } from '../packages/runtime/src/reasons.ts';
import { Path, PATHS, type Checker, type Decision, type RuleRef } from '../packages/runtime/src/index.ts';
import { importBundle } from './helpers/policy.ts';

/** Runtime files only the whole checker needs: plans, field security, SQL, full reasons. */
const NOT_FOR_CAN = ['planner.js', 'plan.js', 'fields.js', 'reasons.js', 'sql.js', 'directory.js'];

const [leads, ...examples] = policySets();

describe('can alone: what an application bundles', () => {
  it('the bundled checker.js (minified) still lets a bundler leave plans, field masks and reason text out of `can` alone', async () => {
    const { output, model } = await compileSet(leads!);
    const request = firstRequest(model);
    const bundled = async (entry: 'can' | 'checker'): Promise<string> => {
      const dir = mkdtempSync(join(tmpdir(), 'policyc-bundled-'));
      writeFileSync(join(dir, 'checker.js'), output.bundle);
      const call = entry === 'can' ? 'can' : 'checker.can';
      writeFileSync(join(dir, 'app.mjs'), `import { ${entry} } from './checker.js';\nconsole.log(${call}(${JSON.stringify(request.principal)}, ${JSON.stringify(request.action)}, ${JSON.stringify(request.resource)}));\n`);
      const out = await build({ absWorkingDir: dir, entryPoints: ['app.mjs'], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
      return out.outputFiles[0]!.text;
    };
    const can = await bundled('can');
    for (const text of ['filtered:', 'grants', 'is an administrator role', 'recheck each record']) expect(can).not.toContain(text);
    const checker = await bundled('checker');
    expect(checker).toContain('is an administrator role');
    expect(checker.length).toBeGreaterThan(can.length * 2);
  });

  it(`the leads policy's \`can\` alone is at most ${CAN_BUDGET} bytes min+gzip, without plans, field masks or the text of reasons`, async () => {
    const { output, model } = await compileSet(leads!);
    const can = await appBundle(output.checkerTs, 'can', firstRequest(model));
    expect(can.gzip).toBeLessThanOrEqual(CAN_BUDGET);
    expect(can.runtimeFiles.filter((f) => NOT_FOR_CAN.includes(f))).toEqual([]);
    // the texts of plans and reasons are not in the bundle either (not only their files)
    for (const text of ['filtered:', 'grants', 'is an administrator role', 'recheck each record']) expect(can.text).not.toContain(text);
    // the whole checker does bundle them, so the budget is not met by an empty bundle
    const checker = await appBundle(output.checkerTs, 'checker', firstRequest(model));
    expect(checker.runtimeFiles).toEqual(expect.arrayContaining(['planner.js', 'plan.js', 'fields.js', 'reasons.js']));
    expect(checker.gzip).toBeGreaterThan(can.gzip + 1000);
  });

  it.each(examples.map((dir) => [basename(dir), dir]))('%s: `can` alone bundles no plans, field masks or reason text', async (_, dir) => {
    const { output, model } = await compileSet(dir);
    const can = await appBundle(output.checkerTs, 'can', firstRequest(model));
    expect(can.runtimeFiles.filter((f) => NOT_FOR_CAN.includes(f))).toEqual([]);
    expect(can.text).not.toContain('filtered:');
  });
});

describe('can alone: the same decisions as checker.can', () => {
  let alone: Checker['can'];
  let checker: Checker;

  beforeAll(async () => {
    const { output } = await compileSet(leads!);
    // a module of `can` alone, tree-shaken as in an application, and the whole bundled checker
    const bundled = await bundleApp(output.checkerTs, "export { can } from './checker.ts';\n");
    const file = join(mkdtempSync(join(tmpdir(), 'policyc-can-')), 'can.mjs');
    writeFileSync(file, bundled.text);
    alone = ((await import(pathToFileURL(file).href)) as { can: Checker['can'] }).can;
    checker = ((await importBundle(output.bundle)) as { checker: Checker }).checker;
  });

  const roles = ['admin', 'sales_manager', 'sales_rep', 'senior_rep', 'team_lead', 'viewer', 'intern', '__proto__'];
  const actions = ['create', 'view', 'edit', 'delete', 'export', 'archive', 'toString'];
  const throwing = Object.defineProperty({ kind: 'lead' }, 'responsible', {
    enumerable: true,
    get() {
      throw new Error('read\nfailed');
    },
  });
  const records: unknown[] = [
    { kind: 'lead', responsible: 'u1', team: 'north', responsibleRole: 'sales_rep' },
    { kind: 'lead', responsible: 'u2', team: 'north', responsibleRole: 'sales_rep' },
    { kind: 'lead', responsible: 'u2', team: 'south', responsibleRole: 'senior_rep' },
    { kind: 'lead', responsible: 'u2', team: 'south', responsibleRole: 'sales_manager' },
    { kind: 'lead' },
    { kind: 'lead', responsible: 42 },
    { kind: 'invoice' },
    throwing,
    null,
    'lead',
  ];

  it('R-K3 every role × action × record (hostile ones included): the same allow, code and rule, and a short reason naming the rule', () => {
    let compared = 0;
    for (const role of roles) {
      for (const action of actions) {
        for (const record of records) {
          const principal = { id: 'u1', role, groups: ['north'] };
          const full = checker.can(principal, action as never, record as never);
          const short = alone(principal, action as never, record as never);
          expect({ allow: short.allow, code: short.code, rule: short.rule }).toEqual({ allow: full.allow, code: full.code, rule: full.rule });
          // a rule's decision: the short form with its position; a denial no rule decides: the same text
          if (full.rule === undefined) expect(short.reason).toBe(full.reason);
          else expect(short.reason).toBe(`${full.allow ? 'allowed' : 'denied'} (${full.code}) at ${full.rule.file}:${full.rule.line}:${full.rule.column}`);
          compared++;
        }
      }
    }
    expect(compared).toBe(roles.length * actions.length * records.length);
  });

  it('a decision of `can` alone is a plain frozen object, as JSON shows it', () => {
    const d: Decision = alone({ id: 'u1', role: 'sales_rep' }, 'view', { kind: 'lead', responsible: 'u1' });
    expect(Object.isFrozen(d)).toBe(true);
    expect(JSON.parse(JSON.stringify(d))).toEqual({ allow: true, code: 'own', reason: d.reason, rule: { ...d.rule } });
    expect(d.reason).toMatch(/^allowed \(own\) at policy\.yaml:\d+:\d+$/);
  });

  it('a getter that throws is an `error` denial, never an exception', () => {
    const d = alone({ id: 'u1', role: 'sales_rep' }, 'view', throwing as never);
    expect(d).toMatchObject({ allow: false, code: 'error', rule: undefined });
    expect(d.reason).toBe('denied: the check failed with Error: read failed');
  });
});

describe('the ways of deciding', () => {
  const rule: RuleRef = { id: 0, kind: 'grant', name: 'r', condition: 'c', role: 'rep', declaredIn: 'base', resource: 'lead', action: 'view', level: 'own', file: 'roles.yaml', line: 3, column: 5 };

  it('PATHS counts them, and each has one outcome that its full reason and its short reason agree on', () => {
    expect(Object.keys(Path)).toHaveLength(PATHS);
    for (const path of Object.values(Path)) {
      const [allow, code] = outcome(path);
      expect(explain(rule, path).startsWith(allow ? 'allowed: ' : 'denied: '), `path ${path}`).toBe(true);
      expect(shortReason(rule, path)).toBe(`${allow ? 'allowed' : 'denied'} (${code}) at roles.yaml:3:5`);
    }
  });
});
