/**
 * Seed 003, role management (R-Z12): the `roleManagement` guards compiled from the Zoho hierarchy.
 * Managing roles needs the `setup.manage_roles` permission (setup.yaml), which administrators hold
 * (the administrator role, and any role whose user carries the Administrator profile); names are unique, a new role goes under the CEO unless given a parent,
 * a role never reports to one of its own sub-roles, and a role is deleted only once its users and
 * sub-roles are moved.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDir } from '../../compiler/index.ts';
import type { RoleManagement } from '../../packages/runtime/src/index.ts';
import { importBundle } from '../../test/helpers/policy.ts';

let roles: RoleManagement;
beforeAll(async () => {
  const result = await compileDir(new URL('.', import.meta.url).pathname);
  expect(result.diagnostics).toEqual([]);
  roles = (await importBundle(result.output!.bundle)).roleManagement as RoleManagement;
});

const ceo = { id: 'c1', role: 'ceo' };
const admin = { id: 'a1', role: 'administrator' };
const itAdmin = { id: 'i1', role: 'it_admin' }; // the Administrator profile (R-Z8)
const manager = { id: 'm1', role: 'sales_manager' };
const managerAsAdmin = { id: 'm2', role: 'sales_manager', profile: 'administrator_profile' }; // the permission comes with the profile
const agent = { id: 's1', role: 'support_agent' }; // the Standard profile, without it
const counts = (n: Record<string, number>) => ({ userCounts: n });

describe('R-Z12 role management needs the profile permission', () => {
  it.each([
    ['the CEO, whose role is not granted it', ceo, false],
    ['an administrator role', admin, true],
    ['a role with the Administrator profile', itAdmin, true],
    ['a sales manager, without it', manager, false],
    ['a sales manager carrying the Administrator profile', managerAsAdmin, true],
    ['a support agent, whose Standard profile lacks it', agent, false],
  ] as const)('%s', (_, actor, allowed) => {
    for (const d of [roles.createRole(actor, 'field_sales'), roles.renameRole(actor, 'support_desk', 'help_desk'), roles.moveRole(actor, 'support_desk', 'sales_manager')]) {
      expect(d.allow).toBe(allowed);
      if (!allowed) {
        expect(d.code).toBe('not-allowed');
        expect(d.reason).toMatch(/^denied: managing roles needs the permission `setup\.manage_roles` \(setup\.yaml:\d+:\d+\): denied: /);
      }
    }
  });

  it('the permission is checked before anything is said about the hierarchy (no probing names)', () => {
    expect(roles.createRole(manager, 'sales_rep')).toMatchObject({ allow: false, code: 'not-allowed' });
    expect(roles.deleteRole(manager, 'nope', counts({}))).toMatchObject({ allow: false, code: 'not-allowed' });
  });
});

describe('R-Z12 creating roles', () => {
  it('a new role reports to the top role by default', () => {
    expect(roles.createRole(admin, 'Field Sales')).toMatchObject({ allow: true, code: 'allowed', reason: expect.stringContaining('reporting to `ceo`, the top role') });
  });

  it('or to the parent given', () => {
    expect(roles.createRole(admin, 'inside_sales', 'sales_manager')).toMatchObject({ allow: true, reason: expect.stringContaining('reporting to `sales_manager`') });
  });

  it('role names are unique, whatever their case and surrounding spaces, and profiles take their names too', () => {
    expect(roles.createRole(admin, 'sales_rep')).toMatchObject({ allow: false, code: 'duplicate-name', reason: expect.stringContaining('`sales_rep` is already the name of a role') });
    expect(roles.createRole(admin, ' Sales_Rep ')).toMatchObject({ allow: false, code: 'duplicate-name' });
    expect(roles.createRole(admin, 'standard')).toMatchObject({ allow: false, code: 'duplicate-name', reason: expect.stringContaining('name of a profile') });
  });

  it('fail closed: an unknown parent, and names that are not names', () => {
    expect(roles.createRole(admin, 'x', 'sales_manger')).toMatchObject({ allow: false, code: 'unknown-role', reason: 'denied: `sales_manger` is not a parent role of this policy' });
    for (const parent of ['__proto__', 'constructor', 'toString']) expect(roles.createRole(admin, 'x', parent)).toMatchObject({ allow: false, code: 'unknown-role' });
    for (const name of ['', '   ', 'a\nb', 'x'.repeat(101)]) expect(roles.createRole(admin, name)).toMatchObject({ allow: false, code: 'invalid-request' });
    for (const name of [7, null, undefined, {}, ['sales']]) expect(roles.createRole(admin, name as never)).toMatchObject({ allow: false, code: 'invalid-request' });
  });
});

describe('R-Z12 renaming roles', () => {
  it('renaming names the sharing rules that follow the role', () => {
    const d = roles.renameRole(admin, 'marketing_rep', 'campaign_rep');
    expect(d).toMatchObject({ allow: true, code: 'allowed' });
    expect(d.effects).toEqual([{ kind: 'rename-in-sharing-rules', rules: ['key_account_deals_to_marketing', 'marketing_leads_to_sales'], from: 'marketing_rep', to: 'campaign_rep' }]);
    expect(Object.isFrozen(d.effects[0])).toBe(true);
  });

  it('a role may change the case of its own name, but not take another role’s', () => {
    expect(roles.renameRole(admin, 'support_desk', 'Support_Desk')).toMatchObject({ allow: true, effects: [] });
    expect(roles.renameRole(admin, 'support_desk', 'SALES_REP')).toMatchObject({ allow: false, code: 'duplicate-name' });
  });

  it('fail closed on an unknown role', () => {
    expect(roles.renameRole(admin, 'hasOwnProperty', 'x')).toMatchObject({ allow: false, code: 'unknown-role' });
  });
});

describe('R-Z12 moving roles', () => {
  it('a role moves under another parent', () => {
    expect(roles.moveRole(admin, 'support_agent', 'marketing_manager')).toMatchObject({ allow: true, code: 'allowed' });
  });

  it('never under itself or one of its sub-roles (a cycle)', () => {
    expect(roles.moveRole(admin, 'sales_manager', 'sales_trainee')).toMatchObject({ allow: false, code: 'cycle', reason: 'denied: `sales_manager` cannot report to `sales_trainee`, one of its own sub-roles' });
    expect(roles.moveRole(admin, 'sales_rep', 'sales_rep')).toMatchObject({ allow: false, code: 'cycle', reason: 'denied: `sales_rep` cannot report to itself' });
  });

  it('the top role reports to nobody; unknown roles fail closed', () => {
    expect(roles.moveRole(admin, 'ceo', 'sales_manager')).toMatchObject({ allow: false, code: 'top-role' });
    expect(roles.moveRole(admin, 'sales_rep', 'nobody')).toMatchObject({ allow: false, code: 'unknown-role' });
  });
});

describe('R-Z12 deleting roles', () => {
  it('a role nobody holds and with no sub-role is deleted', () => {
    expect(roles.deleteRole(admin, 'support_desk', counts({ support_desk: 0 }))).toMatchObject({ allow: true, effects: [] });
  });

  it('not while users or sub-roles hold on to it: the reason says what to move', () => {
    expect(roles.deleteRole(admin, 'sales_rep', counts({ sales_rep: 3 }))).toMatchObject({
      allow: false,
      code: 'still-assigned',
      reason: 'denied: move its 3 users and its sub-role `sales_trainee` to another role before deleting `sales_rep` (R-Z12)',
    });
    expect(roles.deleteRole(admin, 'support_agent', counts({ support_agent: 1 }))).toMatchObject({ code: 'still-assigned', reason: expect.stringContaining('move its 1 user to another role') });
    expect(roles.deleteRole(admin, 'marketing_manager', counts({ marketing_manager: 0 }))).toMatchObject({ code: 'still-assigned', reason: expect.stringContaining('its sub-role `marketing_rep`') });
  });

  it('“transfer and delete”: users and sub-roles move to the role given', () => {
    const d = roles.deleteRole(admin, 'sales_rep', counts({ sales_rep: 3 }), 'sales_manager');
    expect(d).toMatchObject({ allow: true, code: 'allowed' });
    expect(d.effects).toEqual([
      { kind: 'move-users', from: 'sales_rep', to: 'sales_manager' },
      { kind: 'move-sub-roles', roles: ['sales_trainee'], to: 'sales_manager' },
    ]);
  });

  it('never to the role itself, one of its sub-roles, or an unknown role', () => {
    expect(roles.deleteRole(admin, 'sales_manager', counts({ sales_manager: 1 }), 'sales_trainee')).toMatchObject({ allow: false, code: 'cycle' });
    expect(roles.deleteRole(admin, 'sales_rep', counts({ sales_rep: 1 }), 'sales_rep')).toMatchObject({ allow: false, code: 'cycle' });
    expect(roles.deleteRole(admin, 'sales_rep', counts({ sales_rep: 1 }), 'nobody')).toMatchObject({ allow: false, code: 'unknown-role' });
  });

  it('the top role is never deleted', () => {
    expect(roles.deleteRole(admin, 'ceo', counts({ ceo: 0 }), 'sales_manager')).toMatchObject({ allow: false, code: 'top-role' });
  });

  it('fail closed: a count that is missing, polluted or of the wrong type is no count', () => {
    for (const state of [{}, counts({}), counts({ support_desk: -1 }), counts({ support_desk: 0.5 }), counts({ support_desk: '0' as never }), null, 'x']) {
      expect(roles.deleteRole(admin, 'support_desk', state as never)).toMatchObject({ allow: false, code: 'invalid-request' });
    }
    const proto = Object.prototype as Record<string, unknown>;
    proto.userCounts = { support_desk: 0 };
    proto.support_desk = 0;
    try {
      expect(roles.deleteRole(admin, 'support_desk', {} as never)).toMatchObject({ allow: false, code: 'invalid-request' });
      expect(roles.deleteRole(admin, 'support_desk', counts({}))).toMatchObject({ allow: false, code: 'invalid-request' });
    } finally {
      delete proto.userCounts;
      delete proto.support_desk;
    }
  });

  it('never throws: a state whose reading throws, or a hostile actor, is a denial', () => {
    const throwing = { get userCounts(): never { throw new Error('boom'); } };
    expect(roles.deleteRole(admin, 'support_desk', throwing as never)).toMatchObject({ allow: false, code: 'error' });
    const hostileActor = new Proxy({}, { get: () => { throw new Error('no'); }, getOwnPropertyDescriptor: () => { throw new Error('no'); } });
    expect(roles.createRole(hostileActor as never, 'x').allow).toBe(false);
    expect(roles.createRole(null as never, 'x').allow).toBe(false);
  });
});
