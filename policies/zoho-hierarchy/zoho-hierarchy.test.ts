/**
 * Decision tests of the Zoho-style policy set (seeds 002/003): the role hierarchy, sharing with
 * peers, profiles limiting the hierarchy, the Administrator profile; groups, sharing rules, an
 * org-wide default and notes on parent records.
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
    // …but not the records of another role (leads of marketing reps come through a sharing rule, below)
    expect(checker.can(salesRep, 'view', rec('deal', 'mr2', 'marketing_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
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

describe('zoho-hierarchy: profiles, groups, sharing rules, org-wide defaults, parent records (sharing.yaml)', () => {
  const supportAgent = { id: 'sa1', role: 'support_agent' };

  it('R-Z5 a sharing rule shares the giving side\'s records with the receivers, read-only: view but not edit', () => {
    const d = checker.can(marketingRep, 'view', rec('deal', 'st2', 'sales_trainee'));
    expect(d).toMatchObject({ allow: true, code: 'shared', rule: { kind: 'sharing', name: 'key_account_deals_to_marketing', file: 'sharing.yaml' } });
    expect(d.reason).toMatch(/^allowed: sharing rule `key_account_deals_to_marketing` at sharing\.yaml:\d+:3 shares these `deal` records with the principal$/);
    // read-only, and the marketing rep's own grant denies editing deals anyway (R-Z2)
    expect(checker.can(marketingRep, 'edit', rec('deal', 'st2', 'sales_trainee'))).toMatchObject({ allow: false, code: 'denied' });
    // the group is sales_rep and every role below it: not the sales manager's deals
    expect(checker.can(marketingRep, 'view', rec('deal', 'sm2', 'sales_manager'))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z6 a sharing rule without allowed superiors does not reach the receivers\' superiors', () => {
    // marketing_manager is above marketing_rep, but key_account_deals_to_marketing allows no superiors (and the profile has no deals: R-Z2)
    expect(checker.can(marketingManager, 'view', rec('deal', 'sr2', 'sales_rep'))).toMatchObject({ allow: false, code: 'default-deny' });
  });

  it('R-Z6 with allowed superiors, the receivers\' superiors get the records too, and only the shared actions', () => {
    expect(checker.can(salesRep, 'edit', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: true, code: 'shared', rule: { name: 'marketing_leads_to_sales' } });
    expect(checker.can(salesManager, 'view', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: true, code: 'shared' });
    // read-write is view and edit: delete and export are not shared
    expect(checker.can(salesRep, 'delete', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
    // a role below the receivers is neither receiver nor superior
    expect(checker.can(trainee, 'view', rec('lead', 'mr2', 'marketing_rep'))).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z7 R-K8 a group holds users (from the request) and roles with their subordinates; blue reaches its members\' records', () => {
    const inGroup = { ...marketingManager, groups: ['key_accounts'] };
    const contact = { kind: 'contact', owner: 'st2', ownerRole: 'sales_trainee', group: 'elsewhere' };
    expect(checker.can(inGroup, 'view', contact)).toMatchObject({ allow: true, code: 'group' });
    expect(checker.can(marketingManager, 'view', contact)).toMatchObject({ allow: false, code: 'not-reached' });
    // only where the grant is blue: the manager's other contact actions are yellow
    expect(checker.can(inGroup, 'edit', contact)).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-Z2 R-Z8 a profile says what a user may do, the role whose records they reach', () => {
    // support_agent reports to sales_manager: the manager reaches the agent's records through the hierarchy
    expect(checker.can(salesManager, 'view', rec('lead', 'sa1', 'support_agent'))).toMatchObject({ allow: true, code: 'hierarchy' });
    // the agent's Standard profile: view and edit own leads, no delete
    expect(checker.can(supportAgent, 'edit', rec('lead', 'sa1', 'support_agent'))).toMatchObject({ allow: true, code: 'own', rule: { declaredIn: 'standard', file: 'sharing.yaml' } });
    expect(checker.can(supportAgent, 'delete', rec('lead', 'sa1', 'support_agent'))).toMatchObject({ allow: false, code: 'default-deny' });
    // the Administrator profile reaches all data whatever the role
    expect(checker.can({ id: 'it1', role: 'it_admin' }, 'delete', rec('deal', 'ceo1', 'ceo'))).toMatchObject({ allow: true, code: 'admin', rule: { declaredIn: 'administrator_profile' } });
    // a profile is not a role
    expect(checker.can({ id: 'x', role: 'standard' }, 'view', rec('lead', 'x', 'standard'))).toMatchObject({ allow: false, code: 'unknown-role' });
  });

  it('R-Z5 an org-wide default of public read-only opens every product to roles whose profile may view products', () => {
    expect(checker.can(supportAgent, 'view', { kind: 'product', owner: 'someone', ownerRole: 'ceo' })).toMatchObject({ allow: true, code: 'public' });
    expect(checker.can(supportAgent, 'edit', { kind: 'product', owner: 'someone', ownerRole: 'ceo' })).toMatchObject({ allow: false, code: 'default-deny' });
    // a role whose profile has no product grant gets nothing from the default (R-Z2)
    expect(checker.can(salesRep, 'view', { kind: 'product', owner: 'someone', ownerRole: 'ceo' })).toMatchObject({ allow: false, code: 'default-deny' });
  });

  it('R-Z11 notes need read access to the parent record to be read, and write access to be added or changed', () => {
    const note = (parent: unknown) => ({ kind: 'note', parent, text: 'called them' });
    const ownDeal = rec('deal', 'sr1', 'sales_rep');
    expect(checker.can(salesRep, 'view', note(ownDeal))).toMatchObject({ allow: true, code: 'parent', rule: { kind: 'parent', resource: 'note' } });
    expect(checker.can(salesManager, 'create', note(rec('deal', 'st2', 'sales_trainee')))).toMatchObject({ allow: true, code: 'parent' });
    // marketing_manager cannot view deals (R-Z2), so not their notes either
    expect(checker.can(marketingManager, 'view', note(rec('deal', 'mr2', 'marketing_rep')))).toMatchObject({ allow: false, code: 'parent' });
    // a marketing rep may view a key-account deal (shared read-only) but not add notes to it
    expect(checker.can(marketingRep, 'view', note(rec('deal', 'st2', 'sales_trainee')))).toMatchObject({ allow: true, code: 'parent' });
    expect(checker.can(marketingRep, 'create', note(rec('deal', 'st2', 'sales_trainee')))).toMatchObject({ allow: false, code: 'parent' });
    // no parent, or a parent of a kind notes do not attach to: fail closed
    expect(checker.can(salesRep, 'view', note(undefined))).toMatchObject({ allow: false, code: 'missing-attribute' });
    expect(checker.can(salesRep, 'view', note({ kind: 'product', owner: 'sr1' }))).toMatchObject({ allow: false, code: 'missing-attribute' });
    // the administrator reaches every note
    expect(checker.can({ id: 'a1', role: 'administrator' }, 'delete', note(rec('deal', 'ceo1', 'ceo')))).toMatchObject({ allow: true, code: 'parent' });
  });
});

describe('zoho-hierarchy: working hours (shifts.yaml, R-Z10)', () => {
  const desk = { id: 'd1', role: 'support_desk' };
  const contact = { kind: 'contact', owner: 'sr2', ownerRole: 'sales_rep', group: 'sales' };
  const at = (iso: string) => ({ now: new Date(iso) });

  it('R-Z10 a grant during the shift applies only within the role\'s working hours, in its time zone', () => {
    // Monday 2026-03-23, Warsaw is UTC+1: 08:30 local is 07:30 UTC
    expect(checker.can(desk, 'view', contact, at('2026-03-23T07:30:00Z'))).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(desk, 'view', contact, at('2026-03-23T06:30:00Z'))).toMatchObject({ allow: false, code: 'condition' });
    // Saturday: no shift
    expect(checker.can(desk, 'view', contact, at('2026-03-28T10:00:00Z'))).toMatchObject({ allow: false, code: 'condition' });
  });

  it('R-Z10 across the daylight-saving change the shift follows local time', () => {
    // Monday 2026-03-30, Warsaw is UTC+2 (summer time since 2026-03-29): 08:30 local is 06:30 UTC
    expect(checker.can(desk, 'view', contact, at('2026-03-30T06:30:00Z'))).toMatchObject({ allow: true });
    expect(checker.can(desk, 'view', contact, at('2026-03-30T15:30:00Z'))).toMatchObject({ allow: false, code: 'condition' }); // 17:30 local
    // Monday 2026-10-26, back to UTC+1: 16:30 local is 15:30 UTC
    expect(checker.can(desk, 'view', contact, at('2026-10-26T15:30:00Z'))).toMatchObject({ allow: true });
  });

  it('R-Z10 a user assigned to another shift works its hours: a night shift crossing midnight at +11:00', () => {
    const night = { ...desk, shift: 'sydney_night' };
    // Monday 23:00 at +11:00 is Monday 12:00 UTC; Tuesday 05:00 at +11:00 is Monday 18:00 UTC
    expect(checker.can(night, 'view', contact, at('2026-03-23T12:00:00Z'))).toMatchObject({ allow: true });
    expect(checker.can(night, 'view', contact, at('2026-03-23T18:00:00Z'))).toMatchObject({ allow: true });
    expect(checker.can(night, 'view', contact, at('2026-03-23T20:00:00Z'))).toMatchObject({ allow: false, code: 'condition' }); // 07:00
    // Saturday 05:00 at +11:00 ends Friday's shift: still in it
    expect(checker.can(night, 'view', contact, at('2026-03-27T18:00:00Z'))).toMatchObject({ allow: true });
    // an unknown shift is no shift at all
    expect(checker.can({ ...desk, shift: 'nope' }, 'view', contact, at('2026-03-23T07:30:00Z'))).toMatchObject({ allow: false, code: 'condition' });
  });

  it('R-Z10 without a `now` the condition cannot be evaluated: denied, with a reason', () => {
    const d = checker.can(desk, 'view', contact);
    expect(d).toMatchObject({ allow: false, code: 'condition' });
    expect(d.reason).toContain('could not be evaluated');
    // plans decide the shift for the principal up front
    expect(checker.plan(desk, 'view', 'contact', at('2026-03-23T07:30:00Z')).result).toBe('always');
    expect(checker.plan(desk, 'view', 'contact', at('2026-03-23T20:00:00Z')).result).toBe('never');
  });
});

describe('zoho-hierarchy: fields within working hours (R-Z9, R-Z10)', () => {
  it('R-Z9 R-Z10 field masks, redaction and write checks take the context of the check', () => {
    const desk = { id: 'd1', role: 'support_desk' };
    const contact = { kind: 'contact', owner: 'd1', ownerRole: 'support_desk', group: 'sales', email: 'a@b.c', bankAccount: 'PL61' };
    const inShift = { now: new Date('2026-03-23T07:30:00Z') };
    const outside = { now: new Date('2026-03-23T20:00:00Z') };
    expect(checker.fields(desk, contact, inShift).email).not.toBe('hidden');
    expect(Object.values(checker.fields(desk, contact, outside)).every((a) => a === 'hidden')).toBe(true);
    expect(checker.redact(desk, contact, outside)).toEqual({ kind: 'contact' });
    expect(checker.canWrite(desk, contact, { email: 'x@y.z' }, inShift)).toMatchObject({ allow: true });
    expect(checker.canWrite(desk, contact, { email: 'x@y.z' }, outside)).toMatchObject({ allow: false, code: 'condition' });
  });
});
