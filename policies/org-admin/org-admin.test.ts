/**
 * Seed 004 (organisation administration): every cell of the capability table, and the
 * user-management guards compiled from policies/org-admin.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDir } from '../../compiler/index.ts';
import type { Organisation } from '../../packages/runtime/src/index.ts';
import { importBundle } from '../../test/helpers/policy.ts';

let org: Organisation;
beforeAll(async () => {
  const result = await compileDir(new URL('.', import.meta.url).pathname);
  expect(result.diagnostics).toEqual([]);
  org = (await importBundle(result.output!.bundle)).organisation as Organisation;
});

// The seed's lists, written independently of the YAML: ✅ = true, ❌ / absent = false.
const SEED: Record<string, Record<string, boolean>> = {
  admin: {
    'organisation_settings.access': true, 'organisation.view': true, 'organisation.manage': true, 'billing.view': true, 'billing.manage': true,
    'users.view': true, 'users.manage': true, 'workspaces.view': true, 'workspaces.manage': true, 'subscription.manage': true,
    'subscription.cancel': true, 'organisation.delete': true,
  },
  billing_admin: {
    'organisation_settings.access': true, 'organisation.view': true, 'organisation.manage': false, 'billing.view': true, 'billing.manage': true,
    'users.view': true, 'users.manage': false, 'workspaces.view': true, 'workspaces.manage': false, 'subscription.manage': true,
    'subscription.cancel': false, 'organisation.delete': false,
  },
  user_admin: {
    'organisation_settings.access': false, 'organisation.view': true, 'organisation.manage': false, 'billing.view': true, 'billing.manage': false,
    'users.view': true, 'users.manage': true, 'workspaces.view': true, 'workspaces.manage': true, 'subscription.manage': false,
    'subscription.cancel': false, 'organisation.delete': false,
  },
  member: Object.fromEntries(
    ['organisation_settings.access', 'organisation.view', 'organisation.manage', 'billing.view', 'billing.manage', 'users.view', 'users.manage',
      'workspaces.view', 'workspaces.manage', 'subscription.manage', 'subscription.cancel', 'organisation.delete'].map((c) => [c, false]),
  ),
};

const admin = { id: 'a1', role: 'admin' };
const admin2 = { id: 'a2', role: 'admin' };
const userAdmin = { id: 'u1', role: 'user_admin' };
const billingAdmin = { id: 'b1', role: 'billing_admin' };
const member = { id: 'm1', role: 'member', workspaces: ['support'] };
const oneAdmin = { roleCounts: { admin: 1, user_admin: 1, billing_admin: 1, member: 5 } };
const twoAdmins = { roleCounts: { admin: 2, user_admin: 1, billing_admin: 1, member: 5 } };
/** The organisation's workspaces (R-O5). */
const WORKSPACES = { roleCounts: {}, workspaces: ['sales', 'support'] };

describe('R-O1 the capability table of seed 004', () => {
  for (const [role, cells] of Object.entries(SEED)) {
    for (const [capability, expected] of Object.entries(cells)) {
      it(`R-O1 ${role} ${expected ? 'holds' : 'lacks'} ${capability}`, () => {
        const d = org.has({ id: 'x', role }, capability);
        expect(d.allow).toBe(expected);
        expect(d.reason).toMatch(/organisation\.yaml:\d+:\d+/);
      });
    }
  }
});

describe('R-O5 unknown workspaces: guards fail closed', () => {
  it('R-O5 assigning a workspace the organisation does not have is refused, naming it', () => {
    expect(org.assignWorkspaces(admin, member, ['sales', 'salse'], WORKSPACES)).toMatchObject({ allow: false, code: 'unknown-workspace', reason: expect.stringContaining('`salse`') });
    expect(org.assignWorkspaces(admin, member, ['__proto__'], WORKSPACES)).toMatchObject({ allow: false, code: 'unknown-workspace' });
    expect(org.assignWorkspaces(admin, member, ['sales', 'support'], WORKSPACES)).toMatchObject({ allow: true });
  });

  it("R-O5 without the organisation's workspaces nothing is known to exist: the assignment is refused", () => {
    expect(org.assignWorkspaces(admin, member, ['sales'], { roleCounts: {} })).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(org.assignWorkspaces(admin, member, ['sales'], undefined as never)).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(org.assignWorkspaces(admin, member, ['sales'], { roleCounts: {}, workspaces: 'sales' } as never)).toMatchObject({ allow: false, code: 'invalid-request' });
  });

  it('R-O5 an administrator reaching every workspace still reaches none the organisation lacks', () => {
    expect(org.reachesWorkspace(admin, 'marketing', WORKSPACES)).toMatchObject({ allow: false, code: 'unknown-workspace' });
    expect(org.reachesWorkspace(admin, 'sales', WORKSPACES)).toMatchObject({ allow: true });
    expect(org.reachesWorkspace({ ...member, workspaces: ['support', 'gone'] }, 'gone', WORKSPACES)).toMatchObject({ allow: false, code: 'unknown-workspace' });
  });
});

