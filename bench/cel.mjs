// Conditions (CEL) side by side in one process: policyc's compiled conditions (the emitted JS
// expressions, embedded in a module the way a generated checker embeds them, calling the built
// runtime dist/runtime/cel.js) against @marcbachmann/cel-js evaluating the same expressions,
// each parsed once before timing. Both must agree on every evaluation before anything is timed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as celJsParse } from '@marcbachmann/cel-js';
import { checkExpression, emitExpression, jsString, parseExpression, t } from '../dist/compiler/cel/index.js';
import { median, prng } from './lib.mjs';

const BINDINGS = 2_000;
const ROUNDS = 7;
const WARMUP_ROUNDS = 1;
const PER_CONDITION_ROUNDS = 5;

/** Realistic conditions of a CRM policy: stage overrides (R-K5), thresholds, working hours (R-Z10). */
export const CONDITIONS = [
  'resource.stage in ["won", "lost"]',
  'resource.stage == "negotiation" && resource.amount >= 50000',
  'resource.amount > 10000 && resource.amount <= 250000',
  'principal.role in ["sales_manager", "team_lead"] || resource.owner == principal.id',
  'resource.name.startsWith("ACME") || resource.email.endsWith("@example.com")',
  'context.now.getHours("Europe/Warsaw") >= 9 && context.now.getHours("Europe/Warsaw") < 17',
  'context.now.getDayOfWeek("Europe/Warsaw") >= 1 && context.now.getDayOfWeek("Europe/Warsaw") <= 5',
  'resource.tags.exists(tag, tag == "vip")',
  'principal.teams.exists(team, team == resource.team)',
  'has(resource.discount) && resource.discount > 0.2',
  'context.now - resource.created < duration("720h")',
];

const DECLARATIONS = {
  principal: t.object('principal', { id: t.string, role: t.string, teams: t.list(t.string) }),
  resource: t.object('lead', {
    stage: t.string, amount: t.int, owner: t.string, name: t.string, email: t.string, tags: t.list(t.string),
    team: t.string, discount: t.double, created: t.timestamp,
  }),
  context: t.object('context', { now: t.timestamp }),
};

const STAGES = ['new', 'qualified', 'negotiation', 'won', 'lost'];
const ROLES = ['sales_rep', 'sales_rep', 'senior_rep', 'team_lead', 'sales_manager'];
const TEAMS = ['north', 'south', 'east', 'west'];
const TAGS = ['vip', 'partner', 'cold', 'hot', 'renewal'];

export function bindings() {
  const rnd = prng(20261130);
  const start = Date.UTC(2026, 2, 20); // a week either side of the spring DST change
  return Array.from({ length: BINDINGS }, (_, i) => {
    const id = `u${rnd(50)}`;
    const resource = {
      stage: STAGES[rnd(STAGES.length)],
      amount: rnd(300_000),
      owner: `u${rnd(50)}`,
      name: rnd(4) === 0 ? `ACME ${i}` : `Globex ${i}`,
      email: rnd(3) === 0 ? `buyer${i}@example.com` : `buyer${i}@corp.test`,
      tags: Array.from({ length: rnd(4) }, () => TAGS[rnd(TAGS.length)]),
      team: TEAMS[rnd(TEAMS.length)],
      created: new Date(start - rnd(60) * 86_400_000),
    };
    if (rnd(2) === 0) resource.discount = rnd(50) / 100;
    return {
      principal: { id, role: ROLES[rnd(ROLES.length)], teams: Array.from({ length: 1 + rnd(2) }, () => TEAMS[rnd(TEAMS.length)]) },
      resource,
      context: { now: new Date(start + rnd(14 * 24 * 60) * 60_000) },
    };
  });
}

/** The conditions as a module, as generated checkers embed them: one arrow per condition. */
export async function compiledConditions() {
  const runtime = new URL('../packages/runtime/dist/cel.js', import.meta.url).href;
  const names = { variables: { principal: 'p', resource: 'r', context: 'c' }, runtime: 'cel' };
  const bodies = CONDITIONS.map((text) => {
    const parsed = parseExpression(text);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.errors[0].message}`);
    const checked = checkExpression(parsed.ast, DECLARATIONS);
    if (checked.problems.length > 0) throw new Error(`${text}: ${checked.problems[0].message}`);
    return `  // ${jsString(text).slice(1, -1)}\n  (p, r, c) => ${emitExpression(parsed.ast, names, checked)} === true,`;
  });
  const source = `import * as cel from ${jsString(runtime)};\nexport const conditions = [\n${bodies.join('\n')}\n];\n`;
  const file = join(mkdtempSync(join(tmpdir(), 'policyc-cel-bench-')), 'conditions.mjs');
  writeFileSync(file, source);
  const { conditions } = await import(pathToFileURL(file).href);
  return { conditions, bytes: source.length };
}

