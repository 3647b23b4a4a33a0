/**
 * The runtime side of the user directory (issue 16): `loadDirectory(entries).principal(id)` gives
 * principals ready for `can` — a directory checked by `policyc check --directory` loads, its
 * reporting hierarchy decides (R-Z4), its organisation entries are not users — and `principal`
 * never throws and reads own data only.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDirectoryFile } from '../compiler/index.ts';
import { loadDirectory, type Checker, type Principal } from '../packages/runtime/src/index.ts';
import { root } from './helpers/cli.ts';
import { loadChecker } from './helpers/policy.ts';

// zoho-reporting: `hierarchy: reporting`, managers reach the deals of everyone below them
const entries = [
  { organisation: 'acme', workspaces: ['sales'] },
  { id: 'ceo', role: 'manager', email: 'ceo@acme.test', keys: ['okta|1'] },
  { id: 'vp', role: 'manager', reportsTo: 'ceo' },
  { id: 'rep', role: 'member', reportsTo: 'vp' },
  { id: 'other', role: 'member' },
];
const deal = (owner: string) => ({ kind: 'deal', owner, amount: 1 });

describe('directory.principal(id): principals ready for can', () => {
  it('R-Z4 a manager reaches the deals of everyone reporting to them, transitively, through the directory alone', async () => {
    const checker: Checker = await loadChecker(join(root, 'policies/zoho-reporting'));
    const directory = loadDirectory(entries);
    const ceo = directory.principal('ceo')!;
    expect(checker.can(ceo, 'view', deal('rep'))).toMatchObject({ allow: true, code: 'reports' });
    expect(checker.can(directory.principal('vp')!, 'view', deal('rep'))).toMatchObject({ allow: true, code: 'reports' });
    expect(checker.can(directory.principal('rep')!, 'view', deal('vp')).allow).toBe(false);
    expect(checker.can(ceo, 'view', deal('other')).allow).toBe(false);
    // found under its email and its identity provider's key as well
    expect(directory.principal('ceo@acme.test')).toBe(ceo);
    expect(directory.principal('okta|1')).toBe(ceo);
  });

  it('organisation entries are declarations, not users', () => {
    const directory = loadDirectory(entries);
    expect(directory.users.map((u) => u.id)).toEqual(['ceo', 'other', 'rep', 'vp']);
    expect(directory.principal('acme')).toBeUndefined();
  });

  it('a directory that passes `check --directory` loads in the runtime', () => {
    const result = checkDirectoryFile(join(root, 'policies/authzen-todo'), join(root, 'policies/authzen-todo/directory.json'));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // its users carry a display name no condition reads: a warning each, the directory still checks
    expect(new Set(result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message.replace(/`[^`]+@[^`]+`/, 'user')}`))).toEqual(new Set(['warning PC7003 user user holds the unknown attribute `name`']));
    expect(result.model).toBeDefined();
    expect(result.directory!.users).toBe(5);
  });

  it('never throws: any key, a reporting cycle in the data, a polluted Object.prototype', () => {
    const cyclic = loadDirectory([
      { id: 'a', role: 'member', reportsTo: 'b' },
      { id: 'b', role: 'member', reportsTo: 'a' },
    ]);
    expect([...(cyclic.principal('a')!.reports as Set<string>)]).toEqual(['b']);
    const directory = loadDirectory(entries);
    for (const key of ['', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 7, null, undefined, {}, Symbol('x'), new Proxy({}, { get: () => { throw new Error('trap'); } })]) {
      expect(() => directory.principal(key as string)).not.toThrow();
      expect(directory.principal(key as string)).toBeUndefined();
      expect(directory.user(key as string)).toBeUndefined();
    }
    const proto = Object.prototype as Record<string, unknown>;
    proto.ceo = { id: 'ceo', role: 'admin' };
    proto.reportsTo = 'ceo';
    proto.organisation = 'evil';
    try {
      const polluted = loadDirectory([{ id: 'x', role: 'member' }, { id: 'ceo', role: 'manager' }]);
      expect(polluted.principal('nobody')).toBeUndefined();
      expect([...(polluted.principal('ceo')!.reports as Set<string>)]).toEqual([]);
      expect(loadDirectory([{ organisation: 'acme' }, { id: 'y', role: 'member' }]).users).toHaveLength(1);
    } finally {
      delete proto.ceo;
      delete proto.reportsTo;
      delete proto.organisation;
    }
  });

  it('principals are frozen: an application cannot change a user for the next request', () => {
    const p = loadDirectory(entries).principal('rep') as Principal & { role: string };
    expect(Object.isFrozen(p)).toBe(true);
    expect(() => {
      'use strict';
      p.role = 'manager';
    }).toThrow(TypeError);
  });
});
