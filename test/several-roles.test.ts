/**
 * Several roles (issue 16): `principal.roles` alongside `role`. The generated checker decides
 * each role as a one-role principal (runtime `withRoles`, the same `canAny`/`planAny` that
 * `policyc serve` uses): allowed when any role allows, naming the role that did; plans are the
 * union; fields are the allowing role's. The differential test checks all of it against the
 * reference interpreter on random policies.
 */
import { describe, expect, it } from 'vitest';
import { toPredicate } from '../packages/runtime/src/index.ts';
import { compileSources } from './helpers/policy.ts';

const POLICY = `
resources:
  lead:
    actions: [view, edit, delete]
    attributes: { owner: string, ownerRole: string, stage: string, email: string }
    owner: owner
    ownerRole: ownerRole
    stage: stage
roles:
  manager:
    grants: { lead: { view: own, edit: own } }
    fields: { lead: { email: read-only } }
  rep:
    reportsTo: manager
    grants: { lead: { view: own } }
    stages: { lead: { won: { view: deny } } }
    fields: { lead: { email: hidden } }
  cleaner:
    grants: { lead: { delete: all, view: all } }
`;

describe('several roles: each decided as one role, allowed when any allows', () => {
  it("a three-role principal: the decision names the role that allowed, a denial is the first role's", async () => {
    const checker = await compileSources({ 'policy.yaml': POLICY });
    const three = { id: 'u1', role: 'rep', roles: ['rep', 'manager', 'cleaner'] };
    const theirs = { kind: 'lead', owner: 'u2', ownerRole: 'rep', stage: 'open' };
    expect(checker.can(three, 'view', theirs)).toMatchObject({ allow: true, code: 'hierarchy', rule: { role: 'manager' } });
    expect(checker.can(three, 'delete', theirs)).toMatchObject({ allow: true, code: 'all', rule: { role: 'cleaner' } });
    expect(checker.can({ id: 'u1', role: 'rep', roles: ['rep', 'manager'] }, 'delete', theirs)).toMatchObject({ allow: false, code: 'default-deny', rule: { role: 'rep' } });
  });

  it("R-K5 stage rules stay with their role: the rep's stage denial does not stop the cleaner", async () => {
    const checker = await compileSources({ 'policy.yaml': POLICY });
    const won = { kind: 'lead', owner: 'u1', ownerRole: 'rep', stage: 'won' };
    expect(checker.can({ id: 'u1', role: 'rep' }, 'view', won)).toMatchObject({ allow: false, code: 'denied' });
    expect(checker.can({ id: 'u1', role: 'rep', roles: ['rep', 'cleaner'] }, 'view', won)).toMatchObject({ allow: true, rule: { role: 'cleaner' } });
  });

  it("plans are the union of the roles' plans, and list exactly what can allows", async () => {
    const checker = await compileSources({ 'policy.yaml': POLICY });
    const two = { id: 'u1', role: 'rep', roles: ['rep', 'manager'] };
    const plan = toPredicate(checker.plan(two, 'edit', 'lead'));
    for (const record of [
      { kind: 'lead', owner: 'u1', ownerRole: 'rep', stage: 'open' },
      { kind: 'lead', owner: 'u2', ownerRole: 'rep', stage: 'open' },
      { kind: 'lead', owner: 'u2', ownerRole: 'manager', stage: 'open' },
    ]) {
      expect(plan(record), JSON.stringify(record)).toBe(checker.can(two, 'edit', record).allow);
    }
    expect(checker.plan({ id: 'u1', role: 'rep', roles: ['rep', 'cleaner'] }, 'delete', 'lead').result).toBe('always');
  });

  it('R-Z9 fields are those of the role that allowed view', async () => {
    const checker = await compileSources({ 'policy.yaml': POLICY });
    const mine = { kind: 'lead', owner: 'u1', ownerRole: 'rep', stage: 'won', email: 'a@example.com' };
    // the rep may not view a won lead; the manager may, and reads the email
    expect(checker.fields({ id: 'u1', role: 'rep', roles: ['rep', 'manager'] }, mine)).toMatchObject({ email: 'read-only' });
    expect(checker.fields({ id: 'u1', role: 'rep' }, { ...mine, stage: 'open' })).toMatchObject({ email: 'hidden' });
  });

  it('a role whose check throws denies for itself only: a later role that does not read the throwing value may allow', async () => {
    const checker = await compileSources({ 'policy.yaml': POLICY });
    const lead = {
      kind: 'lead',
      stage: 'open',
      get owner(): string {
        throw new Error('owner unavailable');
      },
    };
    // the rep's `own` grant reads the owner and throws; the cleaner's `all` does not read it
    expect(checker.can({ id: 'u1', role: 'rep', roles: ['rep', 'cleaner'] }, 'view', lead as never)).toMatchObject({ allow: true, rule: { role: 'cleaner' } });
    expect(checker.can({ id: 'u1', role: 'rep', roles: ['rep'] }, 'view', lead as never)).toMatchObject({ allow: false, code: 'error', reason: expect.stringContaining('owner unavailable') });
    expect(checker.can({ id: 'u1', role: 'rep', roles: ['rep', 'manager'] }, 'view', lead as never)).toMatchObject({ allow: false, code: 'error' });
  });

  it('fail closed: roles that are not a list of 1 to 64 names deny; a role in the list the policy lacks allows nothing', async () => {
    const checker = await compileSources({ 'policy.yaml': POLICY });
    const lead = { kind: 'lead', owner: 'u1', ownerRole: 'rep', stage: 'open' };
    for (const roles of [[], 'cleaner', [7], null, ['cleaner', 7], [, 'cleaner'], Array.from({ length: 65 }, () => 'cleaner')]) {
      expect(checker.can({ id: 'u1', role: 'rep', roles } as never, 'delete', lead), JSON.stringify(roles)).toMatchObject({ allow: false, code: 'invalid-request' });
      expect(checker.plan({ id: 'u1', role: 'rep', roles } as never, 'delete', 'lead').result).toBe('never');
    }
    expect(checker.can({ id: 'u1', role: 'rep', roles: ['rep', '__proto__', 'constructor'] }, 'delete', lead)).toMatchObject({ allow: false, code: 'default-deny' });
    expect(checker.can({ id: 'u1', role: 'rep', roles: ['__proto__', 'cleaner'] }, 'delete', lead)).toMatchObject({ allow: true, rule: { role: 'cleaner' } });
    // `roles` inherited from Object.prototype does not count (the own-data rule)
    const proto = Object.prototype as { roles?: unknown };
    proto.roles = ['cleaner'];
    try {
      expect(checker.can({ id: 'u1', role: 'rep' }, 'delete', lead).allow).toBe(false);
    } finally {
      delete proto.roles;
    }
  });
});
