/**
 * The table layout of large policies (issue 17, compiler/emit/table.ts): random policies compiled
 * in both layouts must give the same decision, reason, rule, plan and field mask for every request,
 * and agree with the reference interpreter; role names that are properties of `Object.prototype`
 * are just names; small policies keep the readable code layout, large ones get tables.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCommand } from '../compiler/cli/build.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkSources, emit, type CheckResult, type PolicyModel } from '../compiler/index.ts';
import { decide } from '../compiler/reference/interpret.ts';
import { FORMAT_VERSION, type Checker, type Decision, type PolicyData } from '../packages/runtime/src/index.ts';
import { ruleCount, ruleRow } from '../packages/runtime/src/rules.ts';
import { packRules } from '../compiler/emit/packed-rules.ts';
import { concrete, policyArb, policyFiles, requestArb } from './helpers/arbitraries.ts';
import { checkerOf } from './helpers/policy.ts';
import { polluted } from './helpers/pollution.ts';
import { compileDir } from '../compiler/index.ts';
import { cellCount, TABLE_FROM_CELLS } from '../compiler/emit/table.ts';

/** Checks a policy; throws with the diagnostics when it does not compile. */
function checked(texts: readonly { path: string; text: string }[]): CheckResult & { model: PolicyModel } {
  const result = checkSources('layouts', texts);
  if (result.model === undefined) throw new Error(`does not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return { ...result, model: result.model };
}

/** The checker of a checked policy in one layout, with its generated module. */
async function inLayout(policy: CheckResult & { model: PolicyModel }, layout: 'code' | 'table'): Promise<{ checker: Checker; ts: string }> {
  const output = await emit(policy.model, { layout });
  return { checker: await checkerOf({ ...policy, output }), ts: output.checkerTs };
}

/** Checkers of one checked policy in both layouts, with their generated modules. */
async function bothLayouts(texts: readonly { path: string; text: string }[]): Promise<{ code: Checker; table: Checker; codeTs: string; tableTs: string }> {
  const policy = checked(texts);
  const [code, table] = await Promise.all([inLayout(policy, 'code'), inLayout(policy, 'table')]);
  return { code: code.checker, table: table.checker, codeTs: code.ts, tableTs: table.ts };
}

const essence = (d: Decision) => ({ allow: d.allow, code: d.code, ...(d.rule === undefined ? {} : { rule: { kind: d.rule.kind, ...(d.rule.name !== undefined ? { name: d.rule.name } : {}), role: d.rule.role, declaredIn: d.rule.declaredIn, level: d.rule.level } }) });

describe('table layout: the same decisions as the code layout', () => {
  it('R-K1 R-K3 R-K4 R-K5 R-K6 R-K9 R-Z1 R-Z2 R-Z3 R-Z5 R-Z9 random policies (profiles included) × random requests: same decision, reason, rule, plan and fields in both layouts, and the reference agrees', async () => {
    const codes = new Map<string, number>();
    let tables = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(requestArb, { minLength: 1, maxLength: 60, size: 'max' }), async (policy, requests) => {
        const files = policyFiles(policy);
        const parsed = Object.values(files).map((text) => parse(text) as unknown);
        const { code, table, tableTs } = await bothLayouts(Object.entries(files).map(([path, text]) => ({ path, text })));
        if (tableTs.includes('CELL_CHECKS')) tables++;
        for (const q of requests) {
          const { principal, action, resource, context } = concrete(policy, q);
          const request = `${JSON.stringify({ principal, action, resource, context })}\n${Object.values(files).join('---\n')}`;
          const want = code.can(principal as never, action, resource as never, context as never);
          const got = table.can(principal as never, action, resource as never, context as never);
          codes.set(got.code, (codes.get(got.code) ?? 0) + 1);
          // the whole decision: reason text, rule id, position, condition
          expect(got, request).toEqual(want);
          expect(essence(got), request).toEqual(decide(parsed, principal, action, resource, context));
          const kind = typeof resource === 'object' && resource !== null ? (resource as { kind?: unknown }).kind : undefined;
          expect(table.plan(principal as never, action, kind as never, context as never), request).toEqual(code.plan(principal as never, action, kind as never, context as never));
          expect(table.fields(principal as never, resource as never, context as never), request).toEqual(code.fields(principal as never, resource as never, context as never));
        }
      }),
      { numRuns: Number(process.env.TABLE_RUNS ?? 40) },
    );
    expect(tables).toBeGreaterThan(0);
    // not vacuous: the requests reached records tests, grants, denials and unknown roles
    for (const c of ['all', 'own', 'denied', 'default-deny', 'not-reached', 'unknown-role']) expect(codes.get(c) ?? 0, `code ${c} in ${JSON.stringify([...codes])}`).toBeGreaterThan(0);
  }, 240_000);

  const hostile = [
    'resources:',
    '  lead:',
    '    actions: [view, edit, constructor]',
    '    attributes: { owner: string, team: string, stage: string }',
    '    owner: owner',
    '    team: team',
    '    stage: stage',
    'roles:',
    "  constructor: { grants: { lead: { view: green, edit: yellow, '*': red } } }",
    '  __proto__: { grants: { lead: blue }, stages: { lead: { won: { edit: red } } } }',
    '  toString: { extends: constructor, grants: { lead: { constructor: green } } }',
    '  hasOwnProperty: { administrator: true }',
    '  valueOf: {}',
    '',
  ].join('\n');

  it('R-K3 roles named `constructor`, `__proto__`, `toString`, `hasOwnProperty`, `valueOf`: table look-ups are by name, never by Object.prototype', async () => {
    const { code, table, tableTs } = await bothLayouts([{ path: 'policy.yaml', text: hostile }]);
    expect(tableTs).toContain('CELL_CHECKS');
    const lead = { kind: 'lead', owner: 'u2', team: 't', stage: 'won' };
    const cases: [string, string, string][] = [
      ['constructor', 'view', 'all'],
      ['constructor', 'edit', 'not-reached'],
      ['constructor', 'constructor', 'denied'],
      ['__proto__', 'view', 'team'],
      ['__proto__', 'edit', 'denied'],
      ['toString', 'constructor', 'all'],
      ['toString', 'view', 'all'],
      ['hasOwnProperty', 'edit', 'admin'],
      ['valueOf', 'view', 'default-deny'],
      ['isPrototypeOf', 'view', 'unknown-role'],
      ['__defineGetter__', 'view', 'unknown-role'],
    ];
    for (const [role, action, want] of cases) {
      const principal = { id: 'u1', role, groups: ['t'] };
      const got = table.can(principal, action, lead);
      expect(got.code, `${role} ${action}`).toBe(want);
      expect(got).toEqual(code.can(principal, action, lead));
      expect(table.plan(principal, action, 'lead')).toEqual(code.plan(principal, action, 'lead'));
    }
    // a polluted prototype changes nothing: no table is read through it
    for (const key of ['role', '0', '1', 'lead', 'view']) {
      polluted(Object.prototype, key, 'constructor', () => {
        expect(table.can({ id: 'u1', role: 'valueOf' }, 'view', lead).code).toBe('default-deny');
        expect(table.can({ id: 'u1', role: 'nobody' }, 'view', lead).code).toBe('unknown-role');
      });
    }
    // a name imitating the placeholders of packed strings (compiler/emit/packed-rules.ts) in a comment: laid out as code instead
    const imitation = '"x\\u0000packed 0\\u0000"';
    const reach = 'resources:\n  lead: { actions: [view], attributes: { owner: string, ownerRole: string }, owner: owner, ownerRole: ownerRole }\nroles:\n';
    const below = Array.from({ length: 10 }, (_, i) => `  below${i}: { reportsTo: ${imitation}, grants: { lead: red } }\n`).join('');
    const imitating = await bothLayouts([{ path: 'policy.yaml', text: `${reach}  ${imitation}: { grants: { lead: yellow } }\n${below}` }]);
    expect(imitating.codeTs).toContain('packed 0\u0000');
    expect(imitating.tableTs).toBe(imitating.codeTs);
    expect(imitating.table.can({ id: 'u1', role: 'x\u0000packed 0\u0000' }, 'view', { kind: 'lead', owner: 'u2', ownerRole: 'below3' }).code).toBe('hierarchy');
    polluted(Array.prototype, '600', 0, () => {
      expect(table.can({ id: 'u1', role: 'constructor' }, 'view', lead)).toEqual(code.can({ id: 'u1', role: 'constructor' }, 'view', lead));
    });
  });
});

describe('table layout: which policies get it', () => {
  it('bundled examples under 500 cells keep the readable code layout; zoho-hierarchy, 792 with its profiles, gets tables', async () => {
    const sets = readdirSync(new URL('../policies/', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(sets.length).toBeGreaterThan(4);
    let switches = 0;
    for (const set of sets) {
      const result = await compileDir(new URL(`../policies/${set}`, import.meta.url).pathname);
      const cells = cellCount(result.model!);
      expect(result.output?.checkerTs.includes('CELL_CHECKS'), `${set}: ${cells} cells`).toBe(cells >= TABLE_FROM_CELLS);
      // (org-admin has no resources, so nothing to switch on)
      if (result.output?.checkerTs.includes('switch (p.role)')) switches++;
      if (set === 'zoho-hierarchy') expect(cells).toBe(11 * 4 * 18);
    }
    expect(switches).toBeGreaterThan(4);
  }, 120_000);

  it('R-K3 a policy of 10,000 cells is laid out as tables by default, smaller than as code, with the same decisions', async () => {
    // 125 roles × 10 resources × 8 actions; each role a different mix of levels
    const actions = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
    const levels = ['red', 'yellow', 'blue', 'green'];
    let text = 'resources:\n';
    for (let r = 0; r < 10; r++) text += `  res${r}: { actions: [${actions.join(', ')}], attributes: { owner: string, team: string, ownerRole: string }, owner: owner, team: team, ownerRole: ownerRole }\n`;
    text += 'roles:\n';
    for (let i = 0; i < 125; i++) {
      text += `  role${i}:\n${i > 0 ? `    reportsTo: role${Math.floor((i - 1) / 4)}\n` : ''}    grants:\n`;
      for (let r = 0; r < 10; r++) text += `      res${r}: { ${actions.map((a, j) => `${a}: ${levels[(i * 7 + r * 3 + j) % 4]}`).join(', ')} }\n`;
    }
    const checked = checkSources('medium', [{ path: 'policy.yaml', text }]);
    const byDefault = await emit(checked.model!);
    const asCode = await emit(checked.model!, { layout: 'code' });
    expect(byDefault.checkerTs).toContain('CELL_CHECKS');
    expect(byDefault.checkerTs.length).toBeLessThan(asCode.checkerTs.length / 2);
    const table = await checkerOf({ ...checked, output: byDefault });
    const code = await checkerOf({ ...checked, output: asCode });
    for (let i = 0; i < 125; i += 7) {
      for (let r = 0; r < 10; r += 3) {
        for (const a of actions) {
          for (const record of [{ owner: 'u1' }, { owner: 'u2', team: 'g', ownerRole: `role${i * 4 + 1}` }, { owner: 'u2', team: 'h', ownerRole: 'role0' }, {}]) {
            const request = [{ id: 'u1', role: `role${i}`, groups: ['g'] }, a, { kind: `res${r}`, ...record }] as const;
            expect(table.can(...request)).toEqual(code.can(...request));
          }
        }
      }
    }
  }, 120_000);
});

describe('table layout: profiles and declared pipelines (issue 17)', () => {
  /** Checkers of a policy set folder in both layouts. */
  async function setInBothLayouts(set: string): Promise<{ code: Checker; table: Checker; tableTs: string }> {
    const result = await compileDir(new URL(`../policies/${set}`, import.meta.url).pathname, { layout: 'code' });
    const policy = { ...result, model: result.model! };
    const [code, table] = await Promise.all([inLayout(policy, 'code'), inLayout(policy, 'table')]);
    return { code: code.checker, table: table.checker, tableTs: table.ts };
  }

  it('R-Z1 R-Z2 R-Z5 R-Z7 R-Z8 R-Z9 R-Z10 R-Z11 zoho-hierarchy: every role × profile × kind × action × record × time decides, plans and masks fields as its code layout', async () => {
    const { code, table, tableTs } = await setInBothLayouts('zoho-hierarchy');
    expect(tableTs).toContain('PROFILE_ROW');
    // a cell table per resource × action, a row per role for no profile and per role for each of its 3 profiles
    expect(tableTs).not.toMatch(/case "read_only":/);
    const roles = ['administrator', 'ceo', 'it_admin', 'marketing_manager', 'marketing_rep', 'sales_manager', 'sales_rep', 'sales_trainee', 'standard_profile', 'support_agent', 'support_desk', 'nobody', '__proto__', 'toString'];
    const profiles: unknown[] = [undefined, 'administrator_profile', 'read_only', 'standard', 'ReadOnly', 'hasOwnProperty', '__proto__', 7, null];
    const kinds: Record<string, string[]> = { contact: ['create', 'view', 'edit', 'delete', 'export'], deal: ['create', 'view', 'edit', 'delete', 'export'], lead: ['create', 'view', 'edit', 'delete', 'export', 'constructor'], note: ['view', 'create', 'edit', 'delete'], product: ['view', 'edit'], setup: ['manage_roles'], nothing: ['view'] };
    const records = (kind: string): { kind: string; [attribute: string]: unknown }[] => [
      { kind, owner: 'u1' },
      { kind, owner: 'u2', ownerRole: 'sales_rep', group: 'key_accounts', bankAccount: 'PL00' },
      { kind, owner: 'u2', ownerRole: 'ceo', group: 'other' },
      { kind },
      { kind, parent: { kind: 'deal', owner: 'u2', ownerRole: 'sales_trainee' } },
    ];
    const contexts = [{ now: new Date('2026-03-23T10:00:00Z') }, { now: new Date('2026-03-22T03:00:00Z') }, undefined];
    const codes = new Map<string, number>();
    for (const role of roles) {
      for (const profile of profiles) {
        for (const shift of [undefined, 'sydney_night']) {
          const principal = { id: 'u1', role, groups: ['key_accounts'], ...(profile === undefined ? {} : { profile }), ...(shift === undefined ? {} : { shift }) };
          for (const [kind, actions] of Object.entries(kinds)) {
            for (const action of actions) {
              for (const context of contexts) {
                const request = JSON.stringify({ principal, action, kind, context });
                for (const record of records(kind)) {
                  const got = table.can(principal, action, record, context);
                  expect(got, `${request} ${JSON.stringify(record)}`).toEqual(code.can(principal, action, record, context));
                  codes.set(got.code, (codes.get(got.code) ?? 0) + 1);
                }
                expect(table.plan(principal, action, kind, context), request).toEqual(code.plan(principal, action, kind, context));
              }
            }
            const record = records(kind)[1]!;
            expect(table.fields(principal, record), `${JSON.stringify(principal)} ${kind}`).toEqual(code.fields(principal, record));
          }
        }
      }
    }
    // not vacuous: the profiles, the hierarchy, the shift and the refusals all decided some requests
    for (const c of ['admin', 'all', 'own', 'hierarchy', 'peer', 'team', 'not-reached', 'default-deny', 'condition', 'parent', 'unknown-profile', 'invalid-request', 'unknown-role', 'unknown-action', 'unknown-resource']) {
      expect(codes.get(c) ?? 0, `code ${c} in ${JSON.stringify([...codes])}`).toBeGreaterThan(0);
    }
  }, 120_000);

  it('R-Z2 R-K3 declared profiles named `__proto__`, `constructor` and `toString`: the profile rows are found by name, never through Object.prototype', async () => {
    const text = [
      'resources:',
      '  lead: { actions: [view, edit, delete], attributes: { owner: string, ownerRole: string }, owner: owner, ownerRole: ownerRole }',
      'profiles:',
      '  __proto__: { grants: { lead: { view: all, edit: own } } }',
      '  constructor: { grants: { lead: { view: own } } }',
      '  toString: { administrator: true }',
      'roles:',
      '  boss: { profile: constructor, grants: { lead: { delete: own } } }',
      '  rep: { profile: __proto__, reportsTo: boss }',
      '  valueOf: { grants: { lead: red } }',
      '',
    ].join('\n');
    const { code, table, tableTs } = await bothLayouts([{ path: 'policy.yaml', text }]);
    expect(tableTs).toContain('PROFILE_ROW');
    const seen = new Set<string>();
    for (const role of ['boss', 'rep', 'valueOf', 'hasOwnProperty', '__proto__']) {
      for (const profile of [undefined, '__proto__', 'constructor', 'toString', 'valueOf', 'isPrototypeOf', '']) {
        const principal = { id: 'u1', role, ...(profile === undefined ? {} : { profile }) };
        for (const action of ['view', 'edit', 'delete']) {
          for (const lead of [{ kind: 'lead', owner: 'u1' }, { kind: 'lead', owner: 'u2', ownerRole: 'rep' }, { kind: 'lead' }]) {
            const got = table.can(principal, action, lead);
            expect(got, `${role} ${String(profile)} ${action} ${JSON.stringify(lead)}`).toEqual(code.can(principal, action, lead));
            seen.add(got.code);
          }
          expect(table.plan(principal, action, 'lead')).toEqual(code.plan(principal, action, 'lead'));
        }
      }
    }
    expect([...seen].sort()).toEqual(['admin', 'all', 'default-deny', 'denied', 'hierarchy', 'missing-attribute', 'not-reached', 'own', 'unknown-profile', 'unknown-role']);
    // a profile on a polluted Object.prototype is not the principal's: decided as without one, in both layouts
    polluted(Object.prototype, 'profile', 'toString', () => {
      const lead = { kind: 'lead', owner: 'u2', ownerRole: 'rep' };
      expect(table.can({ id: 'u1', role: 'rep' }, 'edit', lead).code).toBe('not-reached');
      expect(table.can({ id: 'u1', role: 'rep' }, 'edit', lead)).toEqual(code.can({ id: 'u1', role: 'rep' }, 'edit', lead));
    });
  }, 60_000);

  it('R-K5 declared pipelines in the table layout: a record in an undeclared stage or pipeline is refused before any cell, and plans leave it out, as in the code layout', async () => {
    const text = [
      'resources:',
      '  lead:',
      '    actions: [view, edit]',
      '    attributes: { owner: string, stage: string, pipeline: string }',
      '    owner: owner',
      '    stage: stage',
      '    pipeline: pipeline',
      '    pipelines:',
      '      sales: [new, qualified, won, lost]',
      '      partners: [new, signed]',
      'roles:',
      '  admin: { administrator: true }',
      '  rep:',
      '    grants: { lead: all }',
      '    stages: { lead: { won: { edit: deny } } }',
      '    pipelines: { lead: { partners: own } }',
      '',
    ].join('\n');
    const { code, table, tableTs } = await bothLayouts([{ path: 'policy.yaml', text }]);
    expect(tableTs).toContain('CELL_CHECKS');
    expect(tableTs).toContain('UNDECLARED_STAGE');
    const lead = (stage: unknown, pipeline: unknown, owner = 'u2') => ({ kind: 'lead', owner, stage, pipeline });
    const seen = new Set<string>();
    for (const role of ['admin', 'rep', 'nobody']) {
      for (const [stage, pipeline] of [['new', 'sales'], ['won', 'sales'], ['signed', 'partners'], ['Won', 'sales'], [7, 'sales'], ['__proto__', 'sales'], ['new', 'toString'], [undefined, undefined], ['new', 'partners']]) {
        for (const owner of ['u1', 'u2']) {
          for (const action of ['view', 'edit']) {
            const principal = { id: 'u1', role };
            const got = table.can(principal, action, lead(stage, pipeline, owner));
            expect(got, `${role} ${action} ${String(stage)} ${String(pipeline)} ${owner}`).toEqual(code.can(principal, action, lead(stage, pipeline, owner)));
            seen.add(got.code);
          }
        }
      }
      for (const action of ['view', 'edit']) expect(table.plan({ id: 'u1', role }, action, 'lead')).toEqual(code.plan({ id: 'u1', role }, action, 'lead'));
    }
    expect([...seen].sort()).toEqual(['admin', 'all', 'condition', 'denied', 'invalid-request', 'not-reached', 'own', 'unknown-role']);
  }, 60_000);
});

describe('policyc build --layout (compiler/cli/build.ts)', () => {
  it('R-K3 writes the layout asked for, and refuses another word', async () => {
    const out = mkdtempSync(join(tmpdir(), 'policyc-layout-'));
    const io = { out: () => {}, err: () => {}, cwd: process.cwd(), color: false };
    const dir = new URL('../policies/kommo-crm', import.meta.url).pathname;
    expect(await buildCommand(dir, { format: 'text', out, layout: 'table', force: true }, io)).toBe(0);
    expect(readFileSync(join(out, 'checker.ts'), 'utf8')).toContain('CELL_CHECKS');
    expect(await buildCommand(dir, { format: 'text', out, force: true }, io)).toBe(0);
    expect(readFileSync(join(out, 'checker.ts'), 'utf8')).not.toContain('CELL_CHECKS');
    await expect(buildCommand(dir, { format: 'text', out, layout: 'tables' }, io)).rejects.toThrow('--layout must be `code` or `table`, not `tables`');
    rmSync(out, { recursive: true, force: true });
  }, 60_000);
});

describe('table layout: a principal whose fields the policy names (issue 17)', () => {
  it('R-K3 R-Z4 random policies with `principal: { id: userId, role: userRole, groups: groupIds }`: the cell tables read the mapped role, as the code layout and the unmapped policy decide', async () => {
    const FIELDS: Readonly<Record<string, string>> = { id: 'userId', role: 'userRole', groups: 'groupIds' };
    let tables = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(requestArb, { minLength: 1, maxLength: 30, size: 'max' }), async (policy, requests) => {
        const files = policyFiles(policy);
        // conditions read `principal.groups` by that name: such policies keep it
        if (Object.values(files).some((text) => text.includes('principal.'))) return;
        const moved = { ...files, 'principal.yaml': `principal:\n${Object.entries(FIELDS).map(([b, f]) => `  ${b}: ${f}\n`).join('')}` };
        // the unmapped policy is the reference here in the table layout only (its code layout is compared in the test above)
        const plain = { table: (await inLayout(checked(Object.entries(files).map(([path, text]) => ({ path, text }))), 'table')).checker };
        const { code, table, tableTs } = await bothLayouts(Object.entries(moved).map(([path, text]) => ({ path, text })));
        if (tableTs.includes('CELL_CHECKS')) tables++;
        expect(tableTs).not.toMatch(/\.get\(p\.role\)/);
        for (const q of requests) {
          const { principal, action, resource, context } = concrete(policy, q);
          const own = typeof principal === 'object' && principal !== null ? Object.fromEntries(Object.entries(principal).map(([k, v]) => [FIELDS[k] ?? k, v])) : principal;
          const request = `${JSON.stringify({ own, action, resource, context })}\n${Object.values(moved).join('---\n')}`;
          const want = plain.table.can(principal as never, action, resource as never, context as never);
          expect(table.can(own as never, action, resource as never, context as never), request).toEqual(want);
          expect(code.can(own as never, action, resource as never, context as never), request).toEqual(want);
          const kind = typeof resource === 'object' && resource !== null ? (resource as { kind?: unknown }).kind : undefined;
          expect(table.plan(own as never, action, kind as never, context as never), request).toEqual(code.plan(own as never, action, kind as never, context as never));
          if (typeof kind === 'string' && Object.hasOwn(table.kinds, kind)) {
            const { kind: _, ...record } = resource as Record<string, unknown>;
            expect(table.kinds[kind]!.can(own as never, action, record, context as never), request).toEqual(code.kinds[kind]!.can(own as never, action, record, context as never));
          }
          total++;
        }
      }),
      { numRuns: Number(process.env.TABLE_RUNS ?? 25) },
    );
    expect(tables).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(50);
  }, 120_000);
});

describe('packed rules (packages/runtime/src/rules.ts)', () => {
  const data = (rules: PolicyData['rules'], ruleBits?: readonly number[]): PolicyData => ({ format: FORMAT_VERSION, name: 'x', files: [], roles: [], resources: [], actions: [], names: [], rules, ...(ruleBits === undefined ? {} : { ruleBits }) });

  it('R-K3 a packed table reads back every row the compiler packed, -1 included', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: -1, max: 70_000 }), { minLength: 11, maxLength: 11 }), { minLength: 1, maxLength: 50 }), (rows) => {
        const { text, bits } = packRules(rows);
        expect(text).not.toMatch(/[\\"\n]/);
        const packed = data(text, bits);
        expect(ruleCount(packed)).toBe(rows.length);
        rows.forEach((row, id) => expect(ruleRow(packed, id)).toEqual(row));
        expect(ruleRow(packed, rows.length)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('R-K3 malformed rule data decodes to nothing and never throws', () => {
    const bad: [PolicyData['rules'], unknown][] = [
      ['abc', undefined],
      ['abc', [1, 2, 3]],
      ['abc', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 40]],
      ['abc', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]],
      ['', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
      [['1,2,3'], undefined],
      [['a,b,c,d,e,f,g,h,i,j,k'], undefined],
    ];
    for (const [rules, bits] of bad) {
      const d = { ...data(rules), ruleBits: bits } as PolicyData;
      for (const id of [0, 1, -1, 0.5, Number.NaN]) expect(() => ruleRow(d, id)).not.toThrow();
      expect(ruleRow(d, 0)).toBeUndefined();
    }
    // a packed string with characters outside the alphabet still gives integers
    expect(ruleRow(data('\u0000\uffff~~', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 0)?.every(Number.isInteger)).toBe(true);
  });
});
