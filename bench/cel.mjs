// Conditions (CEL) side by side in one process: policyc's compiled conditions (the emitted JS
// expressions, embedded in a module the way a generated checker embeds them, calling the built
// runtime dist/runtime/cel.js) against @marcbachmann/cel-js evaluating the same expressions,
// each parsed once before timing, and against the JavaScript a developer would write for each
// condition by hand. All three must agree on every evaluation before anything is timed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse as celJsParse } from '@marcbachmann/cel-js';
import { checkExpression, emitCondition, emitExpression, jsString, parseExpression, t } from '../dist/compiler/cel/index.js';
import { median, prng } from './lib.mjs';

const BINDINGS = 2_000;
const ROUNDS = 7;
const WARMUP_ROUNDS = 1;
const PER_CONDITION_ROUNDS = 7;

/** Realistic conditions of a CRM policy: stage overrides (R-K5), thresholds, working hours (R-Z10). */
export const CONDITIONS = [
  'resource.stage == "negotiation"',
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

/** Intl formatters made once, as a developer caching them would. */
const WARSAW_HOUR = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Warsaw', hour: 'numeric', hourCycle: 'h23' });
const WARSAW_WEEKDAY = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Warsaw', weekday: 'short' });
const WEEKDAYS = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const DAYS_30 = 720 * 3600 * 1000;

/** Each condition written by hand in JavaScript, for the application's own well-formed objects (no CEL error cases). */
export const HAND_WRITTEN = [
  (p, r) => r.stage === 'negotiation',
  (p, r) => r.stage === 'won' || r.stage === 'lost',
  (p, r) => r.stage === 'negotiation' && r.amount >= 50000,
  (p, r) => r.amount > 10000 && r.amount <= 250000,
  (p, r) => p.role === 'sales_manager' || p.role === 'team_lead' || r.owner === p.id,
  (p, r) => r.name.startsWith('ACME') || r.email.endsWith('@example.com'),
  (p, r, c) => {
    const hour = Number(WARSAW_HOUR.format(c.now));
    return hour >= 9 && hour < 17;
  },
  (p, r, c) => {
    const day = WEEKDAYS[WARSAW_WEEKDAY.format(c.now)];
    return day >= 1 && day <= 5;
  },
  (p, r) => r.tags.includes('vip'),
  (p, r) => p.teams.includes(r.team),
  (p, r) => r.discount !== undefined && r.discount > 0.2,
  (p, r, c) => c.now.getTime() - r.created.getTime() < DAYS_30,
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
  // as a generated checker: `can` passes the principal and the record as ordinary objects (own.ts)
  const names = { variables: { principal: 'p', resource: 'r', context: 'c' }, runtime: 'cel', ordinary: ['principal', 'resource'] };
  const bodies = CONDITIONS.map((text) => {
    const parsed = parseExpression(text);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.errors[0].message}`);
    const checked = checkExpression(parsed.ast, DECLARATIONS);
    if (checked.problems.length > 0) throw new Error(`${text}: ${checked.problems[0].message}`);
    // its temporaries declared around it, as a generated checker's `when_…` function declares them
    const { code, temps } = emitCondition(parsed.ast, names, checked);
    const declare = temps.length === 0 ? '' : `let ${temps.join(', ')}; `;
    return `  // ${jsString(text).slice(1, -1)}\n  (p, r, c) => { ${declare}return ${code} === true; },`;
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
    collect();
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
    // the generic code (no declared types, so no fast loop): the macros that the meter slows
    const source = emitExpression(parsed.ast, names);
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

const geometricMean = (values) => Math.exp(values.reduce((n, v) => n + Math.log(v), 0) / values.length);

/** The headline figures: geometric means of the per-condition ratios (with and without the time zones) and the ratio of sums. */
function summary(rows) {
  const plain = rows.filter((r) => !r.text.includes('Europe/'));
  const sum = (list, key) => list.reduce((n, r) => n + r[key], 0);
  return {
    geomean: geometricMean(rows.map((r) => r.celJs / r.ours)),
    geomeanHand: geometricMean(rows.map((r) => r.ours / r.hand)),
    geomeanHandWithoutZones: geometricMean(plain.map((r) => r.ours / r.hand)),
    geomeanWithoutZones: geometricMean(plain.map((r) => r.celJs / r.ours)),
    ratioWithoutZones: sum(plain, 'celJs') / sum(plain, 'ours'),
  };
}

/**
 * A full garbage collection, run before every timed round (then an untimed pass): without it a
 * round of the compiled conditions (which allocate little or nothing) was stopped by a scavenge of
 * the garbage cel-js left — tens of milliseconds, the bimodal compiled timings of issue 17. Each
 * contender's own garbage is still collected in its own rounds, except what is left at a round's
 * end (which only flatters the contender that allocates most, cel-js). `npm run bench` runs with
 * `--expose-gc`.
 */
const collect = globalThis.gc ?? (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
})();

/** Timers made so far: each gets a source of its own (below). */
let timerCount = 0;

/**
 * One timing loop per contender, compiled separately so no call site is shared. The source names
 * the timer: V8 caches `new Function` by its text and hands every function of the same text one
 * feedback vector and one optimized code, so identical loops shared their call site of `test` —
 * megamorphic, and deoptimized whenever another contender's round ran it.
 */
function timer(test, all) {
  const loop = new Function(
    'test',
    'all',
    'conditions',
    `// timer ${timerCount++}
     let met = 0;
     const start = process.hrtime.bigint();
     for (let i = 0; i < all.length; i++) { const b = all[i]; for (let k = 0; k < conditions; k++) if (test(k, b)) met++; }
     const ns = Number(process.hrtime.bigint() - start);
     return { ns: ns / (all.length * conditions), met };`,
  );
  return () => {
    collect();
    // an untimed pass first: the collection leaves the caches cold, which the first pass would pay
    loop(test, all, CONDITIONS.length);
    return loop(test, all, CONDITIONS.length);
  };
}

/**
 * One condition of one contender in a loop of its own, called as a generated checker calls its
 * `when_…` function: from a call site that only ever sees that function. Through the mixed loop's
 * shared `test(k, b)` every call was megamorphic (about 10 ns here), which was most of what a cheap
 * condition measured for every contender alike. `binding`: cel-js, which takes the bindings object
 * and throws its errors (a condition that errors is not met).
 */
function directTimer(f, all, form) {
  const call = form === 'binding' ? 'try { if (f(b) === true) met++; } catch {}' : 'if (f(b.principal, b.resource, b.context) === true) met++;';
  const loop = new Function(
    'f',
    'all',
    'repeat',
    `// direct timer ${timerCount++}
     let met = 0;
     const start = process.hrtime.bigint();
     for (let k = 0; k < repeat; k++) for (let i = 0; i < all.length; i++) { const b = all[i]; ${call} }
     const ns = Number(process.hrtime.bigint() - start);
     return { ns: ns / (all.length * repeat), met };`,
  );
  return () => {
    collect();
    loop(f, all, CONDITIONS.length);
    return loop(f, all, CONDITIONS.length);
  };
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
  const hand = (k, b) => HAND_WRITTEN[k](b.principal, b.resource, b.context);

  // all three agree on every evaluation first (the met count is also the sink of the timing loops)
  let expected = 0;
  const perCondition = CONDITIONS.map(() => 0);
  for (const b of all) {
    for (let k = 0; k < CONDITIONS.length; k++) {
      const a = ours(k, b);
      if (a !== theirs(k, b) || a !== hand(k, b)) throw new Error(`disagreement on \`${CONDITIONS[k]}\` for ${JSON.stringify(b)}`);
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
    { name: 'hand-written JavaScript', run: timer(hand, all) },
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

  // each condition alone: where the ratios come from. The best round of each contender, as
  // `timeit` reports: on a shared machine a round's median mostly measures who else ran then
  // (and a best round leaves out cel-js's garbage collection, which only flatters cel-js)
  const perConditionRows = CONDITIONS.map((text, k) => {
    const timers = [directTimer(conditions[k], all), directTimer(celJs[k], all, 'binding'), directTimer(HAND_WRITTEN[k], all)];
    const ns = timers.map(() => []);
    for (let round = 0; round < PER_CONDITION_ROUNDS; round++) {
      timers.forEach((run, i) => {
        const { ns: took, met } = run();
        if (met !== perCondition[k] * CONDITIONS.length) throw new Error(`${['compiled', 'cel-js', 'hand-written'][i]} changed its answers on \`${text}\``);
        ns[i].push(took);
      });
    }
    const [a, b, c] = ns.map((list) => Math.min(...list));
    return { text, ours: a, celJs: b, hand: c, medians: ns.map(median), met: perCondition[k] };
  });
  return {
    rows,
    hardening: await hardeningRows(all),
    conditions: CONDITIONS.length,
    bindings: all.length,
    rounds: ROUNDS,
    perConditionRounds: PER_CONDITION_ROUNDS,
    met: expected,
    sourceBytes: bytes,
    ratio: rows[1].ns / rows[0].ns,
    perCondition: perConditionRows,
    ...summary(perConditionRows),
  };
}

/** The "Conditions (CEL)" section of bench/RESULTS.md. */
export function celMarkdown(cel) {
  const fmt = (n, digits = 1) => n.toFixed(digits);
  const goal = (ok) => (ok ? 'met' : '**not met**');
  const stage = cel.perCondition.find((c) => c.text === 'resource.stage == "negotiation"');
  const lines = [
    `### Conditions (CEL): ${cel.conditions} conditions × ${cel.bindings.toLocaleString('en')} bindings, median of ${cel.rounds} interleaved rounds`,
    '',
    '| contender | median ns / condition | min – max of the rounds | ÷ compiled |',
    '|---|---:|---:|---:|',
    ...cel.rows.map((row) => `| ${row.name} | ${fmt(row.ns)} | ${fmt(row.min)} – ${fmt(row.max)} | ${fmt(row.ns / cel.rows[0].ns, 2)} |`),
    '',
    `Each condition alone (ns per evaluation, the best of ${cel.perConditionRounds} interleaved rounds of each, each contender's condition called from a loop of its own as a checker calls its \`when_…\` function; the ratios are of these):`,
    '',
    '| condition | compiled | cel-js | hand-written JS | cel-js ÷ compiled | compiled ÷ hand-written |',
    '|---|---:|---:|---:|---:|---:|',
    ...cel.perCondition.map((c) => `| \`${c.text}\` | ${fmt(c.ours)} | ${fmt(c.celJs)} | ${fmt(c.hand)} | ${fmt(c.celJs / c.ours)} | ${fmt(c.ours / c.hand, 2)} |`),
    '',
    `- Geometric mean of the per-condition ratios: cel-js ÷ compiled **${fmt(cel.geomean)}×** (goal ≥ 20×: ${goal(cel.geomean >= 20)}); ` +
      `compiled ÷ hand-written **${fmt(cel.geomeanHand, 2)}×** (goal ≤ 2×: ${goal(cel.geomeanHand <= 2)}). ` +
      `Without the two time-zone conditions: ${fmt(cel.geomeanWithoutZones)}× and ${fmt(cel.geomeanHandWithoutZones, 2)}×.`,
    `- \`resource.stage == "negotiation"\`: **${fmt(stage.ours / stage.hand, 2)}×** \`r.stage === "negotiation"\` (goal ≤ 2×: ${goal(stage.ours / stage.hand <= 2)}).`,
    `- All conditions in one loop: cel-js ÷ compiled ${fmt(cel.ratio)}× (a sum the time-zone conditions dominate; without them ${fmt(cel.ratioWithoutZones)}×).`,
    `- All three agreed on every evaluation (${Math.round(cel.met).toLocaleString('en')} met) before timing.`,
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runCelBench({ log: console.error });
  console.log(celMarkdown(r));
  console.log('\nissue 13 (ns per call or evaluation, median):');
  for (const row of r.hardening) console.log(`${row.ns.toFixed(0).padStart(9)}  (${row.min.toFixed(0)} – ${row.max.toFixed(0)})  ${row.name}`);
}
