// Data filtering: listing the leads a user may view out of 100,000 rows in PGlite (embedded
// Postgres), with the SQL filter of the query plan versus loading every row and checking each one
// with `checker.can` in JavaScript. Run from bench/run.mjs (`npm run bench`), or alone:
//   node scripts/build.mjs && node -e "import('./bench/filtering.mjs').then(async (m) => console.log((await m.runFilteringBench()).markdown))"
import { PGlite } from '@electric-sql/pglite';
import { compileSources } from '../dist/compiler/index.js';
import { quoteIdentifier, toSql } from '@policyc/runtime/sql';
import { importBundle, median, prng } from './lib.mjs';

const ROWS = 100_000;
const USERS = 1_000;
const TEAMS = 50;
const ROUNDS = { sql: 7, js: 5 };
const PAGE = 50;

// Kommo-style teams (blue) and a Zoho-style hierarchy (reportsTo): reps see their own leads, team
// leads their teams' leads, the partner manager the leads of the partner reps below them, and the
// sales director the leads of every role below theirs, which is nearly the whole table; a key
// account rep their teams' large leads that are not lost (a `when:` condition, planned as a filter).
const POLICY = `
resources:
  lead:
    actions: [create, view, edit, delete, export]
    attributes: { responsible: string, team: string, responsibleRole: string, title: string, stage: string, amount: number }
    owner: responsible
    team: team
    ownerRole: responsibleRole
roles:
  admin:
    administrator: true
  sales_director:
    grants:
      lead: { create: green, view: yellow, edit: yellow, '*': red }
  team_lead:
    reportsTo: sales_director
    grants:
      lead: { create: green, view: blue, edit: blue, delete: yellow, export: red }
  sales_rep:
    reportsTo: sales_director
    grants:
      lead: { create: green, view: yellow, edit: yellow, '*': red }
  partner_manager:
    reportsTo: sales_director
    grants:
      lead: { create: green, view: yellow, edit: yellow, '*': red }
  partner_rep:
    reportsTo: partner_manager
    grants:
      lead: { create: green, view: yellow, edit: yellow, '*': red }
  key_account_rep:
    reportsTo: sales_director
    grants:
      lead: { create: green, view: { level: blue, when: 'resource.amount >= 900000.0 && resource.stage != "lost"' }, '*': red }
`;

/**
 * Attribute → column, as an application would map them. Indexed: the three columns grants compare
 * (docs/data-filtering.md § Indexes) and `amount`, the list view's sort column (pages walk it in order).
 */
const MAPPING = { columns: { responsible: 'responsible_id', team: 'team', responsibleRole: 'responsible_role', amount: 'amount', stage: 'stage' } };
const INDEXED = ['responsible_id', 'team', 'responsible_role', 'amount'];

/** 1,000 users: 1 director, 2 partner managers, 50 team leads, 50 partner reps, the rest sales reps. */
function users() {
  return Array.from({ length: USERS }, (_, i) => {
    const role = i === 0 ? 'sales_director' : i <= 2 ? 'partner_manager' : i <= 52 ? 'team_lead' : i <= 102 ? 'partner_rep' : 'sales_rep';
    return { id: `u${i}`, role, team: `team${i % TEAMS}` };
  });
}

