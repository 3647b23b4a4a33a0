/**
 * The generated entries (`checker.can`, `checker.<kind>.can`; compiler/emit/entries.ts) decide
 * plain requests in one frame and leave every other request to the runtime's checker
 * (packages/runtime/src/entries.ts). Both ways must give the same decision: the same data as a
 * plain object, a null-prototype object (the entry's path) or a class instance (the runtime's,
 * getters included), and hostile objects fail the same way on both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../packages/runtime/src/index.ts';
import { compileSources } from './helpers/policy.ts';

const POLICY = {
  'policy.yaml': `
principal:
  groups: groupIds
resources:
  lead:
    actions: [view, edit, delete]
    attributes: { ownerId: string, groupId: string, stage: string }
    owner: ownerId
    team: groupId
    stage: stage
roles:
  admin:
    administrator: true
  manager:
    grants: { lead: { view: blue, edit: blue, delete: yellow } }
  rep:
    grants: { lead: { view: blue, edit: yellow, delete: red } }
    stages:
      lead:
        won: { edit: red }
`,
};

type Entry = { can: (principal: unknown, action: unknown, record: unknown, context?: unknown) => Decision };
const essence = (d: Decision): unknown => [d.allow, d.code, d.reason, d.rule?.id];

/** The same own values in a class instance: not plain, so the entries hand it to the runtime's checker. */
class Held {
  constructor(values: Readonly<Record<string, unknown>>) {
    Object.assign(this, values);
  }
}
/** …and behind a class getter, which the own-data rule counts. */
function withGetters(values: Readonly<Record<string, unknown>>): object {
  const proto = Object.create(Object.prototype) as object;
  for (const [key, value] of Object.entries(values)) Object.defineProperty(proto, key, { get: () => value, enumerable: true });
  return Object.create(proto) as object;
}
const nullProto = (values: Readonly<Record<string, unknown>>): object => Object.assign(Object.create(null) as object, values);

const user = fc.record(
  {
    id: fc.constantFrom('u1', 'u2', 7),
    role: fc.constantFrom('admin', 'manager', 'rep', 'nobody', undefined),
    groupIds: fc.constantFrom(['north'], [], 'north', ['south', 'north']),
  },
  { requiredKeys: [] },
);
const lead = fc.record(
  {
    ownerId: fc.constantFrom('u1', 'u2', 3),
    groupId: fc.constantFrom('north', 'south'),
    stage: fc.constantFrom('new', 'won', 1),
  },
  { requiredKeys: [] },
);
const action = fc.constantFrom('view', 'edit', 'delete', 'archive');

