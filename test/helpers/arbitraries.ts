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
  /** Read and write actions written under `access` (null: the defaults, view and edit). */
  readonly access: { readonly read: readonly string[]; readonly write: readonly string[] } | null;
  /** Org-wide default (null: not written, private). */
  readonly defaultAccess: 'private' | 'public-read-only' | 'public-read-write' | null;
  /** Subscriber actions, with the attribute `subscribers` (R-K9); null: none. */
  readonly subscribers: readonly string[] | null;
  /** Whether the kind has a `stage` and a `pipeline` attribute (named so), for overrides (R-K5). */
  readonly stage: boolean;
  readonly pipeline: boolean;
}

/** The actions that read and that write a kind's records, as the compiler derives them. */
export const readOf = (k: KindSpec): readonly string[] => k.access?.read ?? k.actions.filter((a) => a === 'view');
export const writeOf = (k: KindSpec): readonly string[] => k.access?.write ?? k.actions.filter((a) => a === 'edit');

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
    access: fc.option(fc.record({ read: fc.constant<readonly string[]>([]), write: fc.constant<readonly string[]>([]) }), { freq: 2 }),
    accessSeed: fc.tuple(fc.nat(), fc.nat()),
    defaultAccess: fc.option(fc.constantFrom('private' as const, 'public-read-only' as const, 'public-read-write' as const), { freq: 3 }),
    subscribers: fc.option(fc.constant(true), { freq: 3 }),
    stage: fc.integer({ min: 0, max: 2 }).map((n) => n > 0),
    pipeline: fc.integer({ min: 0, max: 2 }).map((n) => n === 0),
  }).map(({ accessSeed, ...k }) => {
    // explicit read and write actions: one or two of the kind's actions each
    const unique = [...new Set(k.actions)];
    const pick = (seed: number) => unique.filter((_, i) => (seed >> i) & 1).slice(0, 2);
    const access = k.access && { read: pick(accessSeed[0] | 1), write: pick(accessSeed[1] | 2) };
    const subscribers = k.subscribers === null ? null : pick(accessSeed[0] ^ accessSeed[1]);
    const spec = { ...k, access, subscribers };
    return k.module ? { ...spec, owner: null, team: null, ownerRole: null, organisation: null, extra: null, access: null, defaultAccess: null, subscribers: null, fieldDefault: null, stage: false, pipeline: false } : spec;
  });
}

/** The declared attributes of a kind, which are its fields (a module has none). */
export function fieldNamesOf(k: KindSpec): string[] {
  return [k.owner, k.team, k.ownerRole, k.organisation, k.extra !== null ? 'amount' : null, k.stage ? 'stage' : null, k.pipeline ? 'pipeline' : null, k.subscribers !== null ? 'subscribers' : null].filter((f): f is string => f !== null);
}

/**
 * Whether every attribute of a record (and of its parent record) is absent or of its declared
 * type: query plans match `can` exactly on such records (docs/conditions.md); on others a plan
 * never lists a record `can` denies.
 */
export function wellTyped(p: PolicySpec, resource: unknown): boolean {
  if (typeof resource !== 'object' || resource === null) return true;
  const r = resource as Record<string, unknown>;
  if (Object.hasOwn(r, 'parent')) return wellTyped(p, r.parent);
  const kind = p.kinds.find((k) => k.name === r.kind);
  if (kind === undefined) return true;
  const is = (name: string | null, type: string): boolean => {
    if (name === null || !Object.hasOwn(r, name) || r[name] === undefined) return true;
    const v = r[name];
    return type === 'string[]' ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === type;
  };
  return [kind.owner, kind.team, kind.ownerRole, kind.organisation, kind.stage ? 'stage' : null, kind.pipeline ? 'pipeline' : null].every((a) => is(a, 'string')) &&
    is(kind.extra === null ? null : 'amount', kind.extra ?? '') && is(kind.subscribers === null ? null : 'subscribers', 'string[]');
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

export const STAGES = ['won', 'lost', 'open'];
export const PIPELINES = ['p1', 'p2'];

/**
 * Working hours (R-Z10) a policy may declare: some crossing midnight, one around the DST changes
 * of Europe/Warsaw (2026-03-29 and 2026-10-25 are Sundays), in IANA zones and a fixed offset.
 */
export const SHIFT_DEFS: Readonly<Record<string, { days: string[]; start: string; end: string; timeZone: string }>> = {
  day: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', timeZone: 'Europe/Warsaw' },
  night: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '22:00', end: '06:00', timeZone: '+11:00' },
  dst: { days: ['sun'], start: '01:30', end: '03:30', timeZone: 'Europe/Warsaw' },
  weekend: { days: ['sat', 'sun'], start: '20:00', end: '02:00', timeZone: 'America/New_York' },
};
export const SHIFT_NAMES = Object.keys(SHIFT_DEFS);