describe('R-Z13 R-O5 unknown organisations: guards fail closed', () => {
  // the organisation a request is about is `state.organisation` (or `scope` for has/addUser)
  const ACME = { roleCounts: { admin: 2, member: 5 }, workspaces: ['sales', 'support'], organisation: 'acme' };
  const acmeAdmin = { id: 'a1', role: 'admin', organisations: ['acme', 'globex'] };
  const acmeMember = { id: 'u1', role: 'member', organisation: 'acme' };
  const globexMember = { id: 'g1', role: 'member', organisation: 'globex' };

  it('R-Z13 members of the organisation the request names are managed as before', () => {
    expect(org.deleteUser(acmeAdmin, acmeMember, ACME)).toMatchObject({ allow: true });
    expect(org.assignWorkspaces(acmeAdmin, acmeMember, ['sales'], ACME)).toMatchObject({ allow: true });
    expect(org.addUser(acmeAdmin, 'member', { organisation: 'acme' })).toMatchObject({ allow: true });
    expect(org.has(acmeAdmin, 'users.manage', { organisation: 'globex' })).toMatchObject({ allow: true });
  });

  it('R-Z13 a target of another organisation is never managed, even by an Admin', () => {
    for (const d of [org.deleteUser(acmeAdmin, globexMember, ACME), org.changeRole(acmeAdmin, globexMember, 'admin', ACME), org.assignWorkspaces(acmeAdmin, globexMember, ['sales'], ACME)]) {
      expect(d).toMatchObject({ allow: false, code: 'other-organisation', reason: 'denied: member `g1` does not belong to organisation `acme` (R-Z13)' });
    }
  });

  it('R-Z13 an actor who does not belong to the organisation named manages nobody there', () => {
    const globexAdmin = { id: 'a2', role: 'admin', organisation: 'globex' };
    expect(org.deleteUser(globexAdmin, acmeMember, ACME)).toMatchObject({ allow: false, code: 'other-organisation', reason: expect.stringContaining('`a2`') });
    expect(org.addUser(globexAdmin, 'member', { organisation: 'acme' })).toMatchObject({ allow: false, code: 'other-organisation' });
    expect(org.has(globexAdmin, 'users.manage', { organisation: 'initech' })).toMatchObject({ allow: false, code: 'other-organisation' });
    expect(org.reachesWorkspace({ ...globexAdmin }, 'sales', ACME)).toMatchObject({ allow: false, code: 'other-organisation' });
  });

  it('R-Z13 an organisation named but a member naming none cannot be placed in it', () => {
    expect(org.deleteUser(acmeAdmin, { id: 'u9', role: 'member' }, ACME)).toMatchObject({ allow: false, code: 'unknown-organisation' });
  });

  it('R-Z13 without the organisation named, members must share exactly one', () => {
    const state = { roleCounts: { admin: 2 } };
    expect(org.deleteUser({ id: 'a3', role: 'admin', organisation: 'acme' }, acmeMember, state)).toMatchObject({ allow: true });
    expect(org.deleteUser(acmeAdmin, acmeMember, state)).toMatchObject({ allow: true }); // acme is the one they share
    expect(org.deleteUser({ id: 'a3', role: 'admin', organisation: 'globex' }, acmeMember, state)).toMatchObject({ allow: false, code: 'other-organisation' });
    expect(org.deleteUser(acmeAdmin, { id: 'u5', role: 'member', organisations: ['acme', 'globex'] }, state)).toMatchObject({
      allow: false,
      code: 'unknown-organisation',
      reason: expect.stringContaining('name the one being managed in `state.organisation`'),
    });
    expect(org.addUser(acmeAdmin, 'member')).toMatchObject({ allow: false, code: 'unknown-organisation' });
  });

  it('R-Z13 an organisation a member names must be one of its organisations', () => {
    expect(org.deleteUser({ id: 'a4', role: 'admin', organisation: 'initech', organisations: ['acme'] }, acmeMember, ACME)).toMatchObject({ allow: false, code: 'invalid-request' });
  });

  it('R-Z13 hostile values: wrong types, holes, polluted prototypes never place a member in an organisation', () => {
    const wrong: unknown[] = [7, '', null, ['acme'], { id: 'acme' }];
    for (const organisation of wrong) {
      expect(org.deleteUser(acmeAdmin, acmeMember, { ...ACME, organisation } as never)).toMatchObject({ allow: false, code: 'invalid-request' });
      expect(org.deleteUser(acmeAdmin, { ...acmeMember, organisation } as never, ACME)).toMatchObject({ allow: false, code: 'invalid-request' });
    }
    // eslint-disable-next-line no-sparse-arrays
    for (const organisations of ['acme', [7], [, 'acme'], new Set(['acme']), [''], { 0: 'acme', length: 1 }]) {
      expect(org.deleteUser({ id: 'a5', role: 'admin', organisations } as never, acmeMember, ACME)).toMatchObject({ allow: false, code: 'invalid-request' });
    }
    const proto = Object.prototype as Record<string, unknown>;
    const arrayProto = Array.prototype as unknown as Record<string, unknown>;
    proto.organisation = 'acme';
    proto.organisations = ['acme'];
    arrayProto[0] = 'acme';
    try {
      expect(org.deleteUser(acmeAdmin, { id: 'u9', role: 'member' }, ACME)).toMatchObject({ allow: false, code: 'unknown-organisation' });
      expect(org.deleteUser(acmeAdmin, { id: 'u9', role: 'member', organisations: new Array(1) } as never, ACME)).toMatchObject({ allow: false, code: 'invalid-request' });
    } finally {
      delete proto.organisation;
      delete proto.organisations;
      delete arrayProto[0];
    }
    const throwing = { roleCounts: {}, get organisation(): never { throw new Error('boom'); } };
    expect(org.deleteUser(acmeAdmin, acmeMember, throwing as never)).toMatchObject({ allow: false, code: 'error' });
  });
});

