/**
 * The user directory (packages/runtime/src/directory.ts) and principals with several roles
 * (packages/runtime/src/roles.ts): keys, validation, the own-data rule, and `canAny` / `planAny`
 * agreeing with the generated checker role by role.
 */
import { toPredicate, type Principal } from '@policyc/runtime';
import { describe, expect, it } from 'vitest';
import { DirectoryError, loadDirectory } from '../../packages/runtime/src/directory.ts';
import { canAny, planAny } from '../../packages/runtime/src/roles.ts';
import { loadChecker } from '../helpers/policy.ts';
import { policies } from './helpers.ts';

const users = [
  { id: 'u1', email: 'ann@example.com', keys: ['pid-1'], roles: ['editor', 'evil_genius'], groups: ['north'], attributes: { department: 'Sales' } },
  { id: 'u2', role: 'viewer', reportsTo: 'u1', organisations: ['acme'], technical: true, shift: 'night' },
  { id: 'u3', role: 'viewer', reportsTo: 'u2', type: 'service' },
];

describe('loadDirectory: users from plain data, reachable under every key', () => {
  const directory = loadDirectory(users);

  it('id, email and each key name the same frozen principal; unknown keys name none', () => {
    const p = directory.principal('u1');
    expect(directory.principal('ann@example.com')).toBe(p);
    expect(directory.principal('pid-1')).toBe(p);
    expect(Object.isFrozen(p)).toBe(true);
    expect(p).toMatchObject({ id: 'u1', role: 'editor', roles: ['editor', 'evil_genius'], groups: ['north'], department: 'Sales' });
    expect(directory.principal('nobody')).toBeUndefined();
    expect(directory.principal('__proto__')).toBeUndefined();
    expect(directory.principal('toString')).toBeUndefined();
  });

  it('one role is `role` without `roles`; organisation, shift, technical flag and type are kept', () => {
    expect(directory.principal('u2')).toMatchObject({ id: 'u2', role: 'viewer', organisation: 'acme', technical: true, shift: 'night' });
    expect(directory.principal('u2')!.roles).toBeUndefined();
    expect(directory.user('u3')!.type).toBe('service');
    expect(directory.user('u1')!.type).toBe('user');
  });

  it('R-Z4 reportsTo gives each principal everyone below them, transitively', () => {
    expect([...(directory.principal('u1')!.reports as Set<string>)].sort()).toEqual(['u2', 'u3']);
    expect([...(directory.principal('u3')!.reports as Set<string>)]).toEqual([]);
  });

  it('users are listed in id order', () => {
    expect(loadDirectory([{ id: 'b', role: 'r' }, { id: 'a', role: 'r' }, { id: 'B', role: 'r' }]).users.map((u) => u.id)).toEqual(['B', 'a', 'b']);
  });

  it('refuses ambiguous keys and malformed users, naming the user', () => {
    const refused: [unknown[], RegExp][] = [
      [[{ id: 'a', role: 'r' }, { id: 'b', role: 'r', email: 'a' }], /user 2: key `a` also names user 1/],
      [[{ id: 'a', role: 'r', keys: ['k'] }, { id: 'b', role: 'r', keys: ['k'] }], /user 2: key `k` also names user 1/],
      [[{ id: 'a' }], /user 1: user `a` has no `role`/],
      [[{ id: 'a', role: 'r', roles: ['s'] }], /has both `role` and `roles`/],
      [[{ id: 'a', roles: ['r', 7] }], /`roles` must be a list of non-empty strings/],
      [[{ id: '', role: 'r' }], /`id` must be a non-empty string/],
      [[{ role: 'r' }], /`id` must be a non-empty string/],
      [['a'], /a user must be an object/],
      [[{ id: 'a', role: 'r', technical: 'yes' }], /`technical` must be true or false/],
      [[{ id: 'a', role: 'r', attributes: { role: 'admin' } }], /`attributes` cannot set `role`/],
      [[{ id: 'a', role: 'r', attributes: [] }], /`attributes` must be an object/],
    ];
    for (const [list, message] of refused) {
      expect(() => loadDirectory(list), JSON.stringify(list)).toThrow(DirectoryError);
      expect(() => loadDirectory(list)).toThrow(message);
    }
  });

  it('reads own data only: a polluted Object.prototype gives nobody a role, and `__proto__` is an ordinary attribute', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.roles = ['admin'];
    proto.role = 'admin';
    try {
      expect(() => loadDirectory([{ id: 'a' }])).toThrow(/has no `role`/);
    } finally {
      delete proto.roles;
      delete proto.role;
    }
    const hostile = JSON.parse('{"id":"a","role":"r","attributes":{"__proto__":{"role":"admin"}}}');
    const p = loadDirectory([hostile]).principal('a')!;
    expect(p.role).toBe('r');
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(Object.hasOwn(p, '__proto__')).toBe(true);
  });
});

