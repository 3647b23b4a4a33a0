/**
 * Decision tests of the Kommo-style policy set (seed 000): colours, groups, roles saved from
 * roles, administrators. Expected rule lines are found by searching roles.yaml.
 */
import { describe, expect, it } from 'vitest';
import { loadChecker } from '../../test/helpers/policy.ts';
import { toPredicate } from '../../packages/runtime/src/index.ts';
import { grantLine } from '../yaml-lines.ts';

const here = new URL('.', import.meta.url);
const checker = await loadChecker(here);
const line = (role: string, ...patterns: RegExp[]) => grantLine(here, 'roles.yaml', role, ...patterns);

const ACTIONS = ['create', 'view', 'edit', 'delete', 'export'] as const;
const KINDS = ['lead', 'contact', 'company'] as const;

// u1 and u2 are in the sales group, u3 in the marketing group.
const rep = { id: 'u1', role: 'sales_rep', groups: ['sales'] };
const myLead = { kind: 'lead', responsible: 'u1', team: 'sales', amount: 1200, pipeline: 'main', stage: 'new' };
const teammatesLead = { kind: 'lead', responsible: 'u2', team: 'sales', amount: 300 };
const marketingLead = { kind: 'lead', responsible: 'u3', team: 'marketing', amount: 50 };

function record(kind: string, responsible: string, team: string) {
  return { kind, responsible, team };
}