describe('generated entries and the runtime checker they leave uncommon requests to', () => {
  it('R-K1 R-K3 R-K5 a plain request, its null-prototype copy and the same values in class instances (own or getters) get the same decision', async () => {
    const checker = await compileSources(POLICY);
    const entry = (checker.kinds as unknown as Record<string, Entry>)['lead']!;
    const generic = checker as unknown as Entry;
    fc.assert(
      fc.property(user, action, lead, (p, a, r) => {
        const want = essence(entry.can(p, a, r));
        for (const [pp, rr] of [[nullProto(p), nullProto(r)], [new Held(p), new Held(r)], [withGetters(p), withGetters(r)], [p, new Held(r)], [new Held(p), r]]) {
          expect(essence(entry.can(pp, a, rr))).toEqual(want);
        }
        // the generic entry: the same, with the record's kind
        expect(essence(generic.can(p, a, { ...r, kind: 'lead' }))).toEqual(want);
        expect(essence(generic.can(new Held(p), a, new Held({ ...r, kind: 'lead' })))).toEqual(want);
        expect(essence(generic.can(nullProto(p), a, nullProto({ ...r, kind: 'lead' })))).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('R-K1 a Proxy record that throws when asked for a key a check does not need is decided as the runtime decides it', async () => {
    const checker = await compileSources(POLICY);
    const entry = (checker.kinds as unknown as Record<string, Entry>)['lead']!;
    // throws for any key but the record's attributes (the entry's probe is a symbol)
    const picky = new Proxy(
      { ownerId: 'u1', groupId: 'north', stage: 'new' },
      { get: (target, key) => (typeof key === 'string' && Object.hasOwn(target, key) ? (target as Record<string, unknown>)[key] : (() => { throw new Error('picky'); })()) },
    );
    expect(entry.can({ id: 'a', role: 'admin' }, 'delete', picky)).toMatchObject({ allow: true, code: 'admin' });
    expect(entry.can({ id: 'u1', role: 'manager' }, 'delete', picky)).toMatchObject({ allow: true, code: 'own' });
    expect(entry.can({ id: 'u2', role: 'rep', groupIds: ['north'] }, 'view', picky)).toMatchObject({ allow: true, code: 'team' });
    // a principal whose role getter throws but that has no id is invalid, as the runtime orders its reads
    const noId = Object.defineProperty({}, 'role', { get: () => { throw new Error('role'); }, enumerable: true });
    expect(entry.can(noId, 'view', { ownerId: 'u1' })).toMatchObject({ allow: false, code: 'invalid-request' });
    expect((checker as unknown as Entry).can(noId, 'view', { kind: 'lead', ownerId: 'u1' })).toMatchObject({ allow: false, code: 'invalid-request' });
  });

  it('R-K1 R-K3 the role the entries check is the role they decide by: a role getter is read once, so a second answer cannot raise the principal', async () => {
    const checker = await compileSources(POLICY);
    const entry = (checker.kinds as unknown as Record<string, Entry>)['lead']!;
    const generic = checker as unknown as Entry;
    const record = { ownerId: 'u2', groupId: 'south', stage: 'new' };
    // `rep` when first asked (the entry's check), `admin` after
    const shifty = (): { principal: object; reads: () => number } => {
      let reads = 0;
      const principal = Object.defineProperty({ id: 'u1', groupIds: ['north'] }, 'role', { get: () => (reads++ === 0 ? 'rep' : 'admin'), enumerable: true });
      return { principal, reads: () => reads };
    };
    const rep = { id: 'u1', role: 'rep', groupIds: ['north'] };
    for (const [can, resource] of [[entry.can, record], [generic.can, { ...record, kind: 'lead' }]] as const) {
      for (const action of ['view', 'delete']) {
        const { principal, reads } = shifty();
        expect(essence(can(principal, action, resource))).toEqual(essence(can(rep, action, resource)));
        expect(reads()).toBe(1);
      }
    }
  });

  it('R-K1 a `roles`, `profile`, `id` or `kind` only on a polluted Object.prototype decides nothing', async () => {
    const checker = await compileSources(POLICY);
    const entry = (checker.kinds as unknown as Record<string, Entry>)['lead']!;
    const generic = checker as unknown as Entry;
    const requests: [unknown, string, unknown][] = [
      [{ id: 'u1', role: 'rep', groupIds: ['north'] }, 'view', { ownerId: 'u2', groupId: 'north', stage: 'new' }],
      [{ role: 'admin' }, 'view', { ownerId: 'u2' }],
      [{ id: 'u1' }, 'edit', { ownerId: 'u1', stage: 'new' }],
      [{ id: 'u1', role: 'manager' }, 'delete', {}],
    ];
    const answers = (): unknown[] =>
      requests.flatMap(([p, a, r]) => [essence(entry.can(p, a, r)), essence(generic.can(p, a, { ...(r as object), kind: 'lead' })), essence(generic.can(p, a, r))]);
    const expected = answers();
    for (const [key, value] of [['roles', ['admin']], ['profile', 'x'], ['id', 'u1'], ['role', 'admin'], ['kind', 'lead']] as const) {
      Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
      try {
        expect(answers(), `${key} = ${JSON.stringify(value)}`).toEqual(expected);
      } finally {
        delete (Object.prototype as Record<string, unknown>)[key];
      }
    }
  });

  it('R-K1 an array or a Map is read as it is only while no built-in prototype but Object.prototype has a key the checks read', async () => {
    const checker = await compileSources(POLICY);
    const entry = (checker.kinds as unknown as Record<string, Entry>)['lead']!;
    const generic = checker as unknown as Entry;
    // an array and a Map carrying their fields as own properties: the own-data rule reads those
    const asArray = (values: Readonly<Record<string, unknown>>): object => Object.assign([], values);
    const asMap = (values: Readonly<Record<string, unknown>>): object => Object.assign(new Map(), values);
    const rep = { id: 'u1', role: 'rep', groupIds: ['north'] };
    const record = { ownerId: 'u2', groupId: 'north', stage: 'new' };
    const answers = (shape: (values: Readonly<Record<string, unknown>>) => object): unknown[] => [
      essence(entry.can(shape(rep), 'view', shape(record))),
      essence(generic.can(shape(rep), 'view', shape({ ...record, kind: 'lead' }))),
      essence(entry.can(shape({ id: 'u1' }), 'view', record)),
      essence(entry.can(shape(rep), 'edit', shape({ groupId: 'north' }))),
      // the generic entry reads a principal that is not plain as it is: a key it lacks must not come from its prototype
      essence(generic.can(shape({ id: 'u1' }), 'view', { ...record, kind: 'lead' })),
      essence(generic.can(shape({ id: 'u1', role: 'rep' }), 'view', { ...record, kind: 'lead' })),
    ];
    // as the same values in plain objects
    const plain = answers((values) => ({ ...values }));
    expect(plain.map((d) => (d as unknown[])[1])).toEqual(['team', 'team', 'invalid-request', 'condition', 'invalid-request', 'not-reached']);
    for (const shape of [asArray, asMap]) expect(answers(shape)).toEqual(plain);
    const all = (): unknown[] => [asArray, asMap].flatMap(answers);
    const clean = all();
    // a key on Array.prototype or Map.prototype that the checks read must not count
    for (const proto of [Array.prototype, Map.prototype] as object[]) {
      for (const [key, value] of [['role', 'admin'], ['ownerId', 'u1'], ['kind', 'lead'], ['groupIds', ['north']], ['roles', ['admin']], ['profile', 'x']] as const) {
        Object.defineProperty(proto, key, { value, configurable: true, writable: true });
        try {
          expect(all(), `${key} = ${JSON.stringify(value)}`).toEqual(clean);
        } finally {
          delete (proto as Record<string, unknown>)[key];
        }
      }
    }
  });

  it('R-K1 a getter that throws is decided as the runtime decides it, whatever order the entry reads in', async () => {
    const checker = await compileSources(POLICY);
    const entry = (checker.kinds as unknown as Record<string, Entry>)['lead']!;
    const generic = checker as unknown as Entry;
    const throwing = (values: Readonly<Record<string, unknown>>, key: string): object =>
      Object.defineProperty({ ...values }, key, { get: () => { throw new Error(key); }, enumerable: true });
    // the runtime reads the profile after the id: an invalid id wins over a throwing profile
    expect(entry.can(throwing({ id: 7, role: 'rep' }, 'profile'), 'view', {})).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(generic.can(throwing({ role: 'rep' }, 'profile'), 'view', { kind: 'lead' })).toMatchObject({ allow: false, code: 'invalid-request' });
    // with a valid id it is an error denial
    expect(entry.can(throwing({ id: 'u1', role: 'rep' }, 'profile'), 'view', {})).toMatchObject({ allow: false, code: 'error' });
    expect(generic.can({ id: 'u1', role: 'rep' }, 'view', throwing({ kind: 'lead', groupId: 'north' }, 'ownerId'))).toMatchObject({ allow: false, code: 'error' });
  });
});
