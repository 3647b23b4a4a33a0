/**
 * Bring your own objects (issue 17, first point): a policy says where the principal's built-in
 * values live (`principal: { groups: groupIds }`), and the checker has one entry per resource
 * kind (`checker.lead.can(user, 'edit', lead)`) that takes the application's record as it is —
 * no `kind`, nothing copied — and decides exactly as `can` does on the same record with its kind.
 * The own-data rule (issue 13) holds through the entry and the mapped names alike.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileDir, compileSources as compileTexts } from '../compiler/index.ts';
import { DiagnosticBag } from '../compiler/diagnostics/diagnostic.ts';
import { decide, decideKind, type ReferenceDecision } from '../compiler/reference/interpret.ts';
import { loadTests } from '../compiler/testing/tests.ts';
import type { Checker, Decision, KindChecker } from '../packages/runtime/src/index.ts';
import { concrete, policyArb, policyFiles, requestArb } from './helpers/arbitraries.ts';
import { checkerOf, compileSources, importBundle } from './helpers/policy.ts';
import { polluted } from './helpers/pollution.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Everything a decision says, for comparing two ways of asking. */
const whole = (d: Decision): unknown[] => [d.allow, d.code, d.reason, d.rule?.id];

/** The part both the checker and the reference interpreter decide. */
function essence(d: Decision | ReferenceDecision): ReferenceDecision {
  const r = d.rule;
  return r === undefined
    ? { allow: d.allow, code: d.code }
    : { allow: d.allow, code: d.code, rule: { kind: r.kind, ...(r.name !== undefined ? { name: r.name } : {}), role: r.role, declaredIn: r.declaredIn, level: r.level } };
}

/** The record without its `kind` (the application's own object): a copy with every other own property. */
function withoutKind(resource: unknown): unknown {
  if (!isObject(resource)) return resource;
  const copy = Object.create(Object.getPrototypeOf(resource) as object | null) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(resource)) if (key !== 'kind') Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(resource, key)!);
  return copy;
}

/** A kind's entry asked with anything, as hostile callers do. */
type AnyEntry = KindChecker<unknown, string, unknown>;
const kindsOf = (checker: Checker): Readonly<Record<string, AnyEntry>> => checker.kinds as unknown as Readonly<Record<string, AnyEntry>>;

describe.each(['kommo-crm', 'zoho-hierarchy', 'zoho-reporting', 'gtg-marketing'])('the per-kind entries of %s decide as `can` does', (set) => {
  it('R-K3 R-K5 R-K8 R-K9 R-Z1 R-Z5 R-Z11 issue 17: every decision table request, and random variations of it, get the same decision without `kind`', async () => {
    const dir = join(root, 'policies', set);
    const result = await compileDir(dir);
    const checker = (await importBundle(result.output!.bundle)).checker as Checker;
    const kinds = result.model!.resources.map((r) => r.name);
    const { tests } = loadTests(dir, new DiagnosticBag());
    expect(tests.length).toBeGreaterThan(0);
    // the values the tables use, to vary the requests with
    const requests = tests.filter((t) => isObject(t.resource) && isObject(t.principal));
    const values = [...new Set(requests.flatMap((t) => [...Object.values(t.resource as object), ...Object.values(t.principal as object)]).filter((v) => typeof v === 'string' || Array.isArray(v)))];
    const property = fc.property(
      fc.constantFrom(...requests),
      fc.constantFrom(...kinds),
      fc.array(fc.tuple(fc.constantFrom('principal', 'resource'), fc.constantFrom(...new Set(requests.flatMap((t) => [...Object.keys(t.resource as object), ...Object.keys(t.principal as object)]))), fc.constantFrom(undefined, 42, ...values)), { maxLength: 3 }),
      fc.constantFrom(...new Set(requests.flatMap((t) => [...t.expect.keys()]))),
      (test, kind, changes, action) => {
        const principal: Record<string, unknown> = { ...(test.principal as object) };
        const resource: Record<string, unknown> = { ...(test.resource as object), kind };
        for (const [side, key, value] of changes) (side === 'principal' ? principal : resource)[key] = value;
        resource.kind = kind;
        const context = test.context as never;
        const entry = kindsOf(checker)[kind]!;
        expect(whole(entry.can(principal, action, withoutKind(resource), context))).toEqual(whole(checker.can(principal as never, action as never, resource as never, context)));
      },
    );
    fc.assert(property, { numRuns: 400 });
  });
});