describe('R-K11 partner (technical) users: shown as their role, flagged, not billed', () => {
  it('R-K11 a technical admin looks like an admin, is flagged, and its seat is not billed', () => {
    expect(org.seat({ id: 'p1', role: 'admin', technical: true })).toMatchObject({ shownAs: 'admin', technical: true, billed: false });
    expect(org.seat({ id: 'p2', role: 'member', technical: true })).toMatchObject({ shownAs: 'member', technical: true, billed: false });
    expect(org.seat(admin)).toMatchObject({ shownAs: 'admin', technical: false, billed: true });
  });

  it('R-K11 only a true `technical` flag of the member itself counts; a malformed member is neither shown nor billed', () => {
    expect(org.seat({ id: 'p3', role: 'admin', technical: 'yes' } as never)).toMatchObject({ technical: false, billed: true });
    const proto = Object.prototype as { technical?: unknown };
    proto.technical = true;
    try {
      expect(org.seat(admin)).toMatchObject({ technical: false, billed: true });
    } finally {
      delete proto.technical;
    }
    expect(org.seat({ id: 'x', role: 'owner' })).toMatchObject({ shownAs: undefined, billed: false });
    expect(org.seat(null as never)).toMatchObject({ shownAs: undefined, billed: false });
    expect(org.seat(Object.defineProperty({ id: 'x' }, 'role', { get: () => { throw new Error('boom'); } }) as never)).toMatchObject({ billed: false });
  });
});

