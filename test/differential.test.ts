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
import { parse } from 'yaml';
import { fieldAccess } from '../compiler/reference/fields.ts';
import { decide, type ReferenceDecision } from '../compiler/reference/interpret.ts';
import { toPredicate, type Checker, type Decision } from '../packages/runtime/src/index.ts';
import { compileSources } from '../compiler/index.ts';
import { traceDecision } from '../compiler/explain/trace.ts';
import { concrete, fieldNamesOf, obj, parentKinds, policyArb, policyFiles, requestArb, wellTyped, type PolicySpec } from './helpers/arbitraries.ts';
import { checkerOf } from './helpers/policy.ts';

/** The part of a decision both sides must agree on. */
function essence(d: Decision | ReferenceDecision): ReferenceDecision {
  const r = d.rule;
  return r === undefined
    ? { allow: d.allow, code: d.code }
    : { allow: d.allow, code: d.code, rule: { kind: r.kind, ...(r.name !== undefined ? { name: r.name } : {}), role: r.role, declaredIn: r.declaredIn, level: r.level } };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

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
    const [, who, action, kind, attrs, id, groups, verdict, code] = m!;
    // `<role>[,<role>…][/<profile>]`: several roles and the profile the principal carries
    const [names, profile] = who!.split('/');
    const roles = names!.split(',');
    const principal = obj([
      ['id', id],
      ['role', roles[0]],
      ...(roles.length > 1 ? [['roles', roles] as const] : []),
      ...(profile === undefined ? [] : [['profile', profile] as const]),
      ...(groups === undefined ? [] : [['groups', groups.split(',').filter(Boolean)] as const]),
    ]);
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

describe('reference interpreter: shifts read own properties, as conditions do', () => {
  it("R-Z10 a `now` getter of the context's class is seen (issue 13, own-data rule), in the reference and the checker alike", async () => {
    const text = `resources:
  lead: { actions: [view], attributes: {} }
shifts:
  day: { days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00', timeZone: Europe/Warsaw }
roles:
  rep: { shift: day, grants: { lead: { view: { level: all, duringShift: true } } } }
`;
    const checker = await checkerOf(await compileSources('shift', [{ path: 'p.yaml', text }]));
    const now = new Date('2026-11-30T08:30:00Z'); // a Monday, 09:30 in Warsaw
    class RequestContext {
      get now(): Date {
        return now;
      }
    }
    const principal = { id: 'u1', role: 'rep' };
    for (const [context, code] of [[{ now }, 'all'], [new RequestContext(), 'all'], [{ now: now.toISOString() }, 'condition'], [undefined, 'condition']] as const) {
      expect(decide([parse(text)], principal, 'view', { kind: 'lead' }, context).code).toBe(code);
      expect(checker.can(principal, 'view', { kind: 'lead' }, context as never).code).toBe(code);
    }
    // the principal's `shift` from its class counts too: `night` is no shift of the policy, so not met
    class Night {
      get shift(): string {
        return 'night';
      }
    }
    const inherited = Object.assign(new Night(), principal);
    expect(decide([parse(text)], inherited, 'view', { kind: 'lead' }, { now }).code).toBe('condition');
    expect(checker.can(inherited as never, 'view', { kind: 'lead' }, { now }).code).toBe('condition');
  });
});

// ---------------------------------------------------------------------------------------------
// Random policies (generators in test/helpers/arbitraries.ts, shared with test/pglite-random.test.ts)

describe('differential: generated checkers decide exactly as the reference interpreter', () => {
  // one compiled checker per random policy serves both comparisons: compiling is most of the work
  it('R-K1 R-K3 R-K4 R-K6 R-K8 R-K9 R-Z1 R-Z2 (profiles the principal carries) R-Z3 (several roles) R-Z4 R-Z5 R-Z6 R-Z7 R-Z8 R-Z9 R-Z11 R-K7 (a note requiring a capability) random policies × random requests: same allow, code and rule, and (R-K6 R-Z9, policies with `fields`) the same access for every field', async () => {
    const seen = new Map<string, number>();
    const fieldsSeen = new Map<string, number>();
    let total = 0;
    let reachSets = 0;
    let recheck = 0;
    // records of a wrong attribute type that `can` allows through CEL's rules and the plan does not list
    let wider = 0;
    let withProfile = 0;
    let byOtherRole = 0;
    const property = fc.asyncProperty(policyArb, fc.array(requestArb, { minLength: 1, maxLength: 100, size: 'max' }), async (policy, requests) => {
      const files = policyFiles(policy);
      const parsed = Object.values(files).map((text) => parse(text) as unknown);
      const result = await compileSources('differential', Object.entries(files).map(([path, text]) => ({ path, text })));
      const checker = await checkerOf(result);
      if (result.output!.checkerTs.includes('new Set(')) reachSets++;
      for (const q of requests) {
        const { principal, action, resource, context } = concrete(policy, q);
        const want = decide(parsed, principal, action, resource, context);
        const got = checker.can(principal as never, action, resource as never, context as never);
        seen.set(want.code, (seen.get(want.code) ?? 0) + 1);
        total++;
        // a profile the policy declares, decided by a role's cell for that profile (R-Z2)
        if (isObject(principal) && typeof principal.profile === 'string' && want.rule !== undefined && want.rule.role !== '*') withProfile++;
        // several roles, decided by another than the first (the decision names it)
        if (isObject(principal) && Array.isArray(principal.roles) && want.allow && want.rule !== undefined && want.rule.role !== principal.role && want.rule.role !== '*') byOtherRole++;
        const request = JSON.stringify({ principal, action, resource, context });
        const policyText = Object.entries(files).map(([f, t]) => `--- ${f}\n${t}`).join('');
        expect(essence(got), `${request}\n${got.reason}\n${policyText}`).toEqual(want);
        // `policyc explain` walks to the same code
        expect(traceDecision(result.model!, principal, action, resource, context).code, `trace of ${request}\n${policyText}`).toBe(got.code);
        expectFieldsAsReference(policy, parsed, checker, { principal, resource, context }, `${request}\n${policyText}`, fieldsSeen);
        // and the query plan (issue 7) keeps exactly the records `can` allows, parents and
        // subscribers included (a superset to recheck where a condition has no filter)
        const kind = isObject(resource) ? resource.kind : undefined;
        const plan = checker.plan(principal as never, action, kind as never, context as never);
        const listed = toPredicate(plan)(resource as never);
        if (plan.recheck) {
          recheck++;
          if (got.allow) expect(listed, `plan ${JSON.stringify(plan)} misses an allowed record: ${request}\n${policyText}`).toBe(true);
          continue;
        }
        // exactly, on records whose attributes have their declared types; on others (where a
        // condition compares the record), never a record `can` denies
        if (wellTyped(policy, resource) || !policyText.includes('resource.')) expect(listed, `plan ${JSON.stringify(plan)} for ${request}\n${policyText}`).toBe(got.allow);
        else if (listed) expect(got.allow, `plan ${JSON.stringify(plan)} lists a record can denies: ${request}\n${policyText}`).toBe(true);
        else if (got.allow) wider++;
      }
    });
    const CODES = ['admin', 'all', 'own', 'team', 'hierarchy', 'peer', 'group', 'reports', 'shared', 'public', 'subscriber', 'parent', 'denied', 'default-deny', 'not-reached', 'missing-attribute', 'unknown-role', 'unknown-profile', 'unknown-resource', 'unknown-action', 'other-organisation', 'invalid-request', 'condition'];
    await fc.assert(property, { numRuns: Number(process.env.DIFFERENTIAL_RUNS ?? 120) }); // DIFFERENTIAL_RUNS=5000 for a longer hunt
    // the rarest paths (a sharing rule between the request's two roles, a peer) may need more
    // policies to be reached at all: more batches, each checked the same way, up to 5
    for (let batch = 0; batch < 5 && CODES.some((code) => !seen.has(code)); batch++) await fc.assert(property, { numRuns: 50 });
    console.log(`differential: ${total} requests (${withProfile} decided for a profile the principal carries, ${byOtherRole} allowed by another of several roles, ${recheck} with a plan to recheck, ${wider} allowed only for a wrong attribute type), ${reachSets} policies testing reach with a Set, ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(reachSets).toBeGreaterThan(5);
    expect(withProfile, 'requests decided for a profile the principal carries').toBeGreaterThan(20);
    expect(byOtherRole, 'requests allowed by another of several roles than the first').toBeGreaterThan(20);
    // every code of a decision is reached, so the comparison is not vacuous
    for (const code of CODES) {
      expect(seen.get(code) ?? 0, `code ${code} in ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
    }
    console.log(`differential fields: ${JSON.stringify(Object.fromEntries(fieldsSeen))}`);
    for (const access of ['hidden', 'read-only', 'read-write']) expect(fieldsSeen.get(access) ?? 0, access).toBeGreaterThan(20);
  }, 300_000);
});

/**
 * The field mask of a request (R-K6, R-Z9) is the reference interpreter's access for every
 * declared field, and undefined for `kind` and for a field the kind does not declare; counts the
 * access words met in `seen`.
 */
function expectFieldsAsReference(
  policy: PolicySpec,
  parsed: readonly unknown[],
  checker: Checker,
  { principal, resource, context }: { principal: unknown; resource: unknown; context: unknown },
  about: string,
  seen: Map<string, number>,
): void {
  const mask = checker.fields(principal as never, resource as never, context as never);
  const kindName = (resource as { kind: unknown }).kind;
  const kind = policy.kinds.find((k) => k.name === kindName);
  // the `note` kind of the sharing model (R-Z11) has two fields, its parent and `hasFile` (R-K7)
  const declared = kind !== undefined ? fieldNamesOf(kind) : kindName === 'note' && parentKinds(policy).length > 0 ? ['parent', 'hasFile'] : [];
  expect(Object.keys(mask), about).toEqual(declared);
  for (const field of [...declared, 'kind', 'nope']) {
    const want = fieldAccess(parsed, principal, resource, field, context);
    const got = declared.includes(field) ? mask[field] : undefined;
    seen.set(String(want), (seen.get(String(want)) ?? 0) + 1);
    expect(got, `${field} of ${about}`).toBe(want);
  }
}

describe('reference interpreter: field access, hand-written cases (docs/fields.md)', () => {
  const files = [parse(`
resources:
  contact:
    actions: [view, edit]
    attributes: { owner: string, email: string, bank: string }
    owner: owner
  note:
    actions: [edit]
    attributes: { text: string }
    fieldDefault: read-only
roles:
  a: { grants: { contact: own }, fields: { contact: { bank: hidden, '*': read-only } } }
  b: { grants: { contact: green }, fields: { contact: { email: hidden } } }
  c: { extends: [a, b] }
  d: { extends: a, fields: { contact: { '*': read-write } } }
  boss: { administrator: true, fields: { contact: { bank: hidden } } }
  e: { extends: [b, boss] }
`) as unknown];
  const access = (role: string, field: string, record: Record<string, unknown> = { kind: 'contact', owner: 'u1' }) => fieldAccess(files, { id: 'u1', role }, record, field);

  it("R-Z9 own entry, then own '*', then the widest parent (a parent without a rule counting with the default)", () => {
    expect([access('a', 'bank'), access('a', 'email'), access('a', 'owner')]).toEqual(['hidden', 'read-only', 'read-only']);
    expect([access('c', 'bank'), access('c', 'email'), access('c', 'owner')]).toEqual(['read-write', 'read-only', 'read-write']);
    expect(access('d', 'bank')).toBe('read-write');
    expect(access('a', 'text', { kind: 'note' })).toBe('read-only');
  });

  it('R-Z8 R-Z9 administrators see everything; a record not viewed, a bad principal or an unknown role hide everything; unknown fields are undefined', () => {
    expect([access('boss', 'bank'), access('e', 'bank')]).toEqual(['read-write', 'read-write']);
    expect(access('a', 'email', { kind: 'contact', owner: 'u2' })).toBe('hidden');
    expect(fieldAccess(files, { id: 1, role: 'b' }, { kind: 'contact' }, 'email')).toBe('hidden');
    expect(access('nobody', 'email')).toBe('hidden');
    expect([access('a', 'kind'), access('a', 'nope'), access('a', 'text', { kind: 'lead' })]).toEqual([undefined, undefined, undefined]);
  });
});