/**
 * CEL conditions a `when:` on `kind` may use: over the principal and the context (`request`), and
 * over the record's declared attributes too (`record`); some fail at run time on some inputs.
 */
export function conditionsFor(kind: KindSpec, context = false): { request: string[]; record: string[] } {
  // each typed attribute: comparisons, `!`, `?:` and `in` that plans express as filters (issue 7), and one that they cannot
  const typed = {
    number: ['resource.amount > 100.0', '!(resource.amount <= 3) || principal.id == "u2"', 'resource.amount == 150 ? principal.id != "u1" : 100 >= resource.amount', 'resource.amount in [3.0, 150.0] && resource.amount != 3.0', 'resource.amount * 2.0 > 100.0'],
    string: ['resource.amount.startsWith("u")', '!resource.amount.endsWith("1") && resource.amount.contains("u")', 'resource.amount != principal.id', 'resource.amount in ["u1", "x_%"]', 'resource.amount.endsWith("_%") || resource.amount.startsWith("x\\\\")', 'size(resource.amount) > 1'],
    boolean: ['resource.amount', '!resource.amount || principal.id == "u1"', 'resource.amount == (principal.id == "u1")', 'resource.amount ? false : true'],
    'string[]': ['"g1" in resource.amount', '!("g2" in resource.amount)', 'principal.id in resource.amount || !has(resource.amount)', 'size(resource.amount) > 0'],
  } as const;
  const request = [
    'principal.id == "u1"',
    '"g1" in principal.groups',
    'context.now.getHours("Europe/Warsaw") < 12',
    'context.now.getDayOfWeek("America/New_York") in [0, 6] || principal.id != "u2"',
    'context.now < timestamp("2026-10-25T01:00:00Z")',
    // a division by zero for u1
    '1 / (principal.id == "u1" ? 0 : 1) == 1',
    'principal.organisation == "o1"',
    // a declared context attribute (the policy's `context` section)
    ...(context ? ['context.region == "eu"', 'context.region.startsWith("e") && context.now.getHours("+11:00") >= 12'] : []),
    // a declared principal attribute (the policy's `principal` section, declared with `context`)
    ...(context ? ['principal.limit > 10.0'] : []),
  ];
  const record = [
    ...(kind.team !== null ? [`has(resource.${kind.team})`, `!has(resource.${kind.team}) || resource.${kind.team} != "g2"`] : []),
    ...(kind.owner !== null ? [`resource.\`${kind.owner}\` == principal.id`, `!(resource.\`${kind.owner}\` in ["u1", "u3"]) && principal.id != "u3"`] : []),
    ...(kind.extra !== null ? typed[kind.extra] : []),
    ...(kind.stage ? ['resource.stage in ["won", "lost"]'] : []),
    ...(context && kind.extra === 'number' ? ['resource.amount <= principal.limit'] : []),
  ];
  return { request, record };
}

/** A `when:` condition: as often one reading the record as one reading only the request. */
function whenArb(kind: KindSpec, context: boolean): fc.Arbitrary<string> {
  const { request, record } = conditionsFor(kind, context);
  return record.length === 0 ? fc.constantFrom(...request) : fc.oneof(fc.constantFrom(...request), fc.constantFrom(...record));
}

/** What conditions may use besides the kind: `duringShift` (the policy declares shifts), `context.region` and `principal.limit` (it declares them). */
export interface ConditionOptions {
  readonly shifts: boolean;
  readonly context: boolean;
}