describe('user-management guards', () => {
  it('R-O3 a User Admin adds and deletes only Member users', () => {
    expect(org.addUser(userAdmin, 'member')).toMatchObject({ allow: true });
    for (const role of ['admin', 'billing_admin', 'user_admin']) expect(org.addUser(userAdmin, role)).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(org.deleteUser(userAdmin, member, oneAdmin)).toMatchObject({ allow: true });
    expect(org.deleteUser(userAdmin, billingAdmin, oneAdmin)).toMatchObject({ allow: false, code: 'not-allowed' });
  });

  it('R-O3 a User Admin neither promotes nor demotes anybody, but edits anybody\'s workspaces', () => {
    expect(org.changeRole(userAdmin, member, 'user_admin', oneAdmin)).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(org.changeRole(userAdmin, admin2, 'member', twoAdmins)).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(org.assignWorkspaces(userAdmin, admin, ['sales'], WORKSPACES)).toMatchObject({ allow: true });
  });

  it('R-O3 a Billing Admin only views users', () => {
    expect(org.has(billingAdmin, 'users.view').allow).toBe(true);
    expect(org.addUser(billingAdmin, 'member')).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(org.deleteUser(billingAdmin, member, oneAdmin)).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(org.changeRole(billingAdmin, member, 'user_admin', oneAdmin)).toMatchObject({ allow: false });
    expect(org.assignWorkspaces(billingAdmin, member, ['sales'], WORKSPACES)).toMatchObject({ allow: false, code: 'not-allowed' });
  });

  it('R-O4 nobody deletes themselves, not even an Admin', () => {
    expect(org.deleteUser(admin, admin, twoAdmins)).toMatchObject({ allow: false, code: 'self' });
    expect(org.deleteUser(userAdmin, { ...userAdmin }, oneAdmin)).toMatchObject({ allow: false, code: 'self' });
  });

  it('R-O2 the last Admin can be neither deleted nor demoted; with two, one can', () => {
    expect(org.deleteUser(admin, admin2, oneAdmin)).toMatchObject({ allow: false, code: 'last-keeper' });
    expect(org.changeRole(admin, admin2, 'member', oneAdmin)).toMatchObject({ allow: false, code: 'last-keeper' });
    expect(org.deleteUser(admin, admin2, twoAdmins)).toMatchObject({ allow: true });
    expect(org.changeRole(admin, admin2, 'billing_admin', twoAdmins)).toMatchObject({ allow: true });
    expect(org.changeRole(admin, member, 'admin', oneAdmin)).toMatchObject({ allow: true });
  });

  it('R-O5 at most 10 workspaces in one step; members reach only their assigned workspaces', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `w${i}`);
    expect(org.assignWorkspaces(admin, member, ten, { roleCounts: {}, workspaces: ten })).toMatchObject({ allow: true });
    expect(org.assignWorkspaces(admin, member, [...ten, 'w10'], { roleCounts: {}, workspaces: [...ten, 'w10'] })).toMatchObject({ allow: false, code: 'too-many-workspaces' });
    expect(org.reachesWorkspace(member, 'support')).toMatchObject({ allow: true });
    expect(org.reachesWorkspace(member, 'sales')).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(org.reachesWorkspace(admin, 'sales')).toMatchObject({ allow: true });
  });

  it('R-O6 deleting a user returns the effects: revoke workspace access, unassign contacts', () => {
    const d = org.deleteUser(admin, member, oneAdmin);
    expect(d.allow).toBe(true);
    expect(d.effects).toEqual([
      { kind: 'revoke-workspace-access', user: 'm1' },
      { kind: 'unassign-contacts', user: 'm1' },
    ]);
    expect(org.deleteUser(userAdmin, admin2, twoAdmins).effects).toEqual([]);
  });

  it('R-K11 a technical (partner) user decides exactly like its role, and reasons say so', () => {
    const partner = { id: 'p1', role: 'user_admin', technical: true };
    for (const role of ['member', 'admin']) expect(org.addUser(partner, role).allow).toBe(org.addUser(userAdmin, role).allow);
    expect(org.addUser(partner, 'admin').reason).toContain('`user_admin` (technical user)');
  });

  it('fails closed on malformed members, unknown roles and bad workspace lists', () => {
    expect(org.addUser(null as never, 'member')).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(org.addUser(admin, 'owner')).toMatchObject({ allow: false, code: 'unknown-role' });
    expect(org.addUser({ id: 'x', role: '__proto__' }, 'member')).toMatchObject({ allow: false, code: 'unknown-role' });
    expect(org.assignWorkspaces(admin, member, 'sales' as never, WORKSPACES)).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(org.deleteUser(admin, member, null as never)).toMatchObject({ allow: true });
    expect(org.deleteUser(admin, admin2, null as never)).toMatchObject({ allow: false, code: 'last-keeper' });
  });
});

describe('compile-time invariants', () => {
  const compile = async (org: string) => (await import('../../compiler/index.ts')).checkSources('o', [{ path: 'o.yaml', text: org }]);
  it('R-O2 allowEscalation lets a reviewed break-glass role hand out a wider role', async () => {
    const text = `organisation:
  capabilities: [users.manage, organisation.delete]
  roles:
    owner: { capabilities: all, manages: [owner] }
    recovery: { capabilities: [users.manage], manages: [owner], allowEscalation: true }
  keepOne: owner
`;
    expect((await compile(text)).diagnostics).toEqual([]);
    expect((await compile(text.replace(', allowEscalation: true', ''))).diagnostics.map((d) => d.code)).toEqual(['PC3016']);
  });
});

describe('hostile organisation names', () => {
  it('role and capability names with quotes, `__proto__` or code stay data in the generated guards', async () => {
    const { compileSources } = await import('../../compiler/index.ts');
    const text = `organisation:
  capabilities: ['"}); globalThis.pwned = 1; ({"', '__proto__']
  roles:
    __proto__: { capabilities: all, manages: ['__proto__', "x\`\${1}*/"] }
    "x\`\${1}*/": { workspaces: assigned }
  keepOne: __proto__
`;
    const result = await compileSources('o', [{ path: 'o.yaml', text }]);
    expect(result.diagnostics).toEqual([]);
    const guards = (await importBundle(result.output!.bundle)).organisation as Organisation;
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    expect(guards.has({ id: 'a', role: '__proto__' }, '"}); globalThis.pwned = 1; ({"').allow).toBe(true);
    expect(guards.addUser({ id: 'a', role: '__proto__' }, 'x`${1}*/').allow).toBe(true);
    expect(guards.addUser({ id: 'b', role: 'x`${1}*/' }, '__proto__')).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(guards.has({ id: 'b', role: 'toString' }, '__proto__').code).toBe('unknown-role');
  });
});