/** 100,000 leads owned by random users (1% unassigned: no responsible user, so only green reaches them). */
function leads(people) {
  const rnd = prng(20260501);
  const stages = ['new', 'qualified', 'proposal', 'negotiation', 'won', 'lost'];
  const columns = { id: [], responsible_id: [], team: [], responsible_role: [], title: [], stage: [], amount: [] };
  for (let i = 0; i < ROWS; i++) {
    const owner = rnd(100) === 0 ? null : people[rnd(people.length)];
    columns.id.push(i);
    columns.responsible_id.push(owner?.id ?? null);
    columns.team.push(owner?.team ?? `team${rnd(TEAMS)}`);
    columns.responsible_role.push(owner?.role ?? null);
    columns.title.push(`Lead ${i}: ${rnd(1000)} seats for customer ${rnd(50_000)}`);
    columns.stage.push(stages[rnd(stages.length)]);
    columns.amount.push(rnd(1_000_000));
  }
  return columns;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function time(rounds, run) {
  const ms = [];
  let result;
  for (let i = 0; i < rounds; i++) {
    const start = now();
    result = await run();
    ms.push(now() - start);
  }
  return { ms: median(ms), result };
}

const fmt = (n, digits = 1) => n.toFixed(digits);

export async function runFilteringBench() {
  const compiled = await compileSources('filtering-bench', [{ path: 'policy.yaml', text: POLICY }]);
  if (!compiled.output) throw new Error(`bench policy does not compile: ${JSON.stringify(compiled.diagnostics)}`);
  const { checker } = await importBundle(compiled.output.bundle);

  const db = new PGlite();
  await db.waitReady;
  const people = users();
  const data = leads(people);
  await db.exec(`CREATE TABLE leads (
    id integer PRIMARY KEY, responsible_id text, team text, responsible_role text,
    title text NOT NULL, stage text NOT NULL, amount integer NOT NULL)`);
  await db.query(
    `INSERT INTO leads SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::integer[])`,
    [data.id, data.responsible_id, data.team, data.responsible_role, data.title, data.stage, data.amount],
  );
  for (const column of INDEXED) await db.exec(`CREATE INDEX ON leads (${quoteIdentifier(column)})`);
  await db.exec('ANALYZE leads');

  const cases = [
    { who: 'sales rep (view: yellow)', principal: { id: 'u500', role: 'sales_rep', groups: ['team0'] } },
    { who: 'team lead (view: blue, 2 teams)', principal: { id: 'u10', role: 'team_lead', groups: ['team10', 'team11'] } },
    { who: 'partner manager (view: yellow + hierarchy over partner reps)', principal: { id: 'u1', role: 'partner_manager' } },
    { who: 'sales director (view: yellow + hierarchy over every role)', principal: { id: 'u0', role: 'sales_director' } },
    { who: 'key account rep (view: blue, 2 teams, `when: amount >= 900000.0 && stage != "lost"`)', principal: { id: 'u20', role: 'key_account_rep', groups: ['team20', 'team21'] } },
  ];

  const results = [];
  for (const { who, principal } of cases) {
    const plan = checker.plan(principal, 'view', 'lead');
    const { where, params } = toSql(plan, MAPPING);
    const sqlList = () => db.query(`SELECT * FROM leads WHERE ${where}`, params);
    const jsList = async () => {
      const all = await db.query('SELECT * FROM leads');
      return all.rows.filter((row) =>
        checker.can(principal, 'view', { kind: 'lead', responsible: row.responsible_id, team: row.team, responsibleRole: row.responsible_role, amount: row.amount, stage: row.stage }).allow,
      );
    };
    // ids only: each side reads only the columns it needs (the SQL side none but the id)
    const sqlIds = () => db.query(`SELECT id FROM leads WHERE ${where}`, params);
    const jsIds = async () => {
      const all = await db.query('SELECT id, responsible_id, team, responsible_role, amount, stage FROM leads');
      return all.rows.filter((row) =>
        checker.can(principal, 'view', { kind: 'lead', responsible: row.responsible_id, team: row.team, responsibleRole: row.responsible_role, amount: row.amount, stage: row.stage }).allow,
      ).map((row) => row.id);
    };
    // the first page of a list view: the 50 largest allowed leads
    const sqlPage = () => db.query(`SELECT * FROM leads WHERE ${where} ORDER BY amount DESC, id LIMIT ${PAGE}`, params);
    const jsPage = async () => (await jsList()).sort((a, b) => b.amount - a.amount || a.id - b.id).slice(0, PAGE);
    // both must list the same leads before either is timed
    const viaSql = (await sqlList()).rows.map((r) => r.id).sort((a, b) => a - b);
    const viaJs = (await jsList()).map((r) => r.id).sort((a, b) => a - b);
    if (viaSql.length !== viaJs.length || viaSql.some((id, i) => id !== viaJs[i])) {
      throw new Error(`filtering bench: the SQL filter and can() disagree for ${JSON.stringify(principal)} (${viaSql.length} vs ${viaJs.length} rows)`);
    }
    const pageIds = [(await sqlPage()).rows, await jsPage()].map((list) => list.map((r) => r.id).join());
    if (pageIds[0] !== pageIds[1]) throw new Error(`filtering bench: the first pages differ for ${JSON.stringify(principal)}`);
    const idLists = [(await sqlIds()).rows.map((r) => r.id), await jsIds()].map((list) => list.sort((a, b) => a - b).join());
    if (idLists[0] !== idLists[1] || idLists[0] !== viaSql.join()) throw new Error(`filtering bench: the id lists differ for ${JSON.stringify(principal)}`);
    const explain = (await db.query(`EXPLAIN SELECT * FROM leads WHERE ${where}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const scan = /Index Scan/.test(explain) ? 'index' : 'seq scan';
    const sql = await time(ROUNDS.sql, sqlList);
    const js = await time(ROUNDS.js, jsList);
    const page = { sql: await time(ROUNDS.sql, sqlPage), js: await time(3, jsPage) };
    const ids = { sql: await time(ROUNDS.sql, sqlIds), js: await time(3, jsIds) };
    results.push({ who, allowed: viaSql.length, scan, sqlMs: sql.ms, jsMs: js.ms, speedup: js.ms / sql.ms, pageSqlMs: page.sql.ms, pageJsMs: page.js.ms, pageSpeedup: page.js.ms / page.sql.ms, idsSqlMs: ids.sql.ms, idsJsMs: ids.js.ms, idsSpeedup: ids.js.ms / ids.sql.ms });
  }
  await db.close();

  const rows = results.map(
    (r) =>
      `| ${r.who} | ${r.allowed.toLocaleString('en')} | ${r.scan} | ${fmt(r.sqlMs, 2)} | ${fmt(r.jsMs)} | **${fmt(r.speedup)}×** | ${fmt(r.idsSqlMs, 2)} | ${fmt(r.idsJsMs)} | **${fmt(r.idsSpeedup)}×** | ${fmt(r.pageSqlMs, 2)} | ${fmt(r.pageJsMs)} | **${fmt(r.pageSpeedup)}×** |`,
  );
  const selective = results.filter((r) => r.allowed <= ROWS / 10);
  const lowest = (key) => Math.min(...selective.map((r) => r[key]));
  const verdict = (x) => `${x >= 50 ? 'met' : 'not met'} (lowest ${fmt(x)}×)`;
  const pageWorst = Math.min(...results.map((r) => r.pageSpeedup));
  const markdown = [
    `### Data filtering: listing allowed leads out of ${ROWS.toLocaleString('en')} rows in PGlite, median of ${ROUNDS.sql} / ${ROUNDS.js} rounds`,
    '',
    '`SELECT … FROM leads WHERE <toSql(checker.plan(...))>` (indexes on the owner, team and owner-role columns, and on `amount`, the sort column of the first page) versus loading every row and `checker.can` on each; both list the same leads. Whole list: every column of the allowed rows (`SELECT *` on both sides). Ids only: the SQL side reads the ids, the other side the ids and the columns `can` needs. First page: the 50 largest allowed leads.',
    '',
    '| principal (action `view`) | leads allowed | Postgres plan | whole list: SQL (ms) | load all + can (ms) | speed-up | ids only: SQL (ms) | load all + can (ms) | speed-up | first page of 50: SQL (ms) | load all + can + sort (ms) | speed-up |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Goal: at least 50× faster. First pages: ${verdict(pageWorst)}. Lists of up to 10% of the table — ids only: ${verdict(lowest('idsSpeedup'))}; ` +
      `every column: ${verdict(lowest('speedup'))}. ` +
      'Returning a row with all its columns from PGlite costs about as much as loading it on the other side, so a whole list of full rows gains about (table rows ÷ allowed rows); ' +
      'when the plan reaches nearly the whole table (a role above every other role) a whole list gains little.',
  ].join('\n');
  return { rows, markdown, results };
}
