/**
 * Decision tests of the Zoho-style policy set (seeds 002/003): the role hierarchy, sharing with
 * peers, profiles limiting the hierarchy, the Administrator profile.
 */
import { describe, expect, it } from 'vitest';
import { loadChecker } from '../../test/helpers/policy.ts';
import { grantLine } from '../yaml-lines.ts';

const here = new URL('.', import.meta.url);
const checker = await loadChecker(here);
const line = (role: string, ...patterns: RegExp[]) => grantLine(here, 'roles.yaml', role, ...patterns);

const ACTIONS = ['create', 'view', 'edit', 'delete', 'export'] as const;
const KINDS = ['lead', 'deal', 'contact'] as const;

const ceo = { id: 'ceo1', role: 'ceo' };
const salesManager = { id: 'sm1', role: 'sales_manager' };
const marketingManager = { id: 'mm1', role: 'marketing_manager', groups: ['marketing', 'events'] };
const salesRep = { id: 'sr1', role: 'sales_rep' };
const trainee = { id: 'st1', role: 'sales_trainee' };
const marketingRep = { id: 'mr1', role: 'marketing_rep' };

/** A record of `kind` owned by user `owner` whose role is `ownerRole` (contacts: in group `group`). */
const rec = (kind: string, owner: string, ownerRole: string, group = 'sales') =>
  kind === 'contact' ? { kind, owner, ownerRole, group } : { kind, owner, ownerRole };

/** One user of each role below the CEO, with a record owner id. */
const BELOW_CEO = [
  ['sm2', 'sales_manager'],
  ['mm2', 'marketing_manager'],
  ['sr2', 'sales_rep'],
  ['st2', 'sales_trainee'],
  ['mr2', 'marketing_rep'],
] as const;

