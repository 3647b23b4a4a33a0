// The lean `checker.js` / `checker.cjs` that `policyc build` writes (issue 17: import and first
// decision within 5 ms; compiler/emit/lean.ts). What a user relies on: the same answers as the
// whole module for everything (decisions, plans, field masks, role-management guards), a first
// decision that does not load the whole module, and — when `checker.full.cjs` cannot be loaded —
// answers that fail closed, naming the file, while common decisions go on.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDir, compileSources, type CompiledChecker } from '../compiler/index.ts';
import type { PolicyModel } from '../compiler/ir/model.ts';
import { writeOutput } from '../compiler/write.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const PROBE = join(root, 'test', 'helpers', 'lean-probe.mjs');
const NOW = '2026-12-07T10:30:00Z'; // a Monday morning: in some shifts, not in others

/** A record of the questions: its kind, and attributes. */
type Rec = { readonly kind: string } & Record<string, unknown>;

/** The questions the probe asks, from the policy's own names: every role, kind and action, records owned or not. */
function questions(model: PolicyModel): Record<string, unknown[]> {
  const groups = model.groups.map((g) => g.name);
  const principals = [...model.roles.map((r) => r.name), 'nobody'].map((role) => ({ id: 'u1', role, groups }));
  const records = model.resources.flatMap((resource): Rec[] => {
    const owned = (owner: string): Rec => ({
      kind: resource.name,
      ...(resource.owner === undefined ? {} : { [resource.owner]: owner }),
      ...(resource.team === undefined ? {} : { [resource.team]: groups[0] ?? 'g' }),
      ...(resource.ownerRole === undefined ? {} : { [resource.ownerRole]: model.roles.at(-1)?.name ?? 'r' }),
    });
    return [{ kind: resource.name }, owned('u1'), owned('u2')];
  });
  const common = principals.flatMap((principal) =>
    records.flatMap((resource) => (model.resources.find((r) => r.name === resource.kind)?.actions ?? []).map((action, i) => ({ principal, action, resource, ...(i % 2 === 0 ? { context: { now: NOW } } : {}) }))),
  );
  const roles = model.roles.map((r) => r.name);
  // evenly spread over every role, kind and action
  const some = (n: number): typeof common => common.filter((_, i) => i % Math.ceil(common.length / n) === 0);
  const rare = [
    ...some(40).map((r) => ({ ...r, principal: { ...r.principal, role: undefined, roles: roles.slice(0, 3) } })),
    ...model.profiles.flatMap((profile) => some(30).map((r) => ({ ...r, principal: { ...r.principal, profile } }))),
    ...some(5).map((r) => ({ ...r, principal: { ...r.principal, profile: 'no such profile' } })),
  ];
  const plans = principals.flatMap((principal) => model.resources.flatMap((resource) => resource.actions.map((action) => ({ principal, action, kind: resource.name, context: { now: NOW } }))));
  const fields = principals.flatMap((principal) => records.map((resource) => ({ principal, resource: { ...resource, secret: 'x' } })));
  const writes = fields.map(({ principal, resource }) => ({ principal, resource, changes: Object.fromEntries(model.resources.find((r) => r.name === resource.kind)!.attributes.slice(0, 2).map((a) => [a.name, 'changed'])) }));
  const actors = principals.slice(0, 4);
  return { common, rare, plans, fields, writes, roles: actors.map((actor) => ({ actor, name: 'new_role' })) };
}

interface Answers {
  readonly common: unknown[];
  readonly rare: { can: { code: string; reason: string } }[];
  readonly plans: { result: string; code?: string; reason: string }[];
  readonly fields: Record<string, string>[];
  readonly redacted: Record<string, unknown>[];
  readonly writes: { allow: boolean; code: string; reason: string }[];
  readonly roles: { allow: boolean; code: string; reason: string }[];
  readonly wholeAfterCommon: boolean;
  readonly wholeAfterAll: boolean;
  readonly expected?: Omit<Answers, 'expected' | 'wholeAfterCommon' | 'wholeAfterAll'>;
}

function probe(dir: string, format: 'esm' | 'cjs', requests: string, flag?: string): Answers {
  return JSON.parse(execFileSync(process.execPath, [PROBE, dir, format, requests, ...(flag === undefined ? [] : [flag])], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 })) as Answers;
}