export function grantArb(kind: KindSpec, { shifts, context }: ConditionOptions = { shifts: false, context: false }): fc.Arbitrary<unknown> {
  const plain = fc.constantFrom(...wordsFor(kind));
  // a conditional grant (issue 3): `{ level, when?, duringShift? }`
  const conditional = fc
    .record({ level: plain, when: fc.option(whenArb(kind, context), { freq: 4 }), duringShift: shifts ? fc.option(fc.integer({ min: 0, max: 3 }).map((n) => n > 0), { freq: 3 }) : fc.constant(null) })
    .map(({ level, when, duringShift }) => obj([['level', level], ...(when !== null ? [['when', when] as const] : []), ...(duringShift !== null ? [['duringShift', duringShift] as const] : [])]));
  const word = fc.oneof({ arbitrary: plain, weight: 2 }, { arbitrary: conditional, weight: 1 });
  return fc.oneof(
    { arbitrary: plain, weight: 2 },
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
  readonly sharing: SharingSpec;
  /** The shifts declared (names in {@link SHIFT_DEFS}). */
  readonly shifts: readonly string[];
  /** Whether the policy declares the context attribute `region` (a string) and the principal attribute `limit` (a number). */
  readonly context: boolean;
}

export const PROFILE_NAMES = ['profile one', 'hasOwnProperty'];
export const RULE_NAMES = ['s1', 'b rule', '__proto__', 'a"rule'];

/** The sharing model of a random policy (R-K8, R-Z2, R-Z4..R-Z7, R-K9, R-Z11). */
export interface SharingSpec {
  /** Profiles: grants by kind (R-Z2); `profileOf[i]` is role i's profile index, if any. */
  readonly profiles: readonly Record<string, unknown>[];
  readonly profileOf: readonly (number | null)[];
  /** Groups g1.. with member roles (indexes into roleNames). */
  readonly groups: readonly { readonly roles: readonly number[]; readonly withSubordinates: readonly number[] }[];
  readonly rules: readonly {
    readonly kind: number;
    readonly from: readonly [PartyKind, number];
    readonly to: readonly [PartyKind, number];
    readonly access: 'read-only' | 'read-write';
    readonly superiors: boolean;
  }[];
  readonly reporting: boolean;
  /** A `note` kind whose parent is one of these kinds (indexes), R-Z11; null: none. */
  readonly child: readonly number[] | null;
}

type PartyKind = 'role' | 'roleAndSubordinates' | 'group';

const sharingArb = (roles: number, kinds: readonly KindSpec[], options: ConditionOptions): fc.Arbitrary<SharingSpec> => {
  const roleIndex = fc.nat({ max: roles - 1 });
  // roles with their subordinates most often: the widest sides, so rules decide often enough to be compared
  const party = fc.tuple(
    fc.oneof({ arbitrary: fc.constant<PartyKind>('roleAndSubordinates'), weight: 3 }, { arbitrary: fc.constantFrom<PartyKind>('role', 'group'), weight: 2 }),
    fc.nat(),
  );
  const withGrants = (k: KindSpec) => fc.option(grantArb(k, options), { freq: 3 });
  return fc.record({
    profiles: fc.array(
      fc.record({ administrator: fc.integer({ min: 0, max: 6 }).map((n) => n === 0), grants: fc.tuple(...kinds.map(withGrants)) }).map((p) => {
        const grants = kinds.flatMap((k, j) => (p.grants[j] === null ? [] : [[k.name, p.grants[j]] as const]));
        return obj([...(p.administrator ? [['administrator', true] as const] : []), ...(grants.length > 0 ? [['grants', obj(grants)] as const] : [])]);
      }),
      { maxLength: 2 },
    ),
    profileOf: fc.array(fc.option(fc.nat({ max: 1 }), { freq: 3 }), { minLength: roles, maxLength: roles }),
    groups: fc.array(fc.record({ roles: fc.uniqueArray(roleIndex, { maxLength: 2 }), withSubordinates: fc.uniqueArray(roleIndex, { maxLength: 1 }) }), { minLength: 1, maxLength: 3 }),
    rules: fc.array(
      fc.record({ kind: fc.nat(), from: party, to: party, access: fc.constantFrom('read-only' as const, 'read-write' as const), superiors: fc.boolean() }),
      { minLength: 1, maxLength: 4 },
    ),
    reporting: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    child: fc.option(fc.uniqueArray(fc.nat({ max: kinds.length - 1 }), { minLength: 1, maxLength: 2 }), { freq: 3 }),
  });
};

/** A role's `stages` entry for a kind: some stages, each with levels for some actions and maybe '*'. */
function stagesArb(kind: KindSpec): fc.Arbitrary<Record<string, unknown>> {
  const word = fc.constantFrom(...wordsFor(kind));
  const levels = fc
    .record({ actions: fc.subarray([...new Set(kind.actions)], { maxLength: Math.min(2, new Set(kind.actions).size) }), star: fc.option(word, { freq: 2 }) })
    .chain(({ actions, star }) => fc.tuple(...actions.map((a) => word.map((w) => [a, w] as const))).map((pairs) => obj(star === null ? pairs : [...pairs, ['*', star]])));
  return fc.shuffledSubarray(STAGES, { minLength: 1, maxLength: 2 }).chain((stages) => fc.tuple(...stages.map((s) => levels.map((l) => [s, l] as const))).map(obj));
}

/** A role's `pipelines` entry for a kind: some pipelines, each with a level word. */
function pipelinesArb(kind: KindSpec): fc.Arbitrary<Record<string, unknown>> {
  const word = fc.constantFrom(...wordsFor(kind));
  return fc.shuffledSubarray(PIPELINES, { minLength: 1, maxLength: 2 }).chain((ps) => fc.tuple(...ps.map((v) => word.map((w) => [v, w] as const))).map(obj));
}

/**
 * Role i may extend roles before it (a DAG); reportsTo follows an independent order (a forest, or
 * with `chain` a single line, so the top role has every other role below it).
 */
export function roleArb(i: number, names: readonly string[], hierarchyOrder: readonly string[], chain: boolean, kinds: readonly KindSpec[], shifts: readonly string[] = [], context = false): fc.Arbitrary<Record<string, unknown>> {
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
      grants: fc.tuple(...kinds.map((k) => fc.option(grantArb(k, { shifts: shifts.length > 0, context }), { freq: 4 }))),
      fields: fc.tuple(...kinds.map((k) => (k.module ? fc.constant(null) : fc.option(fieldRulesArb(k), { freq: 2 })))),
      // R-K5: stage value → (action or '*' → level word); pipeline value → level word
      stages: fc.tuple(...kinds.map((k) => (k.stage ? fc.option(stagesArb(k), { freq: 2 }) : fc.constant(null)))),
      pipelines: fc.tuple(...kinds.map((k) => (k.pipeline ? fc.option(pipelinesArb(k), { freq: 2 }) : fc.constant(null)))),
      shift: shifts.length > 0 ? fc.option(fc.constantFrom(...shifts), { freq: 2 }) : fc.constant(null),
    })
    .map((r) => {
      const grants = kinds.flatMap((k, j) => (r.grants[j] === null ? [] : [[k.name, r.grants[j]] as const]));
      const fields = kinds.flatMap((k, j) => (r.fields[j] === null || r.fields[j] === undefined ? [] : [[k.name, r.fields[j]] as const]));
      const stages = kinds.flatMap((k, j) => (r.stages[j] === null || r.stages[j] === undefined ? [] : [[k.name, r.stages[j]] as const]));
      const pipelines = kinds.flatMap((k, j) => (r.pipelines[j] === null || r.pipelines[j] === undefined ? [] : [[k.name, r.pipelines[j]] as const]));
      return obj([
        ...(r.administrator ? [['administrator', true] as const] : []),
        ...(r.extends.length === 1 && r.extendsAsString ? [['extends', r.extends[0]] as const] : r.extends.length > 0 ? [['extends', r.extends] as const] : []),
        ...(r.reportsTo !== null ? [['reportsTo', r.reportsTo] as const] : []),
        ...(r.sharesWithPeers !== undefined ? [['sharesWithPeers', r.sharesWithPeers] as const] : []),
        ...(r.top ? [['top', true] as const] : []),
        ...(grants.length > 0 ? [['grants', obj(grants)] as const] : []),
        ...(fields.length > 0 ? [['fields', obj(fields)] as const] : []),
        ...(stages.length > 0 ? [['stages', obj(stages)] as const] : []),
        ...(pipelines.length > 0 ? [['pipelines', obj(pipelines)] as const] : []),
        ...(r.shift !== null ? [['shift', r.shift] as const] : []),
      ]);
    });
}