describe('issue 17: per-kind entries against the reference interpreter, random policies', () => {
  it('R-K1 R-K3 R-K4 R-K8 R-Z1 R-Z4 R-Z11 random policies × requests: `checker.kinds[k].can` on a record without `kind` is what the interpreter decides for kind k', async () => {
    let total = 0;
    const property = fc.asyncProperty(policyArb, fc.array(requestArb, { minLength: 1, maxLength: 40 }), async (policy, requests) => {
      const files = policyFiles(policy);
      const parsed = Object.values(files).map((text) => parse(text) as unknown);
      const checker = await checkerOf(await compileTexts('own-objects', Object.entries(files).map(([path, text]) => ({ path, text }))));
      for (const q of requests) {
        const { principal, action, resource, context } = concrete(policy, q);
        const kind = isObject(resource) ? resource.kind : undefined;
        if (typeof kind !== 'string' || !Object.hasOwn(checker.kinds, kind)) continue;
        const got = kindsOf(checker)[kind]!.can(principal, action, withoutKind(resource), context as never);
        const want = decideKind(parsed, kind, principal, action, withoutKind(resource), context);
        expect(essence(got), JSON.stringify({ principal, action, resource, context })).toEqual(want);
        // and the same as `can` on the record with its kind
        expect(essence(got)).toEqual(essence(checker.can(principal as never, action as never, resource as never, context as never)));
        total++;
      }
    });
    await fc.assert(property, { numRuns: 40 });
    expect(total).toBeGreaterThan(100);
  });

  it('R-K3 R-K8 R-Z4 R-Z13 moving the principal\'s built-in values to fields of other names changes no decision (where no condition reads them)', async () => {
    const FIELDS: Readonly<Record<string, string>> = { id: 'userId', role: 'userRole', groups: 'groupIds', organisation: 'orgId', reports: 'reportIds' };
    let total = 0;
    // conditions read `principal.groups` by that name (docs/policy-language.md): policies with such
    // conditions are left out when generated (not skipped after), so every run counts
    const readsNoPrincipal = policyArb.filter((policy) => !Object.values(policyFiles(policy)).some((text) => text.includes('principal.')));
    const property = fc.asyncProperty(readsNoPrincipal, fc.array(requestArb, { minLength: 1, maxLength: 30 }), async (policy, requests) => {
      const files = policyFiles(policy);
      const first = Object.keys(files)[0]!;
      const moved = { ...files, 'principal.yaml': `principal:\n${Object.entries(FIELDS).map(([b, f]) => `  ${b}: ${f}\n`).join('')}` };
      const parsed = Object.values(moved).map((text) => parse(text) as unknown);
      expect(first).toBeDefined();
      const [plain, mapped] = await Promise.all([files, moved].map(async (f) => checkerOf(await compileTexts('moved', Object.entries(f).map(([path, text]) => ({ path, text }))))));
      for (const q of requests) {
        const { principal, action, resource, context } = concrete(policy, q);
        const own = isObject(principal) ? Object.fromEntries(Object.entries(principal).map(([k, v]) => [FIELDS[k] ?? k, v])) : principal;
        const want = essence(plain!.can(principal as never, action as never, resource as never, context as never));
        expect(essence(mapped!.can(own as never, action as never, resource as never, context as never)), JSON.stringify({ own, action, resource })).toEqual(want);
        expect(decide(parsed, own, action, resource, context)).toEqual(want);
        total++;
      }
    });
    await fc.assert(property, { numRuns: 20 });
    expect(total).toBeGreaterThan(50);
  });
});