describe.each(['zoho-hierarchy', 'kommo-crm'])('issue 17: the lean checker of %s', (set) => {
  let dir: string;
  let output: CompiledChecker;
  let requests: string;
  let roleManagement = false;
  /** What the lean ES module answers with the whole module beside it (the first test), for the later ones to compare with. */
  let answered: Answers | undefined;
  const answeredEsm = (): Answers => (answered ??= probe(dir, 'esm', requests));
  beforeAll(async () => {
    const result = await compileDir(join(root, 'policies', set), { lean: true });
    if (result.output === undefined || result.model === undefined) throw new Error(`${set} does not compile`);
    output = result.output;
    roleManagement = result.model.roleManagement !== undefined;
    dir = mkdtempSync(join(tmpdir(), 'policyc-lean-'));
    writeOutput(dir, output);
    // an ES module application's package.json
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    requests = join(dir, 'requests.json');
    writeFileSync(requests, JSON.stringify(questions(result.model)));
  }, 120_000);

  it('is smaller than the whole module and carries no planner, field security or role-management code', () => {
    for (const format of ['esm', 'cjs'] as const) {
      const lean = output.lean![format];
      const whole = format === 'esm' ? output.bundle : output.bundleCjs;
      expect(lean.length).toBeLessThan(whole.length * 0.75);
      // words of plans (planner.ts), of field security (fields.ts) and of the guards (rolemanagement.ts)
      for (const text of ['recheck each record with', 'is not a field of', ...(roleManagement ? ['may be created, reporting to'] : [])]) {
        expect(whole).toContain(text);
        expect(lean).not.toContain(text);
      }
    }
  });

  for (const format of ['esm', 'cjs'] as const) {
    it(`${format}: answers what the whole module answers, and its common decisions do not load it`, () => {
      const answers = format === 'esm' ? answeredEsm() : probe(dir, format, requests);
      expect(answers.wholeAfterCommon).toBe(false);
      expect(answers.wholeAfterAll).toBe(true);
      const { expected } = answers;
      expect(answers.common.length).toBeGreaterThan(100);
      expect(answers.common).toEqual(expected!.common);
      expect(answers.rare).toEqual(expected!.rare);
      expect(answers.plans).toEqual(expected!.plans);
      expect(answers.fields).toEqual(expected!.fields);
      expect(answers.redacted).toEqual(expected!.redacted);
      expect(answers.writes).toEqual(expected!.writes);
      expect(answers.roles).toEqual(expected!.roles);
      // the questions reach more than one answer (a probe that asked nothing would pass the above)
      expect(new Set(answers.plans.map((p) => p.result)).size).toBeGreaterThan(1);
      expect(new Set(answers.rare.map((r) => r.can.code)).size).toBeGreaterThan(2);
    }, 60_000);
  }

  it('without checker.full.cjs beside it: common decisions as before; the rest fails closed naming the file, and works once the file is back', () => {
    const alone = mkdtempSync(join(tmpdir(), 'policyc-lean-alone-'));
    try {
      for (const name of ['checker.js', 'checker.cjs', 'package.json']) copyFileSync(join(dir, name), join(alone, name));
      const whole = answeredEsm();
      for (const format of ['esm', 'cjs'] as const) {
        const answers = probe(alone, format, requests);
        expect(answers.common).toEqual(whole.common);
        for (const r of answers.rare) expect([r.can.code, r.can.reason.includes('checker.full.cjs')]).toEqual(['error', true]);
        for (const p of answers.plans) expect([p.result, p.code, p.reason.includes('checker.full.cjs')]).toEqual(['never', 'error', true]);
        for (const f of answers.fields) expect(f).toEqual({});
        for (const r of answers.redacted) expect(r).toEqual({});
        for (const w of answers.writes) expect(w.allow).toBe(false);
        expect(answers.writes.filter((w) => w.code === 'error').length).toBeGreaterThan(0);
        for (const r of answers.roles) expect([r.allow, r.code]).toEqual([false, 'error']);
      }
      copyFileSync(join(dir, 'checker.full.cjs'), join(alone, 'checker.full.cjs'));
      expect(probe(alone, 'cjs', requests).plans).toEqual(whole.plans);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  }, 120_000);

  it('an ES module on a platform without process.getBuiltinModule: plans fail closed and say to import checker.full.js', () => {
    const answers = probe(dir, 'esm', requests, 'no-builtin-module');
    expect(answers.wholeAfterAll).toBe(false);
    for (const p of answers.plans) expect([p.result, p.code, p.reason.includes('import checker.full.js instead')]).toEqual(['never', 'error', true]);
    expect(answers.common).toEqual(answeredEsm().common);
  }, 60_000);
});

describe('issue 17: a lean checker reloaded after a deploy (docs/application.md, reloadPolicy)', () => {
  const policy = (level: string): { path: string; text: string }[] => [
    { path: 'roles.yaml', text: `roles:\n  rep:\n    grants:\n      lead: { view: ${level} }\n` },
    { path: 'resources.yaml', text: 'resources:\n  lead:\n    actions: [view]\n    attributes: { owner: string }\n    owner: owner\n' },
  ];
  const RELOAD = `
const [dir] = process.argv.slice(2);
const { writeFileSync, readFileSync } = await import('node:fs');
const url = (v) => new URL('checker.js?load=' + v, 'file://' + dir + '/').href;
const rep = { id: 'u1', role: 'rep' };
const first = (await import(url(1))).checker;
const waiting = (await import(url(2))).checker; // imported, its whole module not loaded yet
const before = first.plan(rep, 'view', 'lead');
// the deploy: the next build's files replace these
for (const name of ['checker.js', 'checker.full.cjs']) writeFileSync(dir + '/' + name, readFileSync(dir + '/next/' + name));
const next = (await import(url(3))).checker;
const after = next.plan(rep, 'view', 'lead');
const stale = waiting.plan(rep, 'view', 'lead');
process.stdout.write(JSON.stringify({ before: before.result, after: after.result, again: first.plan(rep, 'view', 'lead').result, stale: [stale.result, stale.code, stale.reason] }));
`;

  it('plans with the whole module of the new build, not the one Node keeps; a module of the old build refuses the new whole module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policyc-lean-reload-'));
    try {
      for (const [folder, level] of [[dir, 'yellow'], [join(dir, 'next'), 'green']] as const) {
        const result = await compileSources('reload', policy(level), { lean: true });
        writeOutput(folder, result.output!);
      }
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      writeFileSync(join(dir, 'reload.mjs'), RELOAD);
      const out = JSON.parse(execFileSync(process.execPath, [join(dir, 'reload.mjs'), dir], { encoding: 'utf8', timeout: 60_000 })) as { before: string; after: string; again: string; stale: [string, string, string] };
      expect(out.before).toBe('filter');
      expect(out.after).toBe('always');
      // the first module keeps the whole module it loaded: its answers stay those of its policy
      expect(out.again).toBe('filter');
      expect(out.stale[0]).toBe('never');
      expect(out.stale[1]).toBe('error');
      expect(out.stale[2]).toContain('checker.full.cjs is not the policy of this module');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