describe('kommo-crm', () => {
  it('R-K1 an administrator may do every action on every entity, whoever is responsible', () => {
    for (const id of ['a1', 'a2', 'a3']) {
      // any number of users may be administrators
      const admin = { id, role: 'administrator' };
      for (const kind of KINDS) {
        for (const action of ACTIONS) {
          expect(checker.can(admin, action, record(kind, 'u3', 'marketing'))).toMatchObject({ allow: true, code: 'admin' });
        }
      }
    }
  });

  it('R-K1 an administrator needs no record attribute', () => {
    expect(checker.can({ id: 'a1', role: 'administrator' }, 'delete', { kind: 'lead' })).toMatchObject({ allow: true, code: 'admin' });
  });

  it('R-K1 R-K4 R-K11 a role extending the administrator role (a partner user made admin) is an administrator', () => {
    const partner = { id: 'p1', role: 'partner_admin' };
    for (const kind of KINDS) {
      for (const action of ACTIONS) {
        expect(checker.can(partner, action, record(kind, 'u2', 'sales'))).toMatchObject({ allow: true, code: 'admin' });
      }
    }
  });

  it('R-K2 every entity has exactly create, view, edit, delete, export', () => {
    const admin = { id: 'a1', role: 'administrator' };
    for (const kind of KINDS) {
      for (const action of ACTIONS) expect(checker.can(admin, action, record(kind, 'u1', 'sales')).code).toBe('admin');
      expect(checker.can(admin, 'archive' as never, record(kind, 'u1', 'sales'))).toMatchObject({ allow: false, code: 'unknown-action' });
    }
    expect(checker.can(admin, 'view', { kind: 'invoice' } as never)).toMatchObject({ allow: false, code: 'unknown-resource' });
  });

  it('R-K3 green allows every record, and needs no attribute', () => {
    const manager = { id: 'm1', role: 'sales_manager', groups: ['sales'] };
    const d = checker.can(manager, 'edit', marketingLead);
    expect(d).toMatchObject({ allow: true, code: 'all' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_manager', /^ +lead:/, /'\*': green/), role: 'sales_manager', resource: 'lead', action: 'edit', level: 'all' });
    expect(checker.can(manager, 'view', { kind: 'lead' })).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(manager, 'export', { kind: 'contact' })).toMatchObject({ allow: true, code: 'all' });
  });

  it('R-K3 red denies even the records the user is responsible for', () => {
    const d = checker.can(rep, 'delete', myLead);
    expect(d).toMatchObject({ allow: false, code: 'denied' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_rep', /^ +lead:/, /delete: red/), level: 'deny' });
    expect(checker.can(rep, 'export', myLead)).toMatchObject({ allow: false, code: 'denied' });
    const manager = { id: 'm1', role: 'sales_manager', groups: ['sales'] };
    expect(checker.can(manager, 'delete', record('company', 'm1', 'sales'))).toMatchObject({ allow: false, code: 'denied' });
  });

  it('R-K3 a yellow grant lets a rep view and edit only the leads they are responsible for', () => {
    const d = checker.can(rep, 'view', myLead);
    expect(d).toMatchObject({ allow: true, code: 'own' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_rep', /^ +lead:/, /view: yellow/), role: 'sales_rep', level: 'own' });
    expect(checker.can(rep, 'edit', myLead)).toMatchObject({ allow: true, code: 'own' });
    // a teammate's lead is not reached by yellow, even in the same group
    expect(checker.can(rep, 'view', teammatesLead)).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(rep, 'edit', marketingLead)).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-K3 R-K8 blue reaches the records of the user\'s groups and hides other groups\' records', () => {
    const teammatesContact = record('contact', 'u2', 'sales');
    const d = checker.can(rep, 'view', teammatesContact);
    expect(d).toMatchObject({ allow: true, code: 'team' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_rep', /^ +contact:/, /view: blue/), level: 'team' });
    expect(checker.can(rep, 'view', record('contact', 'u3', 'marketing'))).toMatchObject({ allow: false, code: 'not-reached' });
    // the responsible user reaches their record through blue as `own`
    expect(checker.can(rep, 'view', record('contact', 'u1', 'sales'))).toMatchObject({ allow: true, code: 'own' });
    // a user of several groups reaches each of them
    const both = { id: 'u9', role: 'sales_rep', groups: ['sales', 'marketing'] };
    expect(checker.can(both, 'view', record('contact', 'u3', 'marketing'))).toMatchObject({ allow: true, code: 'team' });
    // a user of no group reaches only their own records
    const loner = { id: 'u8', role: 'sales_rep', groups: [] };
    expect(checker.can(loner, 'view', teammatesContact)).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-K8 a team lead sees and edits every lead of their group, not the marketing team\'s', () => {
    const lead = { id: 't1', role: 'team_lead', groups: ['sales'] };
    const d = checker.can(lead, 'view', teammatesLead);
    expect(d).toMatchObject({ allow: true, code: 'team' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('team_lead', /^ +lead:/, /view: blue/), role: 'team_lead', level: 'team' });
    expect(checker.can(lead, 'edit', teammatesLead)).toMatchObject({ allow: true, code: 'team' });
    expect(checker.can(lead, 'view', marketingLead)).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(lead, 'edit', marketingLead)).toMatchObject({ allow: false, code: 'not-reached' });
    // the marketing team's own team lead sees it
    const marketingLeadUser = { id: 't2', role: 'team_lead', groups: ['marketing'] };
    expect(checker.can(marketingLeadUser, 'view', marketingLead)).toMatchObject({ allow: true, code: 'team' });
    expect(checker.can(marketingLeadUser, 'view', teammatesLead)).toMatchObject({ allow: false, code: 'not-reached' });
  });

  it('R-K4 a role saved from sales_rep keeps the grants it does not override', () => {
    const lead = { id: 't1', role: 'team_lead', groups: ['sales'] };
    // create: green, inherited; the rule is the line written in sales_rep
    const create = checker.can(lead, 'create', marketingLead);
    expect(create).toMatchObject({ allow: true, code: 'all' });
    expect(create.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_rep', /^ +lead:/, /create: green/), role: 'team_lead', level: 'all' });
    // delete: red, inherited
    const del = checker.can(lead, 'delete', teammatesLead);
    expect(del).toMatchObject({ allow: false, code: 'denied' });
    expect(del.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_rep', /^ +lead:/, /delete: red/) });
    // contacts are inherited whole
    expect(checker.can(lead, 'view', record('contact', 'u2', 'sales'))).toMatchObject({ allow: true, code: 'team' });
    expect(checker.can(lead, 'edit', record('contact', 'u2', 'sales'))).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(lead, 'delete', record('contact', 'u1', 'sales'))).toMatchObject({ allow: false, code: 'denied' });
  });

  it('R-K4 a saved role overrides the parent: red export becomes yellow, yellow view becomes blue', () => {
    const lead = { id: 't1', role: 'team_lead', groups: ['sales'] };
    const mine = { ...teammatesLead, responsible: 't1' };
    const d = checker.can(lead, 'export', mine);
    expect(d).toMatchObject({ allow: true, code: 'own' });
    expect(d.rule).toMatchObject({ line: line('team_lead', /^ +lead:/, /export: yellow/) });
    expect(checker.can(lead, 'export', teammatesLead)).toMatchObject({ allow: false, code: 'not-reached' });
    // company: the override names only edit; view (green) and the '*' red come from sales_rep
    expect(checker.can(lead, 'edit', record('company', 'u2', 'sales'))).toMatchObject({ allow: true, code: 'team' });
    expect(checker.can(lead, 'view', record('company', 'u3', 'marketing'))).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(lead, 'create', record('company', 'u1', 'sales'))).toMatchObject({ allow: false, code: 'denied' });
  });

  it('R-K4 senior_rep adds yellow delete and export to the sales_rep template', () => {
    const senior = { id: 's1', role: 'senior_rep', groups: ['sales'] };
    const mine = { ...myLead, responsible: 's1' };
    expect(checker.can(senior, 'delete', mine)).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(senior, 'export', mine)).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(senior, 'delete', teammatesLead)).toMatchObject({ allow: false, code: 'not-reached' });
    // view stays yellow from sales_rep
    expect(checker.can(senior, 'view', mine)).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(senior, 'view', teammatesLead)).toMatchObject({ allow: false, code: 'not-reached' });
    // sales_rep itself is unchanged
    expect(checker.can(rep, 'delete', myLead)).toMatchObject({ allow: false, code: 'denied' });
  });

  it('R-K4 a role built from two roles takes the widest level of its parents for each action', () => {
    const growth = { id: 'g1', role: 'growth_rep', groups: ['sales'] };
    // lead view: yellow (sales_rep) vs blue (marketer) -> blue, written in marketer
    const view = checker.can(growth, 'view', teammatesLead);
    expect(view).toMatchObject({ allow: true, code: 'team' });
    expect(view.rule).toMatchObject({ file: 'roles.yaml', line: line('marketer', /^ +lead:/, /view: blue/), role: 'growth_rep' });
    // lead create: green (sales_rep) vs red (marketer '*') -> green
    expect(checker.can(growth, 'create', marketingLead)).toMatchObject({ allow: true, code: 'all' });
    // contact view: blue vs green -> green; export: red vs green -> green; edit: yellow vs red -> yellow
    expect(checker.can(growth, 'view', record('contact', 'u3', 'marketing'))).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(growth, 'export', record('contact', 'u3', 'marketing'))).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(growth, 'edit', record('contact', 'g1', 'sales'))).toMatchObject({ allow: true, code: 'own' });
    expect(checker.can(growth, 'edit', record('contact', 'u2', 'sales'))).toMatchObject({ allow: false, code: 'not-reached' });
    // company view: green vs red -> green
    expect(checker.can(growth, 'view', record('company', 'u3', 'marketing'))).toMatchObject({ allow: true, code: 'all' });
  });

  it('R-K4 when both parents give the same level, the first listed parent decides', () => {
    const growth = { id: 'g1', role: 'growth_rep', groups: ['sales'] };
    const d = checker.can(growth, 'delete', teammatesLead); // red in both
    expect(d).toMatchObject({ allow: false, code: 'denied' });
    expect(d.rule).toMatchObject({ file: 'roles.yaml', line: line('sales_rep', /^ +lead:/, /delete: red/) });
  });

  it('R-K3 an action entry wins over \'*\', which wins over the whole-entity level', () => {
    const manager = { id: 'm1', role: 'sales_manager', groups: ['sales'] };
    // lead: '*' green but delete blue
    expect(checker.can(manager, 'delete', teammatesLead)).toMatchObject({ allow: true, code: 'team' });
    expect(checker.can(manager, 'delete', marketingLead)).toMatchObject({ allow: false, code: 'not-reached' });
    expect(checker.can(manager, 'export', marketingLead)).toMatchObject({ allow: true, code: 'all' });
    // contact: '*' red except view and edit
    expect(checker.can(rep, 'delete', record('contact', 'u1', 'sales'))).toMatchObject({ allow: false, code: 'denied' });
    expect(checker.can(rep, 'create', { kind: 'contact' })).toMatchObject({ allow: true, code: 'all' });
    // marketer: company red as a whole
    const marketer = { id: 'u3', role: 'marketer', groups: ['marketing'] };
    for (const action of ACTIONS) {
      expect(checker.can(marketer, action, record('company', 'u3', 'marketing'))).toMatchObject({ allow: false, code: 'denied' });
    }
  });

  it('R-K3 what no grant mentions is denied by default', () => {
    const analyst = { id: 'n1', role: 'analyst', groups: ['sales'] };
    expect(checker.can(analyst, 'view', marketingLead)).toMatchObject({ allow: true, code: 'all' });
    expect(checker.can(analyst, 'export', marketingLead)).toMatchObject({ allow: true, code: 'all' });
    for (const action of ['create', 'edit', 'delete'] as const) {
      expect(checker.can(analyst, action, marketingLead)).toMatchObject({ allow: false, code: 'default-deny' });
    }
    for (const kind of ['contact', 'company'] as const) {
      for (const action of ACTIONS) {
        expect(checker.can(analyst, action, record(kind, 'n1', 'sales'))).toMatchObject({ allow: false, code: 'default-deny' });
      }
    }
  });

  it('R-K3 R-K8 a missing or mistyped responsible or team attribute fails closed', () => {
    expect(checker.can(rep, 'view', { kind: 'lead', team: 'sales' })).toMatchObject({ allow: false, code: 'missing-attribute' });
    expect(checker.can(rep, 'view', { kind: 'lead', responsible: 42, team: 'sales' } as never)).toMatchObject({ allow: false, code: 'missing-attribute' });
    // blue needs the team once the user is not responsible …
    expect(checker.can(rep, 'view', { kind: 'contact', responsible: 'u2' })).toMatchObject({ allow: false, code: 'missing-attribute' });
    // … but not when they are
    expect(checker.can(rep, 'view', { kind: 'contact', responsible: 'u1' })).toMatchObject({ allow: true, code: 'own' });
  });

  it('R-K3 an unknown role or a malformed request is denied', () => {
    expect(checker.can({ id: 'x', role: 'intern' }, 'view', myLead)).toMatchObject({ allow: false, code: 'unknown-role' });
    expect(checker.can({ id: 'x' } as never, 'view', myLead)).toMatchObject({ allow: false, code: 'invalid-request' });
    expect(checker.can(rep, 'view', { responsible: 'u1' } as never)).toMatchObject({ allow: false, code: 'invalid-request' });
  });

  it('R-K3 every decision names the rule that decided in one line', () => {
    const d = checker.can(rep, 'view', myLead);
    expect(typeof d.reason).toBe('string');
    expect(d.reason.length).toBeGreaterThan(0);
    expect(d.reason).not.toContain('\n');
    expect(d.rule?.column).toBeGreaterThan(0);
  });

  it('R-K6 field permissions: a marketer sees leads of the team but not their amount, and cannot edit them at all', () => {
    const marketer = { id: 'u3', role: 'marketer', groups: ['marketing'] };
    expect(checker.fields(marketer, marketingLead)).toEqual({ responsible: 'read-write', team: 'read-write', amount: 'hidden', pipeline: 'read-write', stage: 'read-write', participants: 'read-write' });
    expect(checker.redact(marketer, marketingLead)).toEqual({ kind: 'lead', responsible: 'u3', team: 'marketing' });
    // a sales lead is not one the marketer views: nothing of it shows
    expect(checker.redact(marketer, myLead)).toEqual({ kind: 'lead' });
    // the field rule never widens the grant: edit is red for marketers
    expect(checker.canWrite(marketer, marketingLead, { stage: 'won' })).toMatchObject({ allow: false, code: 'denied' });
  });

  it('R-K6 a rep edits every field of their own lead; the amount hidden from marketers is not hidden from reps', () => {
    expect(checker.fields(rep, myLead).amount).toBe('read-write');
    expect(checker.canWrite(rep, myLead, { amount: 1500, stage: 'won' })).toMatchObject({ allow: true, code: 'own' });
    expect(checker.canWrite(rep, myLead, { amount: 1500, colour: 'red' } as never)).toMatchObject({ allow: false, code: 'field-denied', reason: 'denied: `colour` is not a field of `lead`' });
  });

  it('R-K6 R-K4 a role built from two roles sees a field when either parent does', () => {
    const growth = { id: 'g1', role: 'growth_rep', groups: ['marketing'] };
    expect(checker.fields(growth, { kind: 'lead', responsible: 'g1', team: 'marketing' }).amount).toBe('read-write');
  });
});

describe('kommo-crm: subscribers and the card chat', () => {
  const marketer = { id: 'k1', role: 'marketer', groups: ['marketing'] };
  const analyst = { id: 'n1', role: 'analyst' };

  it('R-K9 a subscriber (participant) may view a lead or contact whatever the role grants, and nothing more', () => {
    const lead = { ...marketingLead, responsible: 'u9', team: 'south', participants: ['k1'] };
    const d = checker.can(marketer, 'view', lead);
    expect(d).toMatchObject({ allow: true, code: 'subscriber', rule: { kind: 'subscribers', resource: 'lead', file: 'resources.yaml' } });
    expect(d.reason).toMatch(/^allowed: the principal subscribes to this `lead` record, and subscribers may do this \(resources\.yaml:\d+:5\)$/);
    expect(checker.can(marketer, 'edit', lead)).toMatchObject({ allow: false, code: 'denied' });
    // a grant that already allows names the grant, not the subscription
    expect(checker.can(rep, 'view', { ...myLead, participants: ['u1'] })).toMatchObject({ code: 'own' });
    // analyst's contacts are default deny: a subscriber still views the contact
    expect(checker.can(analyst, 'view', { kind: 'contact', responsible: 'u3', team: 'south', participants: ['n1'] })).toMatchObject({ allow: true, code: 'subscriber' });
    expect(checker.can(analyst, 'view', { kind: 'contact', responsible: 'u3', team: 'south', participants: 'n1' } as never)).toMatchObject({ allow: false, code: 'default-deny' });
  });

  it('R-K10 a subscriber who may not otherwise view the record sees only its standard fields, read-only', () => {
    const lead = { kind: 'lead', responsible: 'u9', team: 'south', amount: 900, pipeline: 'main', stage: 'won', participants: ['k1'] };
    expect(checker.fields(marketer, lead)).toEqual({ responsible: 'read-only', team: 'hidden', amount: 'hidden', pipeline: 'read-only', stage: 'read-only', participants: 'hidden' });
    expect(checker.redact(marketer, lead)).toEqual({ kind: 'lead', responsible: 'u9', pipeline: 'main', stage: 'won' });
    // a contact: only the name and the picture
    const contact = { kind: 'contact', responsible: 'u3', team: 'south', name: 'Ana', phone: '+48 600', tags: ['vip'], picture: 'ana.png', participants: ['n1'] };
    expect(checker.redact(analyst, contact)).toEqual({ kind: 'contact', name: 'Ana', picture: 'ana.png' });
    // whoever may view the record by their role sees its fields as their field rules say
    expect(checker.fields({ id: 'u1', role: 'sales_manager' }, lead).amount).toBe('read-write');
  });

  it('R-K10 the chat of a card is always open to its subscribers, and to whoever may view the card', () => {
    const card = { kind: 'lead', responsible: 'u3', team: 'south', participants: ['n9'] };
    expect(checker.can(analyst, 'send', { kind: 'chat', card })).toMatchObject({ allow: true, code: 'parent' });
    expect(checker.can(marketer, 'send', { kind: 'chat', card })).toMatchObject({ allow: false, code: 'parent' });
    expect(checker.can(marketer, 'send', { kind: 'chat', card: { ...card, participants: ['k1'] } })).toMatchObject({ allow: true, code: 'parent' });
  });

  it('R-K9 R-K10 the list of leads a subscriber may view includes the subscribed ones (query plans)', () => {
    const plan = checker.plan(marketer, 'view', 'lead');
    expect(plan.result).toBe('filter');
    expect(JSON.stringify(plan.filter)).toContain('{"op":"contains","attribute":"participants","value":"k1"}');
  });
});


describe('kommo-crm: pipelines and stages (R-K5)', () => {
  const rep = { id: 'u1', role: 'pipeline_rep', groups: ['north'] };
  const lead = (stage: string, pipeline = 'main', amount = 500) => ({ kind: 'lead', responsible: 'u1', team: 'north', amount, pipeline, stage });

  it('R-K5 a stage overrides the grant, and the decision says which stage rule decided', () => {
    const d = checker.can(rep, 'edit', lead('won'));
    expect(d).toMatchObject({ allow: false, code: 'denied', rule: { condition: 'resource["stage"] == "won"', line: line('pipeline_rep', /^ +won:/) } });
    expect(d.reason).toContain('when `resource["stage"] == "won"`');
    expect(checker.can(rep, 'edit', lead('new'))).toMatchObject({ allow: true, code: 'own', rule: { condition: 'resource.amount < 10000.0' } });
  });

  it('R-K5 a condition that does not hold denies, and says so', () => {
    const d = checker.can(rep, 'edit', lead('new', 'main', 25_000));
    expect(d).toMatchObject({ allow: false, code: 'condition' });
    expect(d.reason).toMatch(/when `resource\.amount < 10000\.0`.*and the condition does not hold$/);
    // the amount missing: the condition cannot be evaluated — denied, never allowed
    expect(checker.can(rep, 'edit', { kind: 'lead', responsible: 'u1', team: 'north', pipeline: 'main', stage: 'new' })).toMatchObject({ allow: false, code: 'condition' });
  });

  it('R-K5 lists of leads filter pipelines and stages in the query plan', () => {
    const plan = checker.plan(rep, 'delete', 'lead');
    const keep = toPredicate(plan);
    expect(keep(lead('new'))).toBe(false); // sales_rep's delete is red
    const view = toPredicate(checker.plan(rep, 'view', 'lead'));
    expect([lead('new'), lead('won'), lead('lost'), lead('new', 'partners')].map((l) => view(l))).toEqual([true, true, false, false]);
    for (const l of [lead('new'), lead('won'), lead('lost'), lead('new', 'partners'), { ...lead('x'), pipeline: undefined }]) {
      expect(view(l)).toBe(checker.can(rep, 'view', l as never).allow);
    }
  });

  it('R-K5 a group\'s pipeline rule applies to its members by request, in decisions and in plans', () => {
    const intern = { id: 'u5', role: 'sales_manager', groups: ['interns'] };
    const notIntern = { id: 'u5', role: 'sales_manager', groups: ['north'] };
    const partners = lead('new', 'partners');
    expect(checker.can(intern, 'view', partners)).toMatchObject({ allow: false, code: 'denied', rule: { condition: '"interns" in principal.groups && resource["pipeline"] == "partners"', file: 'groups.yaml' } });
    expect(checker.can(notIntern, 'view', partners)).toMatchObject({ allow: true, code: 'all' });
    for (const p of [intern, notIntern]) {
      const keep = toPredicate(checker.plan(p, 'view', 'lead'));
      for (const l of [lead('new'), partners, { ...lead('new'), pipeline: undefined }]) expect(keep(l)).toBe(checker.can(p, 'view', l as never).allow);
    }
  });
});

describe('kommo-crm: messages with media need media access (R-K7)', () => {
  const marketer = { id: 'k1', role: 'marketer', groups: ['marketing'] };
  const manager = { id: 'm1', role: 'sales_manager', groups: ['north'] };
  const chatOf = (team: string) => ({ kind: 'chat', card: { kind: 'lead', responsible: 'u3', team } });
  const message = (hasMedia: unknown, team = 'marketing') => ({ kind: 'message', chat: chatOf(team), ...(hasMedia === undefined ? {} : { hasMedia }) });

  it('R-K7 the denial says which capability is needed, where it is required, and why the principal lacks it', () => {
    const d = checker.can(marketer, 'view', message(true) as never);
    expect(d).toMatchObject({ allow: false, code: 'capability', rule: { kind: 'parent', resource: 'message', file: 'resources.yaml' } });
    expect(d.reason).toMatch(/^denied: `message` records where `resource\.hasMedia` holds need capability `media_access` \(module `capabilities`, resources\.yaml:\d+:\d+\), and the principal lacks it: denied: role `marketer` .*has no grant for `media_access` on `capabilities`/);
  });

  it('R-K7 a message that does not say whether it has media is denied to those without media access, with a reason', () => {
    expect(checker.can(marketer, 'view', message(undefined) as never)).toMatchObject({ allow: false, code: 'condition', reason: expect.stringContaining('could not be decided') });
    expect(checker.can(marketer, 'view', message('yes') as never)).toMatchObject({ allow: false, code: 'condition' });
    // a polluted prototype is no attribute of the message
    const proto = Object.prototype as Record<string, unknown>;
    proto.hasMedia = false;
    try {
      expect(checker.can(marketer, 'view', message(undefined) as never)).toMatchObject({ allow: false, code: 'condition' });
    } finally {
      delete proto.hasMedia;
    }
  });

  it('R-K7 plans list no media message to a user without media access, and agree with can', () => {
    const records = [message(true), message(false), message(undefined), message(true, 'north'), message(false, 'north'), message(true, 'south')];
    for (const principal of [marketer, manager, { id: 'n1', role: 'analyst' }, { id: 'a1', role: 'administrator' }]) {
      const plan = checker.plan(principal, 'view', 'message');
      const keep = toPredicate(plan);
      for (const r of records) expect(keep(r), `${principal.role} ${JSON.stringify(r)}`).toBe(checker.can(principal, 'view', r as never).allow);
    }
    const plan = checker.plan(marketer, 'view', 'message');
    expect(plan.reason).toContain('only records that need no capability `media_access`');
    expect(toPredicate(plan)(message(true))).toBe(false);
  });

  it('R-K7 a principal without media access and a condition reading only the record: the plan of a manager keeps media messages', () => {
    expect(toPredicate(checker.plan(manager, 'view', 'message'))(message(true, 'north'))).toBe(true);
  });
});