/**
 * `matches` before issue 13: the RE2 pattern translated to a backtracking JS `RegExp`, cached by
 * pattern (a copy of the runtime's code of then, for the comparison only).
 */
const oldRegexes = new Map();
function oldMatches(a, b) {
  let re = oldRegexes.get(b);
  if (re === undefined) {
    re = new RegExp(b.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^'), 'u');
    if (oldRegexes.size > 256) oldRegexes.clear();
    oldRegexes.set(b, re);
  }
  return re.test(a);
}

/** A literal pattern of the kind policies write, run on the bindings' e-mail addresses. */
const MATCHES_PATTERN = '^[a-z]+[0-9]{0,4}@example\\.com$';

/** Conditions with comprehensions, metered (issue 13.4), and how many tags their record gets. */
const BUDGETED = [
  { text: 'resource.tags.exists(tag, tag == "vip")', tags: undefined },
  { text: 'resource.tags.all(a, resource.tags.exists(b, a == b))', tags: 200 },
];

/** The same emitted code without its meter: what the budget costs. */
function withoutMeter(source) {
  return source.replace(/^\(\(_m\) => cel\.spent\(_m, /, '(').replace(/\)\)\(cel\.meter\(\d+\)\)$/, ')').replace(/, undefined, _m\)|, _m\)/g, ')');
}

/**
 * Issue 13 rows: the cost of one `matches` call with RE2 (re2js) against the backtracking
 * `RegExp` of before, and comprehensions under the budget against the same code without a meter.
 */
async function hardeningRows(all) {
  const cel = await import(new URL('../packages/runtime/dist/cel.js', import.meta.url).href);
  const emails = all.map((b) => b.resource.email);
  const ns = (fn, n) => {
    const start = process.hrtime.bigint();
    const met = fn();
    return { ns: Number(process.hrtime.bigint() - start) / n, met };
  };
  const matchRe2 = () => { let met = 0; for (let k = 0; k < 20; k++) for (const e of emails) if (cel.matches(e, MATCHES_PATTERN) === true) met++; return met; };
  const matchLiteral = () => { let met = 0; for (let k = 0; k < 20; k++) for (const e of emails) if (cel.matchesSafe(e, MATCHES_PATTERN) === true) met++; return met; };
  const matchOld = () => { let met = 0; for (let k = 0; k < 20; k++) for (const e of emails) if (oldMatches(e, MATCHES_PATTERN)) met++; return met; };
  if (matchRe2() !== matchOld() || matchLiteral() !== matchOld()) throw new Error('RE2 and RegExp disagree on the e-mail pattern');

  const names = { variables: { principal: 'p', resource: 'r', context: 'c' }, runtime: 'cel' };
  const budgeted = BUDGETED.map(({ text, tags }) => {
    const parsed = parseExpression(text);
    const source = emitExpression(parsed.ast, names, checkExpression(parsed.ast, DECLARATIONS));
    const bare = withoutMeter(source);
    if (bare.includes('_m')) throw new Error(`the meter was not removed from ${source}`);
    const [metered, plain] = [source, bare].map((code) => new Function('cel', `return (p, r, c) => ${code};`)(cel));
    const records = tags === undefined ? all.map((b) => b.resource) : [{ tags: Array.from({ length: tags }, (_, i) => `t${i}`) }];
    const repeat = tags === undefined ? 20 : 20;
    const loop = (fn) => () => { let met = 0; for (let k = 0; k < repeat; k++) for (const r of records) if (fn(undefined, r, undefined) === true) met++; return met; };
    return { text, tags, metered: loop(metered), plain: loop(plain), n: repeat * records.length };
  });

  const samples = { re2: [], literal: [], old: [], ...Object.fromEntries(budgeted.flatMap((_, i) => [[`m${i}`, []], [`p${i}`, []]])) };
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const take = (key, r) => { if (round >= WARMUP_ROUNDS) samples[key].push(r.ns); return r.met; };
    take('re2', ns(matchRe2, 20 * emails.length));
    take('literal', ns(matchLiteral, 20 * emails.length));
    take('old', ns(matchOld, 20 * emails.length));
    budgeted.forEach((b, i) => {
      if (take(`m${i}`, ns(b.metered, b.n)) !== take(`p${i}`, ns(b.plain, b.n))) throw new Error(`the meter changed the answers of ${b.text}`);
    });
  }
  const row = (name, key) => ({ name, ns: median(samples[key]), min: Math.min(...samples[key]), max: Math.max(...samples[key]) });
  return [
    row(`\`matches\` with RE2 (re2js), one call: \`${MATCHES_PATTERN}\` (as for a pattern from the request)`, 're2'),
    row('`matches` on the same literal pattern, which celregexsafe.ts proves linear: a RegExp', 'literal'),
    row('`matches` with the backtracking JS RegExp of before, one call', 'old'),
    ...budgeted.flatMap((b, i) => [
      row(`under the budget (metered): \`${b.text}\`${b.tags ? ` over ${b.tags} tags` : ''}`, `m${i}`),
      row('the same without its meter', `p${i}`),
    ]),
  ];
}