describe('canAny and planAny: several roles, decided as one role each', () => {
  const checker = () => loadChecker(policies('authzen-todo'));
  const todo = (ownerID: string) => ({ kind: 'todo', ownerID });

  it('allowed when any role allows, naming the role; denied with the first role\'s denial otherwise', async () => {
    const c = await checker();
    const rick = { id: 'rick', role: 'admin', roles: ['admin', 'evil_genius'] };
    const update = canAny(c, rick, 'can_update_todo', todo('beth'));
    expect([update.allow, update.rule?.role]).toEqual([true, 'evil_genius']);
    const del = canAny(c, rick, 'can_delete_todo', todo('beth'));
    expect([del.allow, del.rule?.role]).toEqual([true, 'admin']);
    const none = canAny(c, { id: 'v', role: 'viewer', roles: ['viewer', 'evil_genius'] }, 'can_create_todo', todo('v'));
    expect([none.allow, none.rule?.role]).toEqual([false, 'viewer']);
    expect(canAny(c, { id: 'x', role: 'editor' }, 'can_update_todo', todo('x'))).toBe(c.can({ id: 'x', role: 'editor' }, 'can_update_todo' as never, todo('x') as never));
  });

  it('fails closed on a malformed `roles` and on a principal that throws, never throwing itself', async () => {
    const c = await checker();
    for (const roles of [[], 'admin', [1], null]) expect(canAny(c, { id: 'x', role: 'admin', roles } as unknown as Principal, 'can_delete_todo', todo('y'))).toMatchObject({ allow: false, code: 'invalid-request' });
    const throwing = new Proxy({ id: 'x', role: 'admin' }, { get: () => { throw new Error('boom'); }, getOwnPropertyDescriptor: () => { throw new Error('boom'); } });
    expect(canAny(c, throwing as Principal, 'can_delete_todo', todo('y')).allow).toBe(false);
    expect(planAny(c, throwing as Principal, 'can_delete_todo', 'todo').result).toBe('never');
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.roles = ['admin'];
    try {
      expect(canAny(c, { id: 'x', role: 'viewer' }, 'can_delete_todo', todo('y')).allow).toBe(false);
    } finally {
      delete polluted.roles;
    }
  });

  it('the union plan keeps exactly the records canAny allows', async () => {
    const c = await checker();
    const records = ['me', 'you', '', 'other'].map((o) => todo(o));
    const principals = [
      { id: 'me', role: 'viewer', roles: ['viewer', 'editor'] },
      { id: 'me', role: 'admin', roles: ['admin', 'evil_genius'] },
      { id: 'me', role: 'viewer', roles: ['viewer'] },
      { id: 'me', role: 'editor' },
    ];
    for (const p of principals) {
      for (const action of ['can_read_todos', 'can_create_todo', 'can_update_todo', 'can_delete_todo']) {
        const keep = toPredicate(planAny(c, p, action, 'todo'));
        for (const r of records) expect(keep(r), `${JSON.stringify(p)} ${action} ${r.ownerID}`).toBe(canAny(c, p, action, r).allow);
      }
    }
  });
});
