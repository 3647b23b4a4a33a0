/**
 * Random policies and requests for the property tests (test/differential.test.ts against the
 * reference interpreter, test/pglite.test.ts against a real Postgres): policies in terms of
 * {@link PolicySpec}, rendered to YAML files by {@link policyFiles}, and requests in terms of the
 * policy, made concrete by {@link concrete}.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

/** An object with exactly these own keys (even `__proto__`), in this order. */
export function obj(pairs: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

// up to 12 roles, so that a role can have more than 8 roles below it (the generated code then tests reach with a Set)
export const ROLE_NAMES = ['rep', 'manager', 'ceo', 'Analyst', '__proto__', 'constructor', 'toString', 'sales rep', 'r.9', 'yes', 'lead', 'intern', 'cto', 'vp'];
export const KIND_NAMES = ['lead', 'contact', 'deal', '__proto__', 'valueOf'];
export const ACTION_NAMES = ['view', 'edit', 'delete', 'export', 'create', 'constructor', 'no'];
export const IDS = ['u1', 'u2', 'u3'];
export const GROUPS = ['g1', 'g2', 'g3'];

export interface KindSpec {
  readonly name: string;
  readonly module: boolean;
  readonly actions: readonly string[];
  readonly owner: string | null;
  readonly team: string | null;
  readonly ownerRole: string | null;
  /** The attribute holding the record's organisation (R-Z13). */
  readonly organisation: string | null;
  readonly extra: 'string' | 'number' | 'boolean' | 'string[]' | null;
  readonly repeatFirstAction: boolean;
  /** The resource's `fieldDefault` (R-K6, R-Z9). */
  readonly fieldDefault: FieldAccessWord | null;
}

export const FIELD_ACCESS_WORDS = ['hidden', 'read-only', 'read-write'] as const;
export type FieldAccessWord = (typeof FIELD_ACCESS_WORDS)[number];

export const LEVEL_WORDS = { deny: ['deny', 'red'], own: ['own', 'yellow'], team: ['team', 'blue'], all: ['all', 'green'] } as const;

export function kindArb(name: string): fc.Arbitrary<KindSpec> {
  return fc.record({
    name: fc.constant(name),
    module: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    actions: fc.shuffledSubarray(ACTION_NAMES, { minLength: 1, maxLength: 4 }),
    owner: fc.option(fc.constantFrom('owner', 'responsible', '__proto__')),
    team: fc.option(fc.constantFrom('team', 'group')),
    ownerRole: fc.option(fc.constantFrom('ownerRole', 'role')),
    organisation: fc.option(fc.constantFrom('organisation', 'tenant'), { freq: 2 }),
    extra: fc.option(fc.constantFrom('string' as const, 'number' as const, 'boolean' as const, 'string[]' as const)),
    repeatFirstAction: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    fieldDefault: fc.option(fc.constantFrom(...FIELD_ACCESS_WORDS), { freq: 3 }),
  }).map((k) => (k.module ? { ...k, owner: null, team: null, ownerRole: null, organisation: null, extra: null, fieldDefault: null } : k));
}

/** The declared attributes of a kind, which are its fields (a module has none). */
export function fieldNamesOf(k: KindSpec): string[] {
  return [k.owner, k.team, k.ownerRole, k.organisation, k.extra !== null ? 'amount' : null].filter((f): f is string => f !== null);
}

/** A role's `fields` entry for a kind: some of its fields (and maybe '*') → an access word. */
export function fieldRulesArb(kind: KindSpec): fc.Arbitrary<Record<string, unknown>> {
  const access = fc.constantFrom(...FIELD_ACCESS_WORDS);
  return fc
    .record({ fields: fc.subarray(fieldNamesOf(kind)), star: fc.option(access, { freq: 3 }) })
    .chain(({ fields, star }) => fc.tuple(...fields.map((f) => access.map((a) => [f, a] as const))).map((pairs) => obj(star === null ? pairs : [...pairs, ['*', star]])));
}

/**
 * The level words a grant on this kind may use (the compiler rejects own/team without their
 * attributes); own and team twice as often, as they have the most paths.
 */
export function wordsFor(kind: KindSpec): string[] {
  return [
    ...LEVEL_WORDS.deny,
    ...LEVEL_WORDS.all,
    ...(kind.owner !== null ? [...LEVEL_WORDS.own, ...LEVEL_WORDS.own] : []),
    ...(kind.owner !== null && kind.team !== null ? [...LEVEL_WORDS.team, ...LEVEL_WORDS.team] : []),
  ];
}

export function grantArb(kind: KindSpec): fc.Arbitrary<unknown> {
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

export interface PolicySpec {
  readonly kinds: readonly KindSpec[];
  readonly roleNames: readonly string[];
  readonly roles: readonly Record<string, unknown>[];
  readonly layout: 'one' | 'split' | 'three';
}

/**
 * Role i may extend roles before it (a DAG); reportsTo follows an independent order (a forest, or
 * with `chain` a single line, so the top role has every other role below it).
 */
export function roleArb(i: number, names: readonly string[], hierarchyOrder: readonly string[], chain: boolean, kinds: readonly KindSpec[]): fc.Arbitrary<Record<string, unknown>> {
  const name = names[i]!;
  const above = hierarchyOrder.slice(0, hierarchyOrder.indexOf(name));
  return fc
    .record({
      administrator: fc.integer({ min: 0, max: 14 }).map((n) => n === 0),
      extends: fc.shuffledSubarray(names.slice(0, i), { maxLength: Math.min(3, i) }),
      extendsAsString: fc.boolean(),
      reportsTo: above.length === 0 ? fc.constant(null) : chain ? fc.constant(above[above.length - 1]!) : fc.option(fc.constantFrom(...above)),
      sharesWithPeers: fc.constantFrom(undefined, true, false),
      // only the first role of the hierarchy order may be the top (R-Z12)
      top: above.length === 0 ? fc.integer({ min: 0, max: 2 }).map((n) => n === 0) : fc.constant(false),
      grants: fc.tuple(...kinds.map((k) => fc.option(grantArb(k), { freq: 4 }))),
      fields: fc.tuple(...kinds.map((k) => (k.module ? fc.constant(null) : fc.option(fieldRulesArb(k), { freq: 2 })))),
    })
    .map((r) => {
      const grants = kinds.flatMap((k, j) => (r.grants[j] === null ? [] : [[k.name, r.grants[j]] as const]));
      const fields = kinds.flatMap((k, j) => (r.fields[j] === null || r.fields[j] === undefined ? [] : [[k.name, r.fields[j]] as const]));
      return obj([
        ...(r.administrator ? [['administrator', true] as const] : []),
        ...(r.extends.length === 1 && r.extendsAsString ? [['extends', r.extends[0]] as const] : r.extends.length > 0 ? [['extends', r.extends] as const] : []),
        ...(r.reportsTo !== null ? [['reportsTo', r.reportsTo] as const] : []),
        ...(r.sharesWithPeers !== undefined ? [['sharesWithPeers', r.sharesWithPeers] as const] : []),
        ...(r.top ? [['top', true] as const] : []),
        ...(grants.length > 0 ? [['grants', obj(grants)] as const] : []),
        ...(fields.length > 0 ? [['fields', obj(fields)] as const] : []),
      ]);
    });
}

export const policyArb: fc.Arbitrary<PolicySpec> = fc
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

export function kindValue(k: KindSpec): Record<string, unknown> {
  const actions = k.repeatFirstAction ? [...k.actions, k.actions[0]!] : [...k.actions];
  if (k.module) return obj([['permissions', actions]]);
  const attrs = obj([
    ...(k.owner !== null ? [[k.owner, 'string'] as const] : []),
    ...(k.team !== null ? [[k.team, 'string'] as const] : []),
    ...(k.ownerRole !== null ? [[k.ownerRole, 'string'] as const] : []),
    ...(k.organisation !== null ? [[k.organisation, 'string'] as const] : []),
    ...(k.extra !== null ? [['amount', k.extra] as const] : []),
  ]);
  return obj([
    ['actions', actions],
    ['attributes', attrs],
    ...(k.owner !== null ? [['owner', k.owner] as const] : []),
    ...(k.team !== null ? [['team', k.team] as const] : []),
    ...(k.ownerRole !== null ? [['ownerRole', k.ownerRole] as const] : []),
    ...(k.organisation !== null ? [['organisation', k.organisation] as const] : []),
    ...(k.fieldDefault !== null ? [['fieldDefault', k.fieldDefault] as const] : []),
  ]);
}

/** The policy as YAML files: one file, resources and roles apart, or roles split in two. */
export function policyFiles(p: PolicySpec): Record<string, string> {
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
export interface RequestSpec {
  readonly principal: 'ok' | 'null' | 'numeric-id' | 'no-role';
  readonly role: number | string;
  readonly id: string;
  readonly groups: { readonly absent: true } | { readonly value: unknown };
  /** The principal's organisation (R-Z13). */
  readonly organisation: { readonly absent: true } | { readonly value: unknown };
  readonly kind: number | unknown;
  readonly action: number | string;
  /** Values of the kind's owner, team, ownerRole, extra and organisation attributes. */
  readonly attrs: readonly ({ readonly missing: true } | { readonly value: unknown })[];
}

export const wrongType = fc.constantFrom<unknown>(7, null, true, ['u1'], { toString: 'u1' });
export const attrArb = (strings: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: fc.constant({ missing: true as const }), weight: 1 }, { arbitrary: strings.map((value) => ({ value })), weight: 8 }, { arbitrary: wrongType.map((value) => ({ value })), weight: 1 });

export const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  principal: fc.oneof({ arbitrary: fc.constant('ok' as const), weight: 30 }, { arbitrary: fc.constantFrom('null' as const, 'numeric-id' as const, 'no-role' as const), weight: 1 }),
  role: fc.oneof({ arbitrary: fc.nat(), weight: 10 }, { arbitrary: fc.constantFrom('nobody', 'REP', 'Manager', 'hasOwnProperty'), weight: 1 }),
  id: fc.constantFrom(...IDS),
  groups: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 2 },
    { arbitrary: fc.subarray(GROUPS).map((value) => ({ value })), weight: 6 },
    { arbitrary: fc.constantFrom<unknown>('g1', null, undefined, { 0: 'g1', length: 1 }, 7).map((value) => ({ value })), weight: 1 },
  ),
  organisation: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 1 },
    { arbitrary: fc.constantFrom<unknown>('o1', 'o2').map((value) => ({ value })), weight: 8 },
    { arbitrary: fc.constantFrom<unknown>(7, null).map((value) => ({ value })), weight: 1 },
  ),
  kind: fc.oneof({ arbitrary: fc.nat(), weight: 12 }, { arbitrary: fc.constantFrom<unknown>('unknown', 'Lead', 'toString', 42), weight: 1 }),
  action: fc.oneof({ arbitrary: fc.nat(), weight: 12 }, { arbitrary: fc.constantFrom('nope', '*', 'toString', 'VIEW'), weight: 1 }),
  attrs: fc.tuple(
    attrArb(fc.constantFrom(...IDS)),
    attrArb(fc.constantFrom(...GROUPS)),
    attrArb(fc.oneof({ arbitrary: fc.nat(), weight: 4 }, { arbitrary: fc.constantFrom('nobody', 'REP'), weight: 1 })),
    attrArb(fc.constantFrom<unknown>('u1', 3, false, ['g1'])),
    attrArb(fc.constantFrom('o1', 'o2')),
  ),
});