export const policyArb: fc.Arbitrary<PolicySpec> = fc
  .record({
    kindNames: fc.shuffledSubarray(KIND_NAMES, { minLength: 1, maxLength: 3 }),
    roleNames: fc.oneof(fc.shuffledSubarray(ROLE_NAMES, { minLength: 1, maxLength: 8 }), fc.shuffledSubarray(ROLE_NAMES, { minLength: 10, maxLength: 12 })),
    chain: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    layout: fc.constantFrom('one' as const, 'split' as const, 'three' as const),
    shifts: fc.option(fc.shuffledSubarray(SHIFT_NAMES, { minLength: 1 }), { freq: 2 }).map((s) => s ?? []),
    context: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  })
  .chain(({ kindNames, roleNames, chain, layout, shifts, context }) =>
    fc.record({ kinds: fc.tuple(...kindNames.map(kindArb)), hierarchyOrder: fc.shuffledSubarray(roleNames, { minLength: roleNames.length }) }).chain(({ kinds, hierarchyOrder }) =>
      fc.record({
        kinds: fc.constant(kinds),
        roleNames: fc.constant(roleNames),
        roles: fc.tuple(...roleNames.map((_, i) => roleArb(i, roleNames, hierarchyOrder, chain, kinds, shifts, context))),
        layout: fc.constant(layout),
        sharing: sharingArb(roleNames.length, kinds, { shifts: shifts.length > 0, context }),
        shifts: fc.constant(shifts),
        context: fc.constant(context),
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
    ...(k.stage ? [['stage', 'string'] as const] : []),
    ...(k.pipeline ? [['pipeline', 'string'] as const] : []),
  ]);
  return obj([
    ['actions', actions],
    ['attributes', k.subscribers !== null ? obj([...Object.entries(attrs), ['subscribers', 'string[]']]) : attrs],
    ...(k.owner !== null ? [['owner', k.owner] as const] : []),
    ...(k.team !== null ? [['team', k.team] as const] : []),
    ...(k.ownerRole !== null ? [['ownerRole', k.ownerRole] as const] : []),
    ...(k.organisation !== null ? [['organisation', k.organisation] as const] : []),
    ...(k.fieldDefault !== null ? [['fieldDefault', k.fieldDefault] as const] : []),
    ...(k.access !== null ? [['access', obj([['read', k.access.read], ['write', k.access.write]])] as const] : []),
    ...(k.defaultAccess !== null ? [['defaultAccess', k.defaultAccess] as const] : []),
    ...(k.subscribers !== null ? [['subscribers', obj([['attribute', 'subscribers'], ['actions', k.subscribers]])] as const] : []),
    ...(k.stage ? [['stage', 'stage'] as const] : []),
    ...(k.pipeline ? [['pipeline', 'pipeline'] as const] : []),
  ]);
}

/** The kinds a `note` may have as parent: records with a read and a write action. */
export const parentKinds = (p: PolicySpec): KindSpec[] =>
  p.sharing.child === null ? [] : [...new Set(p.sharing.child.map((i) => p.kinds[i]!))].filter((k) => !k.module && readOf(k).length > 0 && writeOf(k).length > 0);

/** The sections of the sharing model as YAML values, leaving out what would not compile. */
function sharingSections(p: PolicySpec): [string, unknown][] {
  const s = p.sharing;
  const roleName = (i: number) => p.roleNames[i % p.roleNames.length]!;
  const groups = s.groups.map((g, i) => [GROUPS[i]!, obj([
    ...(g.roles.length > 0 ? [['roles', g.roles.map(roleName)] as const] : []),
    ...(g.withSubordinates.length > 0 ? [['rolesAndSubordinates', g.withSubordinates.map(roleName)] as const] : []),
  ])] as const);
  const party = ([kind, i]: readonly [PartyKind, number]) => (kind === 'group' ? (groups.length === 0 ? undefined : obj([['group', groups[i % groups.length]![0]]])) : obj([[kind, roleName(i)]]));
  const rules = s.rules.flatMap((r, i) => {
    const kind = p.kinds[r.kind % p.kinds.length]!;
    const from = party(r.from);
    const to = party(r.to);
    const actions = r.access === 'read-only' ? readOf(kind) : [...readOf(kind), ...writeOf(kind)];
    if (kind.module || kind.owner === null || from === undefined || to === undefined || actions.length === 0) return [];
    if (r.from[0] !== 'group' ? kind.ownerRole === null : kind.ownerRole === null && kind.team === null) return [];
    return [[RULE_NAMES[i]!, obj([['resource', kind.name], ['from', from], ['to', to], ['access', r.access], ...(r.superiors ? [['superiors', true] as const] : [])])] as const];
  });
  const parents = parentKinds(p);
  // R-K7: a note requires the first module's first permission, with a condition in every other policy
  const module = p.kinds.find((k) => k.module && k.actions.length > 0);
  const requires = module === undefined ? [] : [['requires', obj([['capability', `${module.name}.${module.actions[0]}`], ...(parents.length % 2 === 0 ? [] : [['when', 'resource.hasFile'] as const])])] as const];
  const note = parents.length === 0 ? [] : [['note', obj([
    ['actions', ['view', 'create', 'edit']],
    ['attributes', obj([['parent', 'record'], ['hasFile', 'boolean']])],
    ['parent', obj([['attribute', 'parent'], ['resources', parents.map((k) => k.name)]])],
    ...requires,
  ])] as const];
  return [
    ...(s.profiles.length > 0 ? [['profiles', obj(s.profiles.map((v, i) => [PROFILE_NAMES[i]!, v] as const))] as [string, unknown]] : []),
    ...(groups.length > 0 ? [['groups', obj(groups)] as [string, unknown]] : []),
    ...(rules.length > 0 ? [['sharingRules', obj(rules)] as [string, unknown]] : []),
    ...(s.reporting ? [['hierarchy', 'reporting'] as [string, unknown]] : []),
    ...(note.length > 0 ? [['resources', obj(note)] as [string, unknown]] : []),
  ];
}

/** The roles as written, each with its profile if the policy has it. */
function rolesWithProfiles(p: PolicySpec): (readonly [string, unknown])[] {
  return p.roleNames.map((name, i) => {
    const profile = p.sharing.profileOf[i];
    const value = p.roles[i]!;
    return [name, profile !== null && profile !== undefined && profile < p.sharing.profiles.length ? obj([...Object.entries(value), ['profile', PROFILE_NAMES[profile]!]]) : value] as const;
  });
}

/** The policy as YAML files: one file, resources and roles apart, or roles split in two. */
export function policyFiles(p: PolicySpec): Record<string, string> {
  const resources = p.kinds.filter((k) => !k.module).map((k) => [k.name, kindValue(k)] as const);
  const modules = p.kinds.filter((k) => k.module).map((k) => [k.name, kindValue(k)] as const);
  const roles = rolesWithProfiles(p);
  const section = (key: string, pairs: readonly (readonly [string, unknown])[]) => (pairs.length > 0 ? [[key, obj(pairs)] as const] : []);
  const shifts = [...section('shifts', p.shifts.map((name) => [name, SHIFT_DEFS[name]!] as const)), ...section('context', p.context ? [['region', 'string'] as const] : []), ...section('principal', p.context ? [['limit', 'number'] as const] : [])];
  const file = (...sections: (readonly [string, unknown])[][]) => stringify(obj(sections.flat()));
  // the sharing model in a file of its own (a second `resources` section holds the `note` kind)
  const sharing = sharingSections(p);
  const extra = sharing.length > 0 ? { 'sharing.yaml': stringify(obj(sharing)) } : {};
  if (p.layout === 'one') return { 'policy.yaml': file(section('resources', resources), section('modules', modules), shifts, section('roles', roles)), ...extra };
  if (p.layout === 'split') return { 'resources.yaml': file(section('resources', resources), section('modules', modules), shifts), 'roles.yaml': file(section('roles', roles)), ...extra };
  const half = Math.ceil(roles.length / 2);
  return {
    'a/roles.yaml': file(section('roles', roles.slice(0, half))),
    'kinds.yml': file(section('resources', resources), section('modules', modules), shifts),
    'z.yaml': file(section('roles', roles.slice(half))),
    ...extra,
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
  /** The organisations the principal belongs to, as the user directory gives them (R-Z13). */
  readonly organisations: { readonly absent: true } | { readonly value: unknown };
  readonly kind: number | unknown;
  readonly action: number | string;
  /** Values of the kind's owner, team, ownerRole, extra, organisation and subscribers attributes. */
  readonly attrs: readonly ({ readonly missing: true } | { readonly value: unknown })[];
  /** The principal's `reports` (R-Z4): absent, a list or set of ids, or malformed. */
  readonly reports: { readonly absent: true } | { readonly value: unknown };
  /** For a `note` (R-Z11): its parent record — a kind (index or bogus) and attribute values — or a malformed value. */
  readonly parent: { readonly kind: number | unknown; readonly attrs: RequestSpec['attrs'] } | { readonly value: unknown };
  /** For a `note` that requires a capability (R-K7): its `hasFile`, absent, a boolean, or of the wrong type. */
  readonly hasFile: { readonly absent: true } | { readonly value: unknown };
  /** The principal's `shift` (R-Z10): a number picks one of the policy's shifts. */
  readonly shift: { readonly absent: true } | { readonly value: unknown };
  /** The request's context: absent, or a value (usually `{ now }`). */
  readonly context: { readonly absent: true } | { readonly value: unknown };
  /** The principal's `profile` (R-Z2): a number picks one of {@link PROFILE_NAMES}, which the policy may not declare. */
  readonly profile: { readonly absent: true } | { readonly value: unknown };
  /** The principal's `roles` besides `role`: numbers pick the policy's roles (the first stays `role`), or a malformed value. */
  readonly roles: { readonly absent: true } | { readonly value: unknown } | { readonly pick: readonly (number | string)[] };
}

const at = (iso: string) => new Date(iso);
/**
 * Instants for `context.now`: the DST changes of Europe/Warsaw (2026-03-29 01:00Z, 2026-10-25
 * 01:00Z) and the hours around them, and the edges of the shifts of {@link SHIFT_DEFS}.
 */
export const NOWS: readonly Date[] = [
  ...['00:30', '00:59:59', '01:00', '01:29', '01:30', '02:00', '02:30', '03:00'].map((t) => at(`2026-03-29T${t}Z`)),
  ...['00:29', '00:30', '00:59:59', '01:00', '01:30', '02:00', '02:30', '03:00'].map((t) => at(`2026-10-25T${t}Z`)),
  // day (Warsaw, Monday 2026-11-30, CET): 09:00 = 08:00Z, 17:00 = 16:00Z
  at('2026-11-30T07:59:59Z'), at('2026-11-30T08:00:00Z'), at('2026-11-30T15:59:59Z'), at('2026-11-30T16:00:00Z'),
  // night (+11:00): 22:00 = 11:00Z, 06:00 = 19:00Z the day before
  at('2026-11-30T10:59:00Z'), at('2026-11-30T11:00:00Z'), at('2026-11-29T18:59:00Z'), at('2026-11-29T19:00:00Z'),
  // weekend (New York, EST): Saturday 20:00 = Sunday 01:00Z, Monday 02:00 = 07:00Z
  at('2026-12-06T00:59:00Z'), at('2026-12-06T01:00:00Z'), at('2026-12-07T06:59:00Z'), at('2026-12-07T07:00:00Z'), at('2026-12-05T07:00:00Z'),
];

export const contextArb: fc.Arbitrary<RequestSpec['context']> = fc.oneof(
  { arbitrary: fc.constant({ absent: true as const }), weight: 4 },
  { arbitrary: fc.constantFrom(...NOWS).map((now) => ({ value: { now } })), weight: 14 },
  { arbitrary: fc.tuple(fc.constantFrom(...NOWS), fc.constantFrom<unknown>('eu', 'us', 7)).map(([now, region]) => ({ value: { now, region } })), weight: 6 },
  { arbitrary: fc.constantFrom<unknown>({}, { now: '2026-03-29T01:00:00Z' }, { now: new Date(Number.NaN) }, { now: 1774746000000 }).map((value) => ({ value })), weight: 3 },
  { arbitrary: fc.constantFrom<unknown>('now', 7, null, []).map((value) => ({ value })), weight: 1 },
  // `now` inherited from a class, not an own property: conditions do not see it (docs/conditions.md).
  // (Not `Object.create({ now })`: docs/conditions.md, departure 7, reads inherited fields of such objects.)
  { arbitrary: fc.constantFrom(...NOWS).map((now) => ({ value: new (class RequestContext { get now() { return now; } })() as unknown })), weight: 1 },
);

export const wrongType = fc.constantFrom<unknown>(7, null, true, ['u1'], { toString: 'u1' });
export const attrArb = (strings: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: fc.constant({ missing: true as const }), weight: 1 }, { arbitrary: strings.map((value) => ({ value })), weight: 8 }, { arbitrary: wrongType.map((value) => ({ value })), weight: 1 });

const attrsArb = fc.tuple(
  attrArb(fc.constantFrom(...IDS)),
  attrArb(fc.constantFrom(...GROUPS)),
  attrArb(fc.oneof({ arbitrary: fc.nat(), weight: 4 }, { arbitrary: fc.constantFrom('nobody', 'REP'), weight: 1 })),
  attrArb(fc.constantFrom<unknown>('u1', 3, 150, false, ['g1'])),
  attrArb(fc.constantFrom('o1', 'o2')),
  attrArb(fc.subarray(IDS)),
  attrArb(fc.constantFrom(...STAGES, 'Won')),
  attrArb(fc.constantFrom(...PIPELINES, 'p3')),
);

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
  organisations: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 6 },
    { arbitrary: fc.subarray(['o1', 'o2']).map((value) => ({ value })), weight: 3 },
    // malformed, and a list with a hole (a hole is no membership)
    { arbitrary: fc.constantFrom<unknown>('o1', 7, [, 'o1'], new Set(['o1'])).map((value) => ({ value })), weight: 1 },
  ),
  kind: fc.oneof({ arbitrary: fc.nat(), weight: 12 }, { arbitrary: fc.constantFrom<unknown>('unknown', 'Lead', 'toString', 42), weight: 1 }),
  action: fc.oneof({ arbitrary: fc.nat(), weight: 12 }, { arbitrary: fc.constantFrom('nope', '*', 'toString', 'VIEW'), weight: 1 }),
  attrs: attrsArb,
  reports: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 2 },
    { arbitrary: fc.subarray(IDS).map((ids) => ({ value: ids })), weight: 4 },
    { arbitrary: fc.subarray(IDS).map((ids) => ({ value: new Set(ids) })), weight: 2 },
    { arbitrary: fc.constantFrom<unknown>('u1', null, 7).map((value) => ({ value })), weight: 1 },
  ),
  parent: fc.oneof(
    { arbitrary: fc.record({ kind: fc.oneof({ arbitrary: fc.nat(), weight: 8 }, { arbitrary: fc.constantFrom<unknown>('note', 'nope', 3), weight: 1 }), attrs: attrsArb }), weight: 8 },
    { arbitrary: fc.constantFrom<unknown>(undefined, null, 'lead', 7).map((value) => ({ value })), weight: 1 },
  ),
  hasFile: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 1 },
    { arbitrary: fc.boolean().map((value) => ({ value })), weight: 6 },
    { arbitrary: fc.constantFrom<unknown>('yes', 1, null).map((value) => ({ value })), weight: 1 },
  ),
  shift: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 4 },
    { arbitrary: fc.nat().map((value) => ({ value })), weight: 4 },
    { arbitrary: fc.constantFrom<unknown>(...SHIFT_NAMES, 'nope').map((value) => ({ value })), weight: 1 },
    { arbitrary: fc.constantFrom<unknown>(7, null).map((value) => ({ value })), weight: 1 },
  ),
  context: contextArb,
  profile: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 8 },
    { arbitrary: fc.nat().map((value) => ({ value })), weight: 3 },
    { arbitrary: fc.constantFrom<unknown>('nope', 'rep', 7, null).map((value) => ({ value })), weight: 1 },
  ),
  roles: fc.oneof(
    { arbitrary: fc.constant({ absent: true as const }), weight: 6 },
    { arbitrary: fc.array(fc.oneof({ arbitrary: fc.nat(), weight: 8 }, { arbitrary: fc.constant('nobody'), weight: 1 }), { minLength: 1, maxLength: 3 }).map((pick) => ({ pick })), weight: 4 },
    { arbitrary: fc.constantFrom<unknown>([], 'rep', [7], null, [, 'rep']).map((value) => ({ value })), weight: 1 },
  ),
});