/** The ratio without the conditions that use a time zone (where cel-js is slowest), and the geometric mean of all ratios. */
function withoutZones(rows) {
  const plain = rows.filter((r) => !r.text.includes('Europe/'));
  const sum = (list, key) => list.reduce((n, r) => n + r[key], 0);
  const geomean = Math.exp(rows.reduce((n, r) => n + Math.log(r.celJs / r.ours), 0) / rows.length);
  return { ratioWithoutZones: sum(plain, 'celJs') / sum(plain, 'ours'), geomean };
}

/** One timing loop per contender, compiled separately so no call site is shared. */
function timer(test, all) {
  const loop = new Function(
    'test',
    'all',
    'conditions',
    `let met = 0;
     const start = process.hrtime.bigint();
     for (let i = 0; i < all.length; i++) { const b = all[i]; for (let k = 0; k < conditions; k++) if (test(k, b)) met++; }
     const ns = Number(process.hrtime.bigint() - start);
     return { ns: ns / (all.length * conditions), met };`,
  );
  return () => loop(test, all, CONDITIONS.length);
}

export async function runCelBench({ log = () => {} } = {}) {
  const { conditions, bytes } = await compiledConditions();
  const celJs = CONDITIONS.map((text) => celJsParse(text));
  const all = bindings();

  const ours = (k, b) => conditions[k](b.principal, b.resource, b.context);
  const theirs = (k, b) => {
    try {
      return celJs[k](b) === true;
    } catch {
      return false; // cel-js throws its errors; a condition that errors is not met
    }
  };

  // both agree on every evaluation first (the met count is also the sink of the timing loops)
  let expected = 0;
  const perCondition = CONDITIONS.map(() => 0);
  for (const b of all) {
    for (let k = 0; k < CONDITIONS.length; k++) {
      const a = ours(k, b);
      if (a !== theirs(k, b)) throw new Error(`disagreement on \`${CONDITIONS[k]}\` for ${JSON.stringify(b)}`);
      if (a) {
        expected++;
        perCondition[k]++;
      }
    }
  }
  log(`cel: ${CONDITIONS.length} conditions × ${all.length.toLocaleString('en')} bindings agree (${expected.toLocaleString('en')} met)`);

  const contenders = [
    { name: 'policyc compiled conditions', run: timer(ours, all) },
    { name: '@marcbachmann/cel-js (parsed once)', run: timer(theirs, all) },
  ];
  const samples = contenders.map(() => []);
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    contenders.forEach((c, i) => {
      const { ns, met } = c.run();
      if (met !== expected) throw new Error(`${c.name} changed its answers`);
      if (round >= WARMUP_ROUNDS) samples[i].push(ns);
    });
  }
  const rows = contenders.map((c, i) => ({ name: c.name, ns: median(samples[i]), min: Math.min(...samples[i]), max: Math.max(...samples[i]) }));

  // each condition alone (fewer rounds): where the ratio comes from
  const perConditionRows = CONDITIONS.map((text, k) => {
    const one = (test) => timer((_, b) => test(k, b), all);
    const [a, b] = [one(ours), one(theirs)];
    const ns = [[], []];
    for (let round = 0; round < PER_CONDITION_ROUNDS; round++) {
      ns[0].push(a().ns);
      ns[1].push(b().ns);
    }
    return { text, ours: median(ns[0]), celJs: median(ns[1]), met: perCondition[k] };
  });
  return {
    rows,
    hardening: await hardeningRows(all),
    conditions: CONDITIONS.length,
    bindings: all.length,
    rounds: ROUNDS,
    met: expected,
    sourceBytes: bytes,
    ratio: rows[1].ns / rows[0].ns,
    perCondition: perConditionRows,
    ...withoutZones(perConditionRows),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runCelBench({ log: console.error });
  for (const row of r.rows) console.log(`${row.name}: ${row.ns.toFixed(1)} ns / condition (${row.min.toFixed(1)} – ${row.max.toFixed(1)})`);
  console.log(`cel-js ÷ compiled: ${r.ratio.toFixed(1)}×`);
  console.log(`without the time-zone conditions: ${r.ratioWithoutZones.toFixed(1)}×; geometric mean of per-condition ratios: ${r.geomean.toFixed(1)}×`);
  for (const c of r.perCondition) console.log(`${c.ours.toFixed(0).padStart(7)} ${c.celJs.toFixed(0).padStart(8)} ${(c.celJs / c.ours).toFixed(1).padStart(7)}×  ${c.text}`);
  console.log('issue 13 (ns per call or evaluation, median):');
  for (const row of r.hardening) console.log(`${row.ns.toFixed(0).padStart(9)}  (${row.min.toFixed(0)} – ${row.max.toFixed(0)})  ${row.name}`);
}