describe('issue 17: the application\'s own users and leads', () => {
  const POLICY = {
    'policy.yaml': `
principal:
  groups: groupIds
resources:
  lead:
    actions: [view, edit]
    attributes: { ownerId: string, groupId: string, stage: string }
    owner: ownerId
    team: groupId
    stage: stage
roles:
  admin:
    administrator: true
  rep:
    grants: { lead: { view: blue, edit: yellow } }
    stages:
      lead:
        won: { edit: red }
`,
  };
  const rep = { id: 'u1', role: 'rep', groupIds: ['north'] };
  const lead = { id: 'l1', ownerId: 'u2', groupId: 'north', stage: 'new' };

  it('R-K3 R-K8 a lead without `kind` is checked through `checker.lead`, the team read from `groupIds`; `groups` means nothing here', async () => {
    const checker = await compileSources(POLICY);
    const leads = (checker as unknown as { lead: AnyEntry }).lead;
    expect(leads).toBe(checker.kinds.lead);
    expect(leads.can(rep, 'view', lead)).toMatchObject({ allow: true, code: 'team' });
    expect(leads.can(rep, 'edit', lead)).toMatchObject({ allow: false, code: 'not-reached' });
    expect(leads.can(rep, 'edit', { ...lead, ownerId: 'u1' })).toMatchObject({ allow: true, code: 'own' });
    expect(leads.can({ ...rep, groupIds: undefined, groups: ['north'] }, 'view', lead)).toMatchObject({ allow: false, code: 'not-reached' });
    expect(leads.can({ ...rep, groupIds: 'north' }, 'view', lead)).toMatchObject({ allow: false, code: 'invalid-request' });
    // R-K5 the stage override reads the application's `stage`
    expect(leads.can(rep, 'edit', { ...lead, ownerId: 'u1', stage: 'won' })).toMatchObject({ allow: false, code: 'denied' });
    // the generic entry still wants a kind, and says the same with it
    expect(checker.can(rep as never, 'view', lead as never)).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(whole(checker.can(rep as never, 'view', { ...lead, kind: 'lead' } as never))).toEqual(whole(leads.can(rep, 'view', lead)));
    // a `kind` on the record changes nothing for the per-kind entry
    expect(whole(leads.can(rep, 'view', { ...lead, kind: 'contact' }))).toEqual(whole(leads.can(rep, 'view', lead)));
    // plans and field masks read `groupIds` too
    expect(checker.plan(rep as never, 'view', 'lead').result).not.toBe('never');
    expect(checker.fields(rep as never, { ...lead, kind: 'lead' } as never)).toMatchObject({ ownerId: 'read-write' });
  });

  it('R-K1 R-K3 polluting the mapped names (`groupIds`, `ownerId`, `groupId`, `stage`) on Object.prototype or Array.prototype changes no decision', async () => {
    const checker = await compileSources(POLICY);
    const leads = kindsOf(checker).lead!;
    const requests: [unknown, string, unknown][] = [
      [rep, 'view', lead], [rep, 'edit', lead], [{ id: 'u1', role: 'rep' }, 'view', lead], [rep, 'view', { ownerId: 'u2' }],
      [rep, 'edit', { ownerId: 'u1' }], [rep, 'view', {}], [{ id: 'u1', role: 'rep', groupIds: [, 'south'] }, 'view', lead], // eslint-disable-line no-sparse-arrays
    ];
    const answers = () => requests.map(([p, a, r]) => JSON.stringify(whole(leads.can(p, a, r))));
    const expected = answers();
    for (const target of [Object.prototype, Array.prototype]) {
      for (const key of ['groupIds', 'ownerId', 'groupId', 'stage', 'id', 'role', '0', '1']) {
        if (Object.hasOwn(target, key)) continue;
        for (const value of ['u1', 'north', 'won', ['north'], 'rep', 'admin', 1]) expect(polluted(target, key, value, answers), `${key} = ${JSON.stringify(value)}`).toEqual(expected);
      }
    }
  });

  it('R-K1 hostile objects through the per-kind entry: a denial with a code, never a throw; class getters still count', async () => {
    const checker = await compileSources(POLICY);
    const leads = kindsOf(checker).lead!;
    const throwing = new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    const getter = Object.defineProperty({ id: 'l1' }, 'ownerId', { get: () => { throw new Error('getter'); }, enumerable: true });
    const cyclic: Record<string, unknown> = { ownerId: 'u2', groupId: 'north' };
    cyclic.self = cyclic;
    const cases: [unknown, unknown, unknown, string][] = [
      [null, 'view', lead, 'invalid-request'], ['u1', 'view', lead, 'invalid-request'], [rep, 'view', null, 'invalid-request'],
      [rep, 'view', 'l1', 'invalid-request'], [rep, 'view', throwing, 'error'], [throwing, 'view', lead, 'error'],
      [rep, 'view', getter, 'error'], [rep, 'view', cyclic, 'team'], [rep, 7, lead, 'unknown-action'], [rep, 'view', lead, 'team'],
      [{ id: 'u1', role: 'rep', groupIds: new Proxy(['north'], {}) }, 'view', lead, 'team'],
      [rep, 'view', Object.assign(Object.create(null) as object, lead), 'team'],
      // an array as a record: only what it owns counts, whatever Array.prototype holds
      [rep, 'view', Object.assign([], lead), 'team'],
    ];
    for (const [p, a, r, code] of cases) {
      const d = leads.can(p, a as string, r, undefined);
      expect(d.code, String(code)).toBe(code);
      expect(typeof d.reason).toBe('string');
    }
    expect(leads.can(rep, 'view', lead, 5 as never)).toMatchObject({ allow: false, code: 'invalid-request' });
    class Lead {
      constructor(private readonly owner: string) {}
      get ownerId(): string {
        return this.owner;
      }
      get groupId(): string {
        return 'south';
      }
      get stage(): string {
        return 'new';
      }
    }
    expect(leads.can(rep, 'edit', new Lead('u1'))).toMatchObject({ allow: true, code: 'own' });
    expect(polluted(Array.prototype, 'ownerId', 'u1', () => leads.can(rep, 'view', Object.assign([], { groupId: 'x' })))).toMatchObject({ allow: false, code: 'missing-attribute' });
  });

  it('a field that already holds another principal value is reported (PC3004); a type for a built-in stays PC3013', async () => {
    const clash = await compileTexts('clash', [{ path: 'p.yaml', text: 'principal:\n  groups: id\nresources:\n  lead: { actions: [view] }\nroles:\n  rep: { grants: { lead: { view: green } } }\n' }]);
    expect(clash.diagnostics.map((d) => [d.code, d.message])).toEqual([['PC3004', 'field `id` already holds `principal.id`']]);
    const typed = await compileTexts('typed', [{ path: 'p.yaml', text: 'principal:\n  groups: string[]\nresources:\n  lead: { actions: [view] }\nroles:\n  rep: { grants: { lead: { view: green } } }\n' }]);
    expect(typed.diagnostics.map((d) => d.code)).toEqual(['PC3013']);
  });
});