export function concrete(p: PolicySpec, q: RequestSpec): { principal: unknown; action: string; resource: unknown; context: unknown } {
  const context = 'value' in q.context ? q.context.value : undefined;
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
        ...('value' in q.organisations ? [['organisations', q.organisations.value] as const] : []),
        ...('value' in q.reports ? [['reports', q.reports.value] as const] : []),
        ...('value' in q.roles ? [['roles', q.roles.value] as const] : []),
        ...('pick' in q.roles ? [['roles', [role, ...q.roles.pick.map((r) => (typeof r === 'number' ? p.roleNames[r % p.roleNames.length] : r))]] as const] : []),
        ...('value' in q.profile ? [['profile', typeof q.profile.value === 'number' ? PROFILE_NAMES[q.profile.value % PROFILE_NAMES.length] : q.profile.value] as const] : []),
        ...('value' in q.shift ? [['shift', typeof q.shift.value === 'number' ? (p.shifts.length > 0 ? p.shifts[q.shift.value % p.shifts.length] : 'nope') : q.shift.value] as const] : []),
        // the declared `principal.limit`: u1 and u2 have one, u3 not
        ...(q.id === 'u3' ? [] : [['limit', q.id === 'u1' ? 100 : 3.5] as const]),
      ]);
  // kinds by number: the policy's kinds, then its `note` kind if it has one
  const note = parentKinds(p).length > 0;
  const kindCount = p.kinds.length + (note ? 1 : 0);
  const isNote = typeof q.kind === 'number' && note && q.kind % kindCount === p.kinds.length;
  const kind = typeof q.kind === 'number' && !isNote ? p.kinds[q.kind % kindCount] : undefined;
  const action = typeof q.action === 'number' ? (isNote ? ['view', 'create', 'edit'][q.action % 3]! : kind ? kind.actions[q.action % kind.actions.length]! : 'view') : q.action;
  if (isNote) {
    const parent = 'value' in q.parent ? q.parent.value : record(p, q.parent.kind, q.parent.attrs);
    return { principal, action, resource: obj([['kind', 'note'], ...(parent === undefined ? [] : [['parent', parent] as const]), ...('value' in q.hasFile ? [['hasFile', q.hasFile.value] as const] : [])]), context };
  }
  return { principal, action, resource: record(p, kind ? kind.name : q.kind, q.attrs), context };
}

/** A record of kind `kind` (a name, an index into the policy's kinds, or a bogus value) with these attribute values. */
function record(p: PolicySpec, kindOrIndex: unknown, values: RequestSpec['attrs']): Record<string, unknown> {
  const kind = typeof kindOrIndex === 'number' ? p.kinds[kindOrIndex % p.kinds.length] : p.kinds.find((k) => k.name === kindOrIndex);
  const names = kind ? [kind.owner, kind.team, kind.ownerRole, kind.extra !== null ? 'amount' : null, kind.organisation, kind.subscribers !== null ? 'subscribers' : null, kind.stage ? 'stage' : null, kind.pipeline ? 'pipeline' : null] : [];
  const attrs = names.flatMap((name, i) => {
    const a = values[i]!;
    if (name === null || !('value' in a)) return [];
    // attribute 2 is the owner's role: numbers pick one of the policy's roles
    return [[name, i === 2 && typeof a.value === 'number' ? p.roleNames[a.value % p.roleNames.length] : a.value] as const];
  });
  return obj([['kind', kind ? kind.name : kindOrIndex], ...attrs]);
}
