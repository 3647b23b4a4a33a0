/**
 * Data filtering proven on a real Postgres (@electric-sql/pglite, embedded, WASM): for the
 * example policy sets, `SELECT id FROM t WHERE <toSql(plan)>` returns exactly the records for
 * which `checker.can` allows — notes through a join with their parent records. Also checks that
 * the examples of docs/data-filtering.md are true and that the indexes it recommends are used
 * (EXPLAIN). Random policies and conditions: test/pglite-random.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Checker, Principal } from '../packages/runtime/src/index.ts';
import { toSql, type ColumnMapping } from '../packages/runtime/src/sql.ts';
import { obj } from './helpers/arbitraries.ts';
import { ACTIONS, compare, counts, createTable, database, generate, principalsFor, prng, usePglite, type Row, type Table } from './helpers/pglite.ts';
import { loadChecker } from './helpers/policy.ts';

usePglite();

// ---------------------------------------------------------------------------------------------
// The example policy sets

describe('example policy sets: the SQL filter returns exactly what `can` allows', () => {
  const KOMMO_ROLES = ['administrator', 'partner_admin', 'sales_manager', 'sales_rep', 'pipeline_rep', 'team_lead', 'senior_rep', 'marketer', 'growth_rep', 'analyst'];
  const KOMMO_GROUPS = ['sales', 'marketing', 'support'];

  it('R-K3 R-K5 R-K8 R-K9 kommo-crm: every role × principal variant × action × kind (leads, contacts, companies)', async () => {
    const checker = await loadChecker(new URL('../policies/kommo-crm/', import.meta.url));
    // pipeline_rep edits leads below 10,000 (a `when:`), outside the won and lost stages and the partners pipeline
    const edit = JSON.stringify(checker.plan({ id: 'u1', role: 'pipeline_rep' }, 'edit', 'lead').filter);
    for (const part of ['{"op":"lt","attribute":"amount","value":10000}', '"attribute":"stage","value":"won"', '"attribute":"pipeline","value":"partners"']) expect(edit).toContain(part);
    const principals = principalsFor([...KOMMO_ROLES, 'nobody', 'Sales_Rep'], KOMMO_GROUPS);
    const pick = {
      responsible: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'nobody-owns-this', '', 'U1', null],
      team: [...KOMMO_GROUPS, 'finance', 'Sales', '', null],
      participants: [null, [], ['u1'], ['u2', 'u5'], ['U1', "u1'--"]],
      // pipelines and stages (R-K5), and the amount `pipeline_rep`'s `when:` compares
      pipeline: ['main', 'partners', null],
      stage: ['new', 'won', 'lost', null],
      amount: [500, 9999.5, 10000, 250000, null],
    };
    const total = counts();
    for (const [i, kind] of ['lead', 'contact', 'company'].entries()) {
      // the mapping renames every attribute; "owner id" and "team name" need quoting
      const t: Table = {
        name: `kommo ${kind}`,
        kind,
        mapping: { columns: { responsible: 'owner id', team: 'team name', participants: 'subscribed users', pipeline: 'pipeline', stage: 'stage', amount: 'amount' } },
        rows: generate(100 + i, 3000, pick),
        types: { participants: 'text[]', amount: 'float8' },
      };
      await createTable(t);
      await compare(checker, t, principals, ACTIONS, undefined, total);
    }
    // not vacuous: many filtered plans, and rows both allowed and denied
    expect(total.filters).toBeGreaterThan(100);
    expect(total.allowed).toBeGreaterThan(0);
    expect(total.allowed).toBeLessThan(total.queries * 3000);
  });

  const ZOHO_ROLES = ['administrator', 'standard_profile', 'ceo', 'sales_manager', 'marketing_manager', 'sales_rep', 'sales_trainee', 'marketing_rep', 'support_agent', 'it_admin', 'support_desk'];
  const ZOHO_GROUPS = ['campaigns', 'key_accounts', 'events'];
  // support_desk views contacts during its Warsaw office shift (R-Z10): a Monday morning, and a Sunday
  const MONDAY = { now: new Date('2026-11-30T09:00:00Z') };
  const SUNDAY = { now: new Date('2026-11-29T09:00:00Z') };
  const zohoPrincipals = () => [...principalsFor([...ZOHO_ROLES, 'nobody'], ZOHO_GROUPS), { id: 'u5', role: 'support_desk', shift: 'sydney_night' }];

  it('R-Z1 R-Z2 R-Z3 R-Z5 R-Z7 R-Z8 R-Z10 zoho-hierarchy: every role × principal variant × action × kind, with owner roles above, below, peers, unknown and missing', async () => {
    const checker = await loadChecker(new URL('../policies/zoho-hierarchy/', import.meta.url));
    const principals = zohoPrincipals();
    const owner = ['u1', 'u2', 'u3', 'u4', 'u7', 'u8', 'u9', null];
    const ownerRole = [...ZOHO_ROLES, 'intern', 'CEO', '', null];
    const total = counts();
    const kinds = [
      { kind: 'lead', mapping: { columns: { owner: 'owner', ownerRole: 'owner role' } }, pick: { owner, ownerRole }, contexts: [MONDAY] },
      { kind: 'deal', mapping: { columns: { owner: 'owner', ownerRole: 'owner role' } }, pick: { owner, ownerRole }, contexts: [MONDAY] },
      // "group" is a reserved word: quoting makes it a column name
      { kind: 'contact', mapping: { columns: { owner: 'owner', ownerRole: 'owner role', group: 'group' } }, pick: { owner, ownerRole, group: [...ZOHO_GROUPS, 'sales', null] }, contexts: [MONDAY, SUNDAY] },
      // the org-wide default public-read-only (R-Z5)
      { kind: 'product', mapping: { columns: { owner: 'owner', ownerRole: 'owner role' } }, pick: { owner, ownerRole }, contexts: [MONDAY] },
    ];
    for (const [i, k] of kinds.entries()) {
      const t: Table = { name: `zoho_${k.kind}`, kind: k.kind, mapping: k.mapping, rows: generate(200 + i, 2000, k.pick) };
      await createTable(t);
      for (const context of k.contexts) {
        await compare(checker, t, principals, ACTIONS, context, total);
      }
    }
    expect(total.filters).toBeGreaterThan(100);
    expect(total.allowed).toBeGreaterThan(0);
  });

  it('R-Z11 zoho-hierarchy notes: the plan of a note is its parent record\'s, as SQL over a LEFT JOIN with the parents\' table', async () => {
    const checker = await loadChecker(new URL('../policies/zoho-hierarchy/', import.meta.url));
    const rnd = prng(311);
    const pick = <T,>(values: readonly T[]): T => values[rnd(values.length)]!;
    const parents = Array.from({ length: 1500 }, () => ({
      kind: pick(['lead', 'deal', 'contact', 'product', 'Lead', null]),
      owner: pick(['u1', 'u2', 'u3', 'u7', null]),
      ownerRole: pick([...ZOHO_ROLES, 'intern', null]),
      group: pick([...ZOHO_GROUPS, null]),
    }));
    const notes = Array.from({ length: 3000 }, () => (rnd(20) === 0 ? null : rnd(parents.length)));
    await database().exec('DROP TABLE IF EXISTS zoho_parents; DROP TABLE IF EXISTS zoho_notes; CREATE TABLE zoho_parents (id integer PRIMARY KEY, kind text, owner text, "owner role" text, "group" text); CREATE TABLE zoho_notes (id integer PRIMARY KEY, parent_id integer)');
    await database().query('INSERT INTO zoho_parents SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[])', [
      parents.map((_, i) => i), parents.map((p) => p.kind), parents.map((p) => p.owner), parents.map((p) => p.ownerRole), parents.map((p) => p.group),
    ]);
    await database().query('INSERT INTO zoho_notes SELECT * FROM unnest($1::integer[], $2::integer[])', [notes.map((_, i) => i), notes]);
    const mapping: ColumnMapping = { table: 'n', columns: {}, records: { parent: { table: 'p', columns: { kind: 'kind', owner: 'owner', ownerRole: 'owner role', group: 'group' } } } };
    const resources = notes.map((parent) => obj([['kind', 'note'], ...(parent === null ? [] : [['parent', obj(Object.entries(parents[parent]!).filter(([, v]) => v !== null))] as const])]));
    let filters = 0;
    let allowed = 0;
    for (const p of zohoPrincipals()) {
      for (const action of ['view', 'create', 'edit', 'delete']) {
        for (const context of [MONDAY, SUNDAY]) {
          const plan = checker.plan(p, action as never, 'note', context);
          const { where, params } = toSql(plan, mapping);
          const got = (await database().query<{ id: number }>(`SELECT n.id FROM zoho_notes n LEFT JOIN zoho_parents p ON p.id = n.parent_id WHERE ${where} ORDER BY n.id`, [...params])).rows.map((r) => r.id);
          const want = resources.flatMap((r, id) => (checker.can(p, action as never, r as never, context).allow ? [id] : []));
          expect(got, `${JSON.stringify(p)} ${action}: ${JSON.stringify(plan)}`).toEqual(want);
          if (plan.result === 'filter') filters++;
          allowed += want.length;
        }
      }
    }
    expect(filters).toBeGreaterThan(50);
    expect(allowed).toBeGreaterThan(0);
  });

  it('R-Z4 zoho-reporting: the reporting hierarchy folds `principal.reports` into the plan, for lists, sets, empty and malformed chains', async () => {
    const checker = await loadChecker(new URL('../policies/zoho-reporting/', import.meta.url));
    const reports: unknown[] = [undefined, [], ['u2'], ['u2', 'u3', "u9'--"], new Set(['u3']), 'u2', [7]];
    const principals = ['manager', 'member', 'nobody'].flatMap((role) => reports.map((r) => ({ id: 'u1', role, ...(r === undefined ? {} : { reports: r }) }) as Principal));
    const t: Table = { name: 'reporting_deal', kind: 'deal', mapping: { columns: { owner: 'owner', amount: 'amount' } }, rows: generate(400, 2000, { owner: ['u1', 'u2', 'u3', "u9'--", 'U2', '', null], amount: [100, 900, null] }), types: { amount: 'float8' } };
    await createTable(t);
    const r = await compare(checker, t, principals, ['view', 'edit', 'delete']);
    expect(r.filters).toBeGreaterThan(10);
    expect(r.allowed).toBeGreaterThan(0);
  });

  it('R-G1 gtg-marketing: modules have no records, so every plan is always or never, as `can` decides', async () => {
    const checker = await loadChecker(new URL('../policies/gtg-marketing/', import.meta.url));
    const yaml = readFileSync(new URL('../policies/gtg-marketing/modules.yaml', import.meta.url), 'utf8');
    const modules = [...yaml.matchAll(/^ {2}(\w+):\n(?: {4}.*\n)*? {4}permissions: \[([^\]]*)\]/gm)].map((m) => ({ name: m[1]!, permissions: m[2]!.split(',').map((s) => s.trim()) }));
    expect(modules.length).toBeGreaterThan(5);
    const roles = [...readFileSync(new URL('../policies/gtg-marketing/roles.yaml', import.meta.url), 'utf8').matchAll(/^ {2}(\w+):$/gm)].map((m) => m[1]!);
    expect(roles).toContain('marketing_staff');
    let both = { always: 0, never: 0 };
    for (const role of [...roles, 'nobody']) {
      for (const m of modules) {
        for (const action of m.permissions) {
          const p = { id: 'u1', role };
          const plan = checker.plan(p, action as never, m.name as never);
          const allow = checker.can(p, action as never, { kind: m.name } as never).allow;
          expect(plan.result, `${role} ${action} ${m.name}`).toBe(allow ? 'always' : 'never');
          both = { ...both, [plan.result]: both[plan.result as 'always' | 'never'] + 1 };
        }
      }
    }
    expect(both.always).toBeGreaterThan(0);
    expect(both.never).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Indexes (docs/data-filtering.md § Indexes)

describe('indexes: with the recommended indexes the example plans use them', () => {
  /** Rows of one table holding Kommo-style and Zoho-style attributes: 200 owners, 40 teams, owner roles skewed as in a sales org. */
  function orgRows(count: number): Row[] {
    const rnd = prng(7);
    const roles: [string, number][] = [['ceo', 1], ['sales_manager', 5], ['marketing_manager', 5], ['sales_rep', 60], ['sales_trainee', 25], ['marketing_rep', 4]];
    return Array.from({ length: count }, () => {
      const owner = `u${rnd(200)}`;
      let x = rnd(100);
      const role = roles.find(([, w]) => (x -= w) < 0)![0];
      return { responsible: owner, owner, team: `team${rnd(40)}`, ownerRole: role };
    });
  }

  it('R-K3 R-K8 R-Z1 EXPLAIN: sales rep, team lead and marketing manager plans scan the owner, team and owner-role indexes', async () => {
    const kommo = await loadChecker(new URL('../policies/kommo-crm/', import.meta.url));
    const zoho = await loadChecker(new URL('../policies/zoho-hierarchy/', import.meta.url));
    // one column serves as both owner attributes (kommo `responsible`, zoho `owner`)
    const t: Table = {
      name: 'leads',
      kind: 'lead',
      mapping: { columns: { responsible: 'owner id', owner: 'owner id', team: 'team name', ownerRole: 'owner role', participants: 'participants' } },
      rows: orgRows(20_000),
    };
    await database().exec('DROP TABLE IF EXISTS leads');
    await database().exec('CREATE TABLE leads (id integer PRIMARY KEY, "owner id" text, "team name" text, "owner role" text, participants text[])');
    await database().query('INSERT INTO leads SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[])', [
      t.rows.map((_, i) => i),
      t.rows.map((r) => r.owner),
      t.rows.map((r) => r.team),
      t.rows.map((r) => r.ownerRole),
    ]);
    // the indexes docs/data-filtering.md recommends; no `enable_seqscan = off`: the planner chooses them itself
    await database().exec('CREATE INDEX ON leads ("owner id"); CREATE INDEX ON leads ("team name"); CREATE INDEX ON leads ("owner role"); CREATE INDEX ON leads USING gin (participants); ANALYZE leads');

    const explain = async (checker: Checker, p: Principal): Promise<string> => {
      const { where, params } = toSql(checker.plan(p, 'view', 'lead'), t.mapping);
      const rows = await database().query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM leads WHERE ${where}`, [...params]);
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const cases: [string, Checker, Principal, RegExp[]][] = [
      ['kommo sales_rep (yellow)', kommo, { id: 'u7', role: 'sales_rep' }, [/Index Scan on "leads_owner id_idx"/, /Index Scan on "?leads_participants_idx/]],
      ['kommo team_lead (blue)', kommo, { id: 'u7', role: 'team_lead', groups: ['team3', 'team4'] }, [/Index Scan on "leads_owner id_idx"/, /Index Scan on "leads_team name_idx"/]],
      ['zoho marketing_manager (own + hierarchy)', zoho, { id: 'u7', role: 'marketing_manager' }, [/Index Scan on "leads_owner id_idx"/, /Index Scan on "leads_owner role_idx"/]],
    ];
    for (const [name, checker, p, patterns] of cases) {
      const text = await explain(checker, p);
      for (const pattern of patterns) expect(text, `${name}:\n${text}`).toMatch(pattern);
      expect(text, name).not.toMatch(/^Seq Scan/);
      // and the filter is still exact on these rows
      await compare(checker, t, [p], ['view']);
    }
    // a plan reaching most of the table (sales_manager: every sales rep's and trainee's lead, 85%) is rightly a sequential scan
    expect(await explain(zoho, { id: 'u7', role: 'sales_manager' })).toMatch(/^Seq Scan/);
  });
});

// ---------------------------------------------------------------------------------------------
// The examples of docs/data-filtering.md

describe('docs/data-filtering.md: the examples are true', () => {
  const doc = readFileSync(new URL('../docs/data-filtering.md', import.meta.url), 'utf8');
  const blocks = (info: string) => [...doc.matchAll(new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!.trim());

  it('R-K3 R-Z1 each `json plan` block is the plan, and each `text sql` block the WHERE fragment and parameters, of its example', async () => {
    const kommo = await loadChecker(new URL('../policies/kommo-crm/', import.meta.url));
    const zoho = await loadChecker(new URL('../policies/zoho-hierarchy/', import.meta.url));
    // the examples, in the order of the page
    const examples: [Checker, Principal, string, string, ColumnMapping][] = [
      [kommo, { id: 'u7', role: 'team_lead', groups: ['north', 'south'] }, 'view', 'lead', { table: 'l', columns: { responsible: 'responsible_id', team: 'team', participants: 'participants' } }],
      [zoho, { id: 'u7', role: 'sales_manager' }, 'view', 'deal', { columns: { owner: 'owner_id', ownerRole: 'owner role' } }],
    ];
    const plans = blocks('json plan');
    const sqls = blocks('text sql');
    expect(plans).toHaveLength(examples.length);
    expect(sqls).toHaveLength(examples.length);
    examples.forEach(([checker, p, action, kind, mapping], i) => {
      const plan = checker.plan(p, action as never, kind as never);
      expect(JSON.parse(plans[i]!), `plan block ${i + 1}`).toEqual(plan);
      const { where, params } = toSql(plan, mapping);
      expect(sqls[i], `sql block ${i + 1}`).toBe(`WHERE ${where}\nparams: ${JSON.stringify(params)}`);
    });
  });

  it('R-K3 the always / never examples of the page', async () => {
    const kommo = await loadChecker(new URL('../policies/kommo-crm/', import.meta.url));
    expect(doc).toContain("checker.plan({ id: 'u7', role: 'analyst' }, 'view', 'lead')");
    expect(kommo.plan({ id: 'u7', role: 'analyst' }, 'view', 'lead')).toMatchObject({ result: 'always', filter: { op: 'true' } });
    expect(doc).toContain("checker.plan({ id: 'u7', role: 'sales_rep' }, 'delete', 'lead')");
    expect(kommo.plan({ id: 'u7', role: 'sales_rep' }, 'delete', 'lead')).toMatchObject({ result: 'never', filter: { op: 'false' } });
    expect(toSql(kommo.plan({ id: 'u7', role: 'sales_rep' }, 'delete', 'lead'), { columns: {} })).toEqual({ where: 'FALSE', params: [] });
  });
});