describe('issue 13 through the fast path: objects of built-in prototypes and keys the built-ins have', () => {
  it('R-K1 R-K8 a principal or record whose prototype is a Date or an array reads only its own values, polluted or not', async () => {
    const checker = await compileSources({
      'policy.yaml': 'principal:\n  groups: groupIds\nresources:\n  lead:\n    actions: [view]\n    attributes: { ownerId: string, groupId: string }\n    owner: ownerId\n    team: groupId\nroles:\n  rep:\n    grants: { lead: { view: blue } }\n',
    });
    const leads = kindsOf(checker).lead!;
    const user = Object.assign(Object.create(Date.prototype) as object, { id: 'u1', role: 'rep' });
    const lead = Object.assign([], { ownerId: 'u2', groupId: 'north' });
    const before = whole(leads.can(user, 'view', lead));
    expect(before.slice(0, 2)).toEqual([false, 'not-reached']);
    expect(polluted(Date.prototype, 'groupIds', ['north'], () => whole(leads.can(user, 'view', lead)))).toEqual(before);
    expect(polluted(Array.prototype, 'ownerId', 'u1', () => whole(leads.can(user, 'view', Object.assign([], { groupId: 'north' }))))).toEqual(whole(leads.can(user, 'view', Object.assign([], { groupId: 'north' }))));
    expect(polluted(Date.prototype, 'role', 'rep', () => leads.can(Object.create(Date.prototype) as object, 'view', lead).code)).toBe('invalid-request');
  });

  it('R-K1 R-K8 a condition\'s fields (CEL fast paths read them plainly): a built-in prototype holding one never decides', async () => {
    const checker = await compileSources({
      'policy.yaml': "principal:\n  approvalLimit: number\nresources:\n  lead:\n    actions: [edit]\n    attributes: { amount: number }\nroles:\n  rep:\n    grants: { lead: { edit: { level: green, when: 'resource.amount <= principal.approvalLimit' } } }\n",
    });
    const leads = kindsOf(checker).lead!;
    const user = Object.assign([], { id: 'u1', role: 'rep' });
    const lead = Object.assign(Object.create(Date.prototype) as object, { amount: 500 });
    for (const can of [(u: object, r: object) => leads.can(u, 'edit', r), (u: object, r: object) => checker.can(u as never, 'edit', { ...r, kind: 'lead' } as never)]) {
      expect(can(user, lead)).toMatchObject({ allow: false, code: 'condition' });
      expect(polluted(Array.prototype, 'approvalLimit', 1000, () => can(user, lead))).toMatchObject({ allow: false, code: 'condition' });
      expect(polluted(Date.prototype, 'amount', 5, () => can(Object.assign(user, { approvalLimit: 100 }), Object.create(Date.prototype) as object))).toMatchObject({ allow: false, code: 'condition' });
      expect(can({ id: 'u1', role: 'rep', approvalLimit: 1000 }, { amount: 500 })).toMatchObject({ allow: true });
    }
  });

  it('R-K3 a policy reading a key a built-in prototype has (`description`, `size`) decides by the own values', async () => {
    const checker = await compileSources({
      'policy.yaml': 'principal:\n  groups: size\nresources:\n  lead:\n    actions: [view]\n    attributes: { description: string, name: string }\n    owner: description\n    team: name\nroles:\n  rep:\n    grants: { lead: { view: blue } }\n',
    });
    const leads = kindsOf(checker).lead!;
    expect(leads.can({ id: 'u1', role: 'rep' }, 'view', { description: 'u1' })).toMatchObject({ allow: true, code: 'own' });
    // a Symbol-like record: `description` of Symbol.prototype is not the record's
    expect(leads.can({ id: 'u1', role: 'rep' }, 'view', Object.create(Symbol.prototype) as object)).toMatchObject({ allow: false, code: 'missing-attribute' });
    // a Map as the principal: its `size` is Map.prototype's getter, not a list of groups
    expect(leads.can(Object.assign(new Map(), { id: 'u1', role: 'rep' }), 'view', { description: 'u2', name: 'north' })).toMatchObject({ allow: false, code: 'not-reached' });
    expect(leads.can({ id: 'u1', role: 'rep', size: ['north'] }, 'view', { description: 'u2', name: 'north' })).toMatchObject({ allow: true, code: 'team' });
  });
});