describe('zoho-hierarchy', () => {
  it('R-Z1 a user reaches their own records through an own grant', () => {
    const d = checker.can(salesRep, 'edit', rec('lead', 'sr1', 'sales_rep'));
    expect(d).toMatchObject({ allow: true, code: 'own' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('standard_profile', /^ +lead:/, /'\*': own/), role: 'sales_rep', level: 'own' });
  });

  it('R-Z1 a sales manager reaches all records of the sales representatives below', () => {
    const d = checker.can(salesManager, 'view', rec('lead', 'sr2', 'sales_rep'));
    expect(d).toMatchObject({ allow: true, code: 'hierarchy' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_manager', /^ +lead: own/), role: 'sales_manager', resource: 'lead', action: 'view' });
    expect(checker.can(salesManager, 'edit', rec('contact', 'sr2', 'sales_rep'))).toMatchObject({ allow: true, code: 'hierarchy' });
    expect(checker.can(salesManager, 'view', rec('deal', 'sr2', 'sales_rep'))).toMatchObject({ allow: true, code: 'hierarchy' });
    expect(checker.can(marketingManager, 'edit', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: true, code: 'hierarchy' });
  });

  it('R-Z1 the hierarchy is transitive: superiors reach the records of their subordinates\' subordinates', () => {
    expect(checker.can(salesManager, 'view', rec('lead', 'st2', 'sales_trainee'))).toMatchObject({ allow: true, code: 'hierarchy' });
    expect(checker.can(salesRep, 'view', rec('lead', 'st2', 'sales_trainee'))).toMatchObject({ allow: true, code: 'hierarchy' });
    expect(checker.can(ceo, 'delete', rec('contact', 'st2', 'sales_trainee'))).toMatchObject({ allow: true, code: 'hierarchy' });
    expect(checker.can(ceo, 'export', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: true, code: 'hierarchy' });
  });

  it('R-Z1 the CEO reaches the whole database: every record of every role below, and other CEO users\' records', () => {
    for (const kind of KINDS) {
      for (const action of ACTIONS) {
        for (const [owner, role] of BELOW_CEO) {
          expect(checker.can(ceo, action, rec(kind, owner, role))).toMatchObject({ allow: true, code: 'hierarchy' });
        }
        expect(checker.can(ceo, action, rec(kind, 'ceo1', 'ceo'))).toMatchObject({ allow: true, code: 'own' });
        expect(checker.can(ceo, action, rec(kind, 'ceo2', 'ceo'))).toMatchObject({ allow: true, code: 'peer' });
      }
    }
  });

  it('R-Z1 subordinates do not reach their superiors\' records', () => {
    expect(checker.can(salesRep, 'view', rec('lead', 'sm1', 'sales_manager'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(trainee, 'view', rec('lead', 'sr1', 'sales_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(salesManager, 'view', rec('lead', 'ceo1', 'ceo'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(marketingRep, 'view', rec('contact', 'mm1', 'marketing_manager'))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z1 R-Z3 sibling managers do not see each other\'s records nor each other\'s teams\'', () => {
    expect(checker.can(salesManager, 'view', rec('lead', 'mm1', 'marketing_manager'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(marketingManager, 'view', rec('lead', 'sm1', 'sales_manager'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(salesManager, 'view', rec('contact', 'mr2', 'marketing_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(marketingManager, 'view', rec('contact', 'sr2', 'sales_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z3 users of the same role do not see each other\'s records by default', () => {
    expect(checker.can(marketingRep, 'view', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(salesManager, 'view', rec('lead', 'sm2', 'sales_manager'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(trainee, 'view', rec('lead', 'st2', 'sales_trainee'))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z3 a role that shares data with peers reaches its peers\' records', () => {
    const d = checker.can(salesRep, 'edit', rec('lead', 'sr2', 'sales_rep'));
    expect(d).toMatchObject({ allow: true, code: 'peer' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('standard_profile', /^ +lead:/, /'\*': own/), role: 'sales_rep' });
    expect(checker.can(salesRep, 'view', rec('deal', 'sr2', 'sales_rep'))).toMatchObject({ allow: true, code: 'peer' });
    expect(checker.can(salesRep, 'view', rec('contact', 'sr2', 'sales_rep'))).toMatchObject({ allow: true, code: 'peer' });
    // …but not the records of another role
    expect(checker.can(salesRep, 'view', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z2 R-Z8 a manager whose profile denies deleting or exporting deals cannot do it to subordinates\' deals', () => {
    const del = checker.can(salesManager, 'delete', rec('deal', 'sr2', 'sales_rep'));
    expect(del).toMatchObject({ allow: false, code: 'denied' });
    expect(del.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_manager', /^ +deal:/, /delete: deny/), level: 'deny' });
    expect(checker.can(salesManager, 'export', rec('deal', 'sr2', 'sales_rep'))).toMatchObject({ allow: false, code: 'denied' });
    expect(checker.can(salesManager, 'delete', rec('deal', 'sm1', 'sales_manager'))).toMatchObject({ allow: false, code: 'denied' });
    // while the representative may delete their own deal
    expect(checker.can({ id: 'sr2', role: 'sales_rep' }, 'delete', rec('deal', 'sr2', 'sales_rep'))).toMatchObject({ allow: true, code: 'own' });
  });

  it('R-Z2 a manager without a grant on deals cannot view subordinates\' deals', () => {
    const deal = rec('deal', 'mr1', 'marketing_rep');
    expect(checker.can(marketingRep, 'view', deal)).toMatchObject({ allow: true, code: 'own' });
    for (const action of ACTIONS) {
      expect(checker.can(marketingManager, action, deal)).toMatchObject({ allow: false, code: 'default-deny' });
    }
  });

  it('R-Z2 the hierarchy never widens an action the role lacks, even for its own records', () => {
    // the trainee has no delete on leads: neither their own nor (as sales_rep has) anyone's
    expect(checker.can(trainee, 'delete', rec('lead', 'st1', 'sales_trainee'))).toMatchObject({ allow: false, code: 'default-deny' });
    expect(checker.can(trainee, 'edit', rec('deal', 'st1', 'sales_trainee'))).toMatchObject({ allow: false, code: 'default-deny' });
  });

  it('R-Z1 an own grant on create is about the new record\'s owner, so it needs the owner attribute', () => {
    expect(checker.can(ceo, 'create', rec('deal', 'ceo1', 'ceo'))).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(ceo, 'create', rec('deal', 'sr2', 'sales_rep'))).toMatchObject({ allow: true, code: 'hierarchy' });
    expect(checker.can(ceo, 'create', { kind: 'deal' })).toMatchObject({ allow: false, code: 'missing-attribute' });
  });

  it('R-Z7 R-K8 a team grant reaches the contacts of the manager\'s groups, before the hierarchy is asked', () => {
    // a sales rep's contact in the `events` group the marketing manager belongs to
    const d = checker.can(marketingManager, 'view', rec('contact', 'sr2', 'sales_rep', 'events'));
    expect(d).toMatchObject({ allow: true, code: 'team' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('marketing_manager', /^ +contact:/, /view: team/), level: 'team' });
    expect(checker.can(marketingManager, 'view', rec('contact', 'sr2', 'sales_rep', 'sales'))).toMatchObject({ allow: false, code: 'not-reached' });
    // own records, then the team, then the hierarchy
    expect(checker.can(marketingManager, 'view', rec('contact', 'mm1', 'marketing_manager', 'sales'))).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(marketingManager, 'view', rec('contact', 'mr2', 'marketing_rep', 'sales'))).toMatchObject({ allow: true, code: 'hierarchy' });
    // only `view` is team-wide; edit is own (and the hierarchy)
    expect(checker.can(marketingManager, 'edit', rec('contact', 'sr2', 'sales_rep', 'events'))).toMatchObject({ allow: false, code: 'not-reached' });
    // the team attribute is needed once the manager is not the owner
    expect(checker.can(marketingManager, 'view', { kind: 'contact', owner: 'mr2', ownerRole: 'marketing_rep' })).toMatchObject({ allow: false, code: 'missing-attribute' });
  });

  it('R-K4 R-Z8 representatives\' roles extend a profile template; marketing_rep overrides deals and contact export', () => {
    const mr = { id: 'mr1', role: 'marketing_rep' };
    // inherited from standard_profile
    const edit = checker.can(mr, 'edit', rec('lead', 'mr1', 'marketing_rep'));
    expect(edit).toMatchObject({ allow: true, code: 'own' });
    expect(edit.rule).toMatchObject({ file: 'roles.yaml', line: line('standard_profile', /^ +lead:/, /'\*': own/), role: 'marketing_rep' });
    expect(checker.can(mr, 'create', { kind: 'lead' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(mr, 'edit', rec('contact', 'mr1', 'marketing_rep'))).toMatchObject({ allow: true, code: 'own' });
    // overridden: deals only viewed, contacts not exported
    const del = checker.can(mr, 'delete', rec('deal', 'mr1', 'marketing_rep'));
    expect(del).toMatchObject({ allow: false, code: 'denied' });
    expect(del.rule).toMatchObject({ file: 'roles.yaml', line: line('marketing_rep', /^ +deal:/, /'\*': deny/), level: 'deny' });
    expect(checker.can(mr, 'create', { kind: 'deal' })).toMatchObject({ allow: false, code: 'denied' });
    expect(checker.can(mr, 'view', rec('deal', 'mr1', 'marketing_rep'))).toMatchObject({ allow: true, code: 'own' });
    const exp = checker.can(mr, 'export', rec('contact', 'mr1', 'marketing_rep'));
    expect(exp).toMatchObject({ allow: false, code: 'denied' });
    expect(exp.rule).toMatchObject({ line: line('marketing_rep', /contact: \{ export: deny \}/) });
    // the sales rep, extending the same profile, is unchanged
    expect(checker.can(salesRep, 'delete', rec('deal', 'sr1', 'sales_rep'))).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(salesRep, 'export', rec('contact', 'sr1', 'sales_rep'))).toMatchObject({ allow: true, code: 'own' });
  });

  it('R-Z8 the Administrator profile reaches all data whatever its role', () => {
    const admin = { id: 'a1', role: 'administrator' };
    for (const kind of KINDS) {
      for (const action of ACTIONS) {
        expect(checker.can(admin, action, rec(kind, 'ceo1', 'ceo'))).toMatchObject({ allow: true, code: 'admin' });
        expect(checker.can(admin, action, rec(kind, 'mr2', 'marketing_rep'))).toMatchObject({ allow: true, code: 'admin' });
        expect(checker.can(admin, action, { kind })).toMatchObject({ allow: true, code: 'admin' });
      }
    }
  });

  it('R-Z1 a missing owner attribute fails closed with missing-attribute', () => {
    for (const principal of [ceo, salesManager, salesRep, marketingRep]) {
      expect(checker.can(principal, 'view', { kind: 'lead', ownerRole: 'sales_rep' })).toMatchObject({ allow: false, code: 'missing-attribute' });
      expect(checker.can(principal, 'view', { kind: 'contact', owner: 7, ownerRole: 'sales_rep' } as never)).toMatchObject({ allow: false, code: 'missing-attribute' });
    }
  });

  it('R-Z1 a missing owner role fails closed for roles with roles below or peers', () => {
    expect(checker.can(salesManager, 'view', { kind: 'lead', owner: 'sr2' })).toMatchObject({ allow: false, code: 'missing-attribute' });
    expect(checker.can(salesRep, 'view', { kind: 'lead', owner: 'sr2' })).toMatchObject({ allow: false, code: 'missing-attribute' });
    expect(checker.can(ceo, 'view', { kind: 'deal', owner: 'x', ownerRole: null } as never)).toMatchObject({ allow: false, code: 'missing-attribute' });
    // not needed when the user owns the record
    expect(checker.can(salesManager, 'view', { kind: 'lead', owner: 'sm1' })).toMatchObject({ allow: true, code: 'own' });
    // not read by a role with nobody below and no peers
    expect(checker.can(marketingRep, 'view', { kind: 'lead', owner: 'mr2' })).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z1 an owner role outside the hierarchy is not reached', () => {
    expect(checker.can(ceo, 'view', rec('lead', 'x1', 'intern'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(salesManager, 'view', rec('lead', 'x1', 'SALES_REP_'))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z1 create with an all grant needs no owner', () => {
    expect(checker.can(salesRep, 'create', { kind: 'lead' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(salesManager, 'create', { kind: 'deal' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(marketingManager, 'create', { kind: 'deal' })).toMatchObject({ allow: false, code: 'default-deny' });
  });

  it('R-Z9 field-level security: representatives do not see customers\' bank accounts; managers do', () => {
    const contact = { kind: 'contact', owner: 'sr1', ownerRole: 'sales_rep', group: 'sales', email: 'a@example.com', bankAccount: 'PL61' } as const;
    expect(checker.fields(salesRep, contact)).toEqual({ owner: 'read-write', ownerRole: 'read-write', email: 'read-only', bankAccount: 'hidden', group: 'read-write' });
    expect(checker.fields(salesManager, contact)).toMatchObject({ bankAccount: 'read-write', email: 'read-write' });
    expect(checker.fields(trainee, { ...contact, owner: 'st1', ownerRole: 'sales_trainee' })).toMatchObject({ bankAccount: 'hidden', email: 'read-only', group: 'read-only' });
    expect(checker.fields(marketingRep, { ...contact, owner: 'mr1', ownerRole: 'marketing_rep' })).toMatchObject({ bankAccount: 'hidden', email: 'read-write' });
    expect(checker.redact(salesRep, contact)).toEqual({ kind: 'contact', owner: 'sr1', ownerRole: 'sales_rep', group: 'sales', email: 'a@example.com' });
  });

  it('R-Z9 a representative may edit the contact but not change its bank account or email; the reason names the rule', () => {
    const contact = { kind: 'contact', owner: 'sr1', ownerRole: 'sales_rep' } as const;
    expect(checker.canWrite(salesRep, contact, { group: 'north' })).toMatchObject({ allow: true, code: 'own' });
    const d = checker.canWrite(salesRep, contact, { bankAccount: 'PL00' });
    const at = line('sales_rep', /^ +contact:/, /bankAccount:/);
    expect(d).toMatchObject({ allow: false, code: 'field-denied', field: { role: 'sales_rep', field: 'bankAccount', access: 'hidden', file: 'roles.yaml', line: at } });
    expect(d.reason).toContain(`field \`bankAccount\` of \`contact\` hidden at roles.yaml:${at}:`);
    expect(checker.canWrite(salesRep, contact, { email: 'b@example.com' })).toMatchObject({ allow: false, code: 'field-denied', field: { access: 'read-only' } });
    expect(checker.canWrite(salesManager, contact, { bankAccount: 'PL00' })).toMatchObject({ allow: true, code: 'hierarchy' });
  });

  it('R-Z8 R-Z9 the Administrator profile sees and changes every field', () => {
    const admin = { id: 'a1', role: 'administrator' };
    const contact = { kind: 'contact', owner: 'sr1', ownerRole: 'sales_rep' } as const;
    expect(Object.values(checker.fields(admin, contact)).every((a) => a === 'read-write')).toBe(true);
    expect(checker.canWrite(admin, contact, { bankAccount: 'PL00', email: 'x' })).toMatchObject({ allow: true, code: 'admin' });
  });
});