export function concrete(p: PolicySpec, q: RequestSpec): { principal: unknown; action: string; resource: unknown } {
  const role = typeof q.role === 'number' ? p.roleNames[q.role % p.roleNames.length]! : q.role;
  const principal =
    q.principal === 'null' ? null
    : q.principal === 'numeric-id' ? { id: 1, role }
    : q.principal === 'no-role' ? { id: q.id }
    : obj([
        ['id', q.id],
        ['role', role],
        ...('value' in q.groups ? [['groups', q.groups.value] as const] : []),
        ...('value' in q.organisation ? [['organisation', q.organisation.value] as const] : []),
      ]);
  const kind = typeof q.kind === 'number' ? p.kinds[q.kind % p.kinds.length] : undefined;
  const action = typeof q.action === 'number' ? (kind ? kind.actions[q.action % kind.actions.length]! : 'view') : q.action;
  const names = kind ? [kind.owner, kind.team, kind.ownerRole, kind.extra !== null ? 'amount' : null, kind.organisation] : [];
  const attrs = names.flatMap((name, i) => {
    const a = q.attrs[i]!;
    if (name === null || !('value' in a)) return [];
    // attribute 2 is the owner's role: numbers pick one of the policy's roles
    return [[name, i === 2 && typeof a.value === 'number' ? p.roleNames[a.value % p.roleNames.length] : a.value] as const];
  });
  return { principal, action, resource: obj([['kind', kind ? kind.name : q.kind], ...attrs]) };
}

