/**
 * Differential testing (STYLE.md): generated checkers against the reference interpreter
 * (compiler/reference/interpret.ts), an independent reading of docs/policy-language.md.
 *
 * The interpreter is pinned first — by the worked examples of the docs page and by a few
 * hand-written cases — so that it is not trusted blindly; then random policies and requests
 * must get the same decision from both.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { decide, type ReferenceDecision } from '../compiler/reference/interpret.ts';
import type { Decision } from '../runtime/index.ts';
import { compileSources } from '../compiler/index.ts';
import { checkerOf } from './helpers/policy.ts';

/** An object with exactly these own keys (even `__proto__`), in this order. */
function obj(pairs: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** The part of a decision both sides must agree on. */
function essence(d: Decision | ReferenceDecision): ReferenceDecision {
  const r = d.rule;
  return r === undefined
    ? { allow: d.allow, code: d.code }
    : { allow: d.allow, code: d.code, rule: { kind: r.kind, role: r.role, declaredIn: r.declaredIn, level: r.level } };
}

const ref = (yamlText: string) => (principal: unknown, action: string, resource: unknown) => decide([parse(yamlText)], principal, action, resource);

// ---------------------------------------------------------------------------------------------
// The oracle, pinned

describe('reference interpreter: agrees with the worked examples of docs/policy-language.md', () => {
  const doc = readFileSync(new URL('../docs/policy-language.md', import.meta.url), 'utf8');
  const blocks = [...doc.matchAll(/^```(yaml policy|text decisions)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1]!, text: m[2]! }));
  const LINE = /^(\S+) (\S+) (\S+)((?: [^\s=]+=\S*)*) as (\S+)(?: groups=(\S*))? -> (allow|deny) \(([a-z-]+)\)$/;
  const cases: { policy: string; line: string }[] = [];
  blocks.forEach((b, i) => {
    if (b.info !== 'text decisions') return;
    const policy = blocks[i - 1]!.text;
    for (const line of b.text.split('\n')) if (line.trim() !== '' && !line.trim().startsWith('#')) cases.push({ policy, line: line.trim() });
  });

  it('R-K1 R-K3 R-K4 R-Z1 R-Z2 R-Z3 R-Z8 the page has decision lines to check', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases.map((c) => [c.line, c.policy]))('R-K3 %s', (line, policy) => {
    const m = LINE.exec(line);
    expect(m, line).not.toBeNull();
    const [, role, action, kind, attrs, id, groups, verdict, code] = m!;
    const principal = obj([['id', id], ['role', role], ...(groups === undefined ? [] : [['groups', groups.split(',').filter(Boolean)] as const])]);
    const resource = obj([['kind', kind], ...attrs!.trim().split(' ').filter(Boolean).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] as const)]);
    const d = ref(policy)(principal, action!, resource);
    expect({ allow: d.allow, code: d.code }).toEqual({ allow: verdict === 'allow', code });
  });
});

describe('reference interpreter: hand-written cases', () => {
  const inheritance = ref(`
resources:
  lead:
    actions: [view, edit, delete, export]
    attributes: { owner: string, team: string }
    owner: owner
    team: team
roles:
  a: { grants: { lead: { view: yellow, edit: blue, '*': red } } }
  b: { grants: { lead: { view: own, edit: team, delete: green } } }
  c: { extends: [a, b] }
  d: { extends: [b, a], grants: { lead: { '*': own } } }
  e: { extends: c, grants: { lead: [export] } }
  boss: { administrator: true }
  f: { extends: [c, boss] }
`);
  const lead = { kind: 'lead', owner: 'u9', team: 't' };

  it('R-K4 widest of the parents wins; a tie goes to the first listed parent', () => {
    expect(inheritance({ id: 'u1', role: 'c' }, 'delete', lead)).toEqual({ allow: true, code: 'all', rule: { kind: 'grant', role: 'c', declaredIn: 'b', level: 'all' } });
    expect(essence(inheritance({ id: 'u1', role: 'c' }, 'view', lead)).rule?.declaredIn).toBe('a');
    expect(essence(inheritance({ id: 'u1', role: 'c' }, 'edit', lead)).rule?.declaredIn).toBe('a');
    // a's red export is the only level among c's parents
    expect(inheritance({ id: 'u1', role: 'c' }, 'export', lead)).toMatchObject({ code: 'denied', rule: { declaredIn: 'a', level: 'deny' } });
  });

  it("R-K3 an action's own entry beats '*', and a role's own '*' beats every parent", () => {
    expect(inheritance({ id: 'u1', role: 'a' }, 'view', { kind: 'lead', owner: 'u1' })).toMatchObject({ code: 'own', rule: { level: 'own' } });
    expect(inheritance({ id: 'u1', role: 'a' }, 'delete', lead)).toMatchObject({ code: 'denied' });
    expect(inheritance({ id: 'u1', role: 'd' }, 'delete', { kind: 'lead' })).toMatchObject({ code: 'missing-attribute', rule: { declaredIn: 'd', level: 'own' } });
    expect(inheritance({ id: 'u1', role: 'd' }, 'delete', { kind: 'lead', owner: 'u2' })).toMatchObject({ code: 'not-reached' });
  });

  it('R-K4 a list grants green to what it names and leaves the rest to the parents', () => {
    expect(inheritance({ id: 'u1', role: 'e' }, 'export', lead)).toEqual({ allow: true, code: 'all', rule: { kind: 'grant', role: 'e', declaredIn: 'e', level: 'all' } });
    expect(inheritance({ id: 'u1', role: 'e' }, 'delete', lead)).toMatchObject({ code: 'all', rule: { declaredIn: 'b' } });
  });

  it('R-K1 R-Z8 an administrator parent makes an administrator; unknown names have their codes', () => {
    expect(inheritance({ id: 'u1', role: 'f' }, 'export', {})).toMatchObject({ code: 'invalid-request' });
    expect(inheritance({ id: 'u1', role: 'f' }, 'export', { kind: 'lead' })).toEqual({ allow: true, code: 'admin', rule: { kind: 'administrator', role: 'f', declaredIn: 'boss', level: 'all' } });
    expect(inheritance({ id: 'u1', role: 'F' }, 'export', lead).code).toBe('unknown-role');
    expect(inheritance({ id: 'u1', role: 'f' }, '*', lead).code).toBe('unknown-action');
    expect(inheritance({ id: 'u1', role: 'nobody' }, 'view', { kind: 'deal' }).code).toBe('unknown-resource');
    expect(inheritance({ id: 'u1', role: '__proto__' }, 'view', lead).code).toBe('unknown-role');
  });

  it('R-K3 team reads the owner, then the team, then the groups; a non-list `groups` is a malformed request', () => {
    const blue = { id: 'u1', role: 'b', groups: ['t'] };
    expect(inheritance(blue, 'edit', { kind: 'lead', owner: 'u1' }).code).toBe('own');
    expect(inheritance(blue, 'edit', { kind: 'lead', team: 't' }).code).toBe('missing-attribute');
    expect(inheritance(blue, 'edit', { kind: 'lead', owner: 'u2', team: 7 }).code).toBe('missing-attribute');
    expect(inheritance(blue, 'edit', { kind: 'lead', owner: 'u2', team: 't' }).code).toBe('team');
    expect(inheritance({ id: 'u1', role: 'b' }, 'edit', { kind: 'lead', owner: 'u2', team: 't' }).code).toBe('not-reached');
    expect(inheritance({ id: 'u1', role: 'b', groups: 't' }, 'edit', { kind: 'lead', owner: 'u2', team: 't' })).toMatchObject({ allow: false, code: 'invalid-request', rule: { role: 'b' } });
    expect(inheritance({ id: 'u1', role: 'b', groups: 't' }, 'edit', { kind: 'lead', owner: 'u1' }).code).toBe('own');
    // attributes are read as properties, inherited ones too (class instances with getters are records)
    expect(inheritance(blue, 'edit', Object.assign(Object.create({ owner: 'u1' }) as object, { kind: 'lead' })).code).toBe('own');
  });

  const hierarchy = ref(`
resources:
  deal:
    actions: [view]
    attributes: { owner: string, ownerRole: string }
    owner: owner
    ownerRole: ownerRole
  note:
    actions: [view]
    attributes: { owner: string }
    owner: owner
roles:
  top: { grants: { deal: own, note: own } }
  mid: { reportsTo: top, grants: { deal: own } }
  low: { reportsTo: mid, sharesWithPeers: true, grants: { deal: own } }
  solo: { grants: { deal: own } }
`);

  it('R-Z1 R-Z3 the hierarchy is transitive, peers need sharesWithPeers, and ownerRole is read only when it can matter', () => {
    expect(hierarchy({ id: 'x', role: 'top' }, 'view', { kind: 'deal', owner: 'y', ownerRole: 'low' }).code).toBe('hierarchy');
    expect(hierarchy({ id: 'x', role: 'mid' }, 'view', { kind: 'deal', owner: 'y', ownerRole: 'top' }).code).toBe('not-reached');
    expect(hierarchy({ id: 'x', role: 'mid' }, 'view', { kind: 'deal', owner: 'y', ownerRole: 'mid' }).code).toBe('not-reached');
    expect(hierarchy({ id: 'x', role: 'low' }, 'view', { kind: 'deal', owner: 'y', ownerRole: 'low' }).code).toBe('peer');
    expect(hierarchy({ id: 'x', role: 'low' }, 'view', { kind: 'deal', owner: 'y' }).code).toBe('missing-attribute');
    expect(hierarchy({ id: 'x', role: 'solo' }, 'view', { kind: 'deal', owner: 'y' }).code).toBe('not-reached');
    // note declares no ownerRole: top's subordinates cannot be recognised, and nothing is read
    expect(hierarchy({ id: 'x', role: 'top' }, 'view', { kind: 'note', owner: 'y' }).code).toBe('not-reached');
    expect(hierarchy({ id: 'x', role: 'top' }, 'view', { kind: 'deal', owner: 'y', ownerRole: 'solo' }).code).toBe('not-reached');
  });
});

// ---------------------------------------------------------------------------------------------
// Random policies

// up to 12 roles, so that a role can have more than 8 roles below it (the generated code then tests reach with a Set)
const ROLE_NAMES = ['rep', 'manager', 'ceo', 'Analyst', '__proto__', 'constructor', 'toString', 'sales rep', 'r.9', 'yes', 'lead', 'intern', 'cto', 'vp'];
const KIND_NAMES = ['lead', 'contact', 'deal', '__proto__', 'valueOf'];
const ACTION_NAMES = ['view', 'edit', 'delete', 'export', 'create', 'constructor', 'no'];
const IDS = ['u1', 'u2', 'u3'];
const GROUPS = ['g1', 'g2', 'g3'];

interface KindSpec {
  readonly name: string;
  readonly module: boolean;
  readonly actions: readonly string[];
  readonly owner: string | null;
  readonly team: string | null;
  readonly ownerRole: string | null;
  readonly extra: 'string' | 'number' | 'boolean' | 'string[]' | null;
  readonly repeatFirstAction: boolean;
}

const LEVEL_WORDS = { deny: ['deny', 'red'], own: ['own', 'yellow'], team: ['team', 'blue'], all: ['all', 'green'] } as const;

function kindArb(name: string): fc.Arbitrary<KindSpec> {
  return fc.record({
    name: fc.constant(name),
    module: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    actions: fc.shuffledSubarray(ACTION_NAMES, { minLength: 1, maxLength: 4 }),
    owner: fc.option(fc.constantFrom('owner', 'responsible', '__proto__')),
    team: fc.option(fc.constantFrom('team', 'group')),
    ownerRole: fc.option(fc.constantFrom('ownerRole', 'role')),
    extra: fc.option(fc.constantFrom('string' as const, 'number' as const, 'boolean' as const, 'string[]' as const)),
    repeatFirstAction: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  }).map((k) => (k.module ? { ...k, owner: null, team: null, ownerRole: null, extra: null } : k));
}

/**
 * The level words a grant on this kind may use (the compiler rejects own/team without their
 * attributes); own and team twice as often, as they have the most paths.
 */
function wordsFor(kind: KindSpec): string[] {
  return [
    ...LEVEL_WORDS.deny,
    ...LEVEL_WORDS.all,
    ...(kind.owner !== null ? [...LEVEL_WORDS.own, ...LEVEL_WORDS.own] : []),
    ...(kind.owner !== null && kind.team !== null ? [...LEVEL_WORDS.team, ...LEVEL_WORDS.team] : []),
  ];
}

function grantArb(kind: KindSpec): fc.Arbitrary<unknown> {
  const word = fc.constantFrom(...wordsFor(kind));
  return fc.oneof(
    { arbitrary: word, weight: 2 },
    { arbitrary: fc.subarray([...kind.actions]), weight: 1 },
    {
      weight: 2,
      arbitrary: fc
        .record({ actions: fc.subarray([...kind.actions]), star: fc.option(word, { freq: 2 }) })
        .chain(({ actions, star }) =>
          fc.tuple(...actions.map((a) => word.map((w) => [a, w] as const))).map((pairs) => obj(star === null ? pairs : [...pairs, ['*', star]])),
        ),
    },
  );
}

interface PolicySpec {
  readonly kinds: readonly KindSpec[];
  readonly roleNames: readonly string[];
  readonly roles: readonly Record<string, unknown>[];
  readonly layout: 'one' | 'split' | 'three';
}

/**
 * Role i may extend roles before it (a DAG); reportsTo follows an independent order (a forest, or
 * with `chain` a single line, so the top role has every other role below it).
 */
function roleArb(i: number, names: readonly string[], hierarchyOrder: readonly string[], chain: boolean, kinds: readonly KindSpec[]): fc.Arbitrary<Record<string, unknown>> {
  const name = names[i]!;
  const above = hierarchyOrder.slice(0, hierarchyOrder.indexOf(name));
  return fc
    .record({
      administrator: fc.integer({ min: 0, max: 14 }).map((n) => n === 0),
      extends: fc.shuffledSubarray(names.slice(0, i), { maxLength: Math.min(3, i) }),
      extendsAsString: fc.boolean(),
      reportsTo: above.length === 0 ? fc.constant(null) : chain ? fc.constant(above[above.length - 1]!) : fc.option(fc.constantFrom(...above)),
      sharesWithPeers: fc.constantFrom(undefined, true, false),
      grants: fc.tuple(...kinds.map((k) => fc.option(grantArb(k), { freq: 4 }))),
    })
    .map((r) => {
      const grants = kinds.flatMap((k, j) => (r.grants[j] === null ? [] : [[k.name, r.grants[j]] as const]));
      return obj([
        ...(r.administrator ? [['administrator', true] as const] : []),
        ...(r.extends.length === 1 && r.extendsAsString ? [['extends', r.extends[0]] as const] : r.extends.length > 0 ? [['extends', r.extends] as const] : []),
        ...(r.reportsTo !== null ? [['reportsTo', r.reportsTo] as const] : []),
        ...(r.sharesWithPeers !== undefined ? [['sharesWithPeers', r.sharesWithPeers] as const] : []),
        ...(grants.length > 0 ? [['grants', obj(grants)] as const] : []),
      ]);
    });
}

const policyArb: fc.Arbitrary<PolicySpec> = fc
  .record({
    kindNames: fc.shuffledSubarray(KIND_NAMES, { minLength: 1, maxLength: 3 }),
    roleNames: fc.oneof(fc.shuffledSubarray(ROLE_NAMES, { minLength: 1, maxLength: 8 }), fc.shuffledSubarray(ROLE_NAMES, { minLength: 10, maxLength: 12 })),
    chain: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    layout: fc.constantFrom('one' as const, 'split' as const, 'three' as const),
  })
  .chain(({ kindNames, roleNames, chain, layout }) =>
    fc.record({ kinds: fc.tuple(...kindNames.map(kindArb)), hierarchyOrder: fc.shuffledSubarray(roleNames, { minLength: roleNames.length }) }).chain(({ kinds, hierarchyOrder }) =>
      fc.record({
        kinds: fc.constant(kinds),
        roleNames: fc.constant(roleNames),
        roles: fc.tuple(...roleNames.map((_, i) => roleArb(i, roleNames, hierarchyOrder, chain, kinds))),
        layout: fc.constant(layout),
      }),
    ),
  );

function kindValue(k: KindSpec): Record<string, unknown> {
  const actions = k.repeatFirstAction ? [...k.actions, k.actions[0]!] : [...k.actions];
  if (k.module) return obj([['permissions', actions]]);
  const attrs = obj([
    ...(k.owner !== null ? [[k.owner, 'string'] as const] : []),
    ...(k.team !== null ? [[k.team, 'string'] as const] : []),
    ...(k.ownerRole !== null ? [[k.ownerRole, 'string'] as const] : []),
    ...(k.extra !== null ? [['amount', k.extra] as const] : []),
  ]);
  return obj([
    ['actions', actions],
    ['attributes', attrs],
    ...(k.owner !== null ? [['owner', k.owner] as const] : []),
    ...(k.team !== null ? [['team', k.team] as const] : []),
    ...(k.ownerRole !== null ? [['ownerRole', k.ownerRole] as const] : []),
  ]);
}

/** The policy as YAML files: one file, resources and roles apart, or roles split in two. */
function policyFiles(p: PolicySpec): Record<string, string> {
  const resources = p.kinds.filter((k) => !k.module).map((k) => [k.name, kindValue(k)] as const);
  const modules = p.kinds.filter((k) => k.module).map((k) => [k.name, kindValue(k)] as const);
  const roles = p.roleNames.map((name, i) => [name, p.roles[i]] as const);
  const section = (key: string, pairs: readonly (readonly [string, unknown])[]) => (pairs.length > 0 ? [[key, obj(pairs)] as const] : []);
  const file = (...sections: (readonly [string, unknown])[][]) => stringify(obj(sections.flat()));
  if (p.layout === 'one') return { 'policy.yaml': file(section('resources', resources), section('modules', modules), section('roles', roles)) };
  if (p.layout === 'split') return { 'resources.yaml': file(section('resources', resources), section('modules', modules)), 'roles.yaml': file(section('roles', roles)) };
  const half = Math.ceil(roles.length / 2);
  return {
    'a/roles.yaml': file(section('roles', roles.slice(0, half))),
    'kinds.yml': file(section('resources', resources), section('modules', modules)),
    'z.yaml': file(section('roles', roles.slice(half))),
  };
}

/** A request in terms of the policy, made concrete by {@link concrete}. */
interface RequestSpec {
  readonly principal: 'ok' | 'null' | 'numeric-id' | 'no-role';
  readonly role: number | string;
  readonly id: string;
  readonly groups: { readonly absent: true } | { readonly value: unknown };
  readonly kind: number | unknown;
  readonly action: number | string;
  /** Values of the kind's owner, team, ownerRole and extra attributes. */
  readonly attrs: readonly ({ readonly missing: true } | { readonly value: unknown })[];
}

const wrongType = fc.constantFrom<unknown>(7, null, true, ['u1'], { toString: 'u1' });
const attrArb = (strings: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: fc.constant({ missing: true as const }), weight: 1 }, { arbitrary: strings.map((value) => ({ value })), weight: 8 }, { arbitrary: wrongType.map((value) => ({ value })), weight: 1 });

const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  principal: fc.oneof({ arbitrary: fc.constant('ok' as const), weight: 30 }, { arbitrary: fc.constantFrom('null' as const, 'numeric-id' as const, 'no-role' as const), weight: 1 }),
  role: fc.oneof({ arbitrary: fc.nat(), weight: 10 }, { arbitrary: fc.constantFrom('nobody', 'REP', 'Manager', 'hasOwnProperty'), weight: 1 }),
  id: fc.constantFrom(...IDS),
  groups: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 2 },
    { arbitrary: fc.subarray(GROUPS).map((value) => ({ value })), weight: 6 },
    { arbitrary: fc.constantFrom<unknown>('g1', null, undefined, { 0: 'g1', length: 1 }, 7).map((value) => ({ value })), weight: 1 },
  ),
  kind: fc.oneof({ arbitrary: fc.nat(), weight: 12 }, { arbitrary: fc.constantFrom<unknown>('unknown', 'Lead', 'toString', 42), weight: 1 }),
  action: fc.oneof({ arbitrary: fc.nat(), weight: 12 }, { arbitrary: fc.constantFrom('nope', '*', 'toString', 'VIEW'), weight: 1 }),
  attrs: fc.tuple(
    attrArb(fc.constantFrom(...IDS)),
    attrArb(fc.constantFrom(...GROUPS)),
    attrArb(fc.oneof({ arbitrary: fc.nat(), weight: 4 }, { arbitrary: fc.constantFrom('nobody', 'REP'), weight: 1 })),
    attrArb(fc.constantFrom<unknown>('u1', 3, false, ['g1'])),
  ),
});

function concrete(p: PolicySpec, q: RequestSpec): { principal: unknown; action: string; resource: unknown } {
  const role = typeof q.role === 'number' ? p.roleNames[q.role % p.roleNames.length]! : q.role;
  const principal =
    q.principal === 'null' ? null
    : q.principal === 'numeric-id' ? { id: 1, role }
    : q.principal === 'no-role' ? { id: q.id }
    : obj([['id', q.id], ['role', role], ...('value' in q.groups ? [['groups', q.groups.value] as const] : [])]);
  const kind = typeof q.kind === 'number' ? p.kinds[q.kind % p.kinds.length] : undefined;
  const action = typeof q.action === 'number' ? (kind ? kind.actions[q.action % kind.actions.length]! : 'view') : q.action;
  const names = kind ? [kind.owner, kind.team, kind.ownerRole, kind.extra !== null ? 'amount' : null] : [];
  const attrs = names.flatMap((name, i) => {
    const a = q.attrs[i]!;
    if (name === null || !('value' in a)) return [];
    // attribute 2 is the owner's role: numbers pick one of the policy's roles
    return [[name, i === 2 && typeof a.value === 'number' ? p.roleNames[a.value % p.roleNames.length] : a.value] as const];
  });
  return { principal, action, resource: obj([['kind', kind ? kind.name : q.kind], ...attrs]) };
}

describe('differential: generated checkers decide exactly as the reference interpreter', () => {
  it('R-K1 R-K3 R-K4 R-Z1 R-Z2 R-Z3 R-Z8 random policies × random requests: same allow, code and rule', async () => {
    const seen = new Map<string, number>();
    let total = 0;
    let reachSets = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(requestArb, { minLength: 1, maxLength: 100, size: 'max' }), async (policy, requests) => {
        const files = policyFiles(policy);
        const parsed = Object.values(files).map((text) => parse(text) as unknown);
        const result = await compileSources('differential', Object.entries(files).map(([path, text]) => ({ path, text })));
        const checker = await checkerOf(result);
        if (result.output!.checkerTs.includes('new Set(')) reachSets++;
        for (const q of requests) {
          const { principal, action, resource } = concrete(policy, q);
          const want = decide(parsed, principal, action, resource);
          const got = checker.can(principal as never, action, resource as never);
          seen.set(want.code, (seen.get(want.code) ?? 0) + 1);
          total++;
          const request = JSON.stringify({ principal, action, resource });
          expect(essence(got), `${request}\n${got.reason}\n${Object.entries(files).map(([f, t]) => `--- ${f}\n${t}`).join('')}`).toEqual(want);
        }
      }),
      { numRuns: Number(process.env.DIFFERENTIAL_RUNS ?? 200) }, // DIFFERENTIAL_RUNS=5000 for a longer hunt
    );
    console.log(`differential: ${total} requests, ${reachSets} policies testing reach with a Set, ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(reachSets).toBeGreaterThan(5);
    // every code of a decision is reached, so the comparison is not vacuous
    for (const code of ['admin', 'all', 'own', 'team', 'hierarchy', 'peer', 'denied', 'default-deny', 'not-reached', 'missing-attribute', 'unknown-role', 'unknown-resource', 'unknown-action', 'invalid-request']) {
      expect(seen.get(code) ?? 0, `code ${code} in ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
    }
  });
});
