// Checks on the leads policy, side by side in one process: the generated checker, the same
// policy compiled by the compiler of before the own-data rule (BASELINE in lib.mjs: every request
// value read as a plain property, argument checks outside the `try`), the same rules written by
// hand (the lower bound), and @casl/ability. The timed copies see only the timed requests; a
// second copy of the generated checker and of the hand-written function also decides malformed
// requests first, and is timed in rows of its own (a function that has seen many shapes). The
// generated checker is what an application imports: the lean `checker.js` (`importBuilt`).
import { subject } from '@casl/ability';
import { compileDir } from '../dist/compiler/index.js';
import { abilityFor } from './casl.mjs';
import { canLeadByHand, crmAbilityFor, crmRequests } from './crm-app.mjs';
import { canLead } from './hand-written.mjs';
import { baselineCheckout, importBuilt, median, prng } from './lib.mjs';

const REQUESTS = 100_000;
const ROUNDS = 15;
const WARMUP_ROUNDS = 3;
const USERS = 80;
const LEADS = 2_000;
/** Weighted: mostly reps, few admins. */
const ROLES = ['admin', 'sales_manager', 'sales_manager', 'team_lead', 'team_lead', 'team_lead', 'sales_rep', 'sales_rep', 'sales_rep', 'sales_rep', 'sales_rep', 'sales_rep', 'senior_rep', 'senior_rep', 'viewer', 'viewer'];
const ACTIONS = ['create', 'view', 'edit', 'delete', 'export'];
const TEAMS = ['north', 'south', 'east', 'west'];

/** A user's groups: none (no `groups`), an empty list, one team or two. */
function groupsFor(rnd) {
  const k = rnd(20);
  if (k < 2) return undefined;
  if (k < 3) return [];
  const first = TEAMS[rnd(TEAMS.length)];
  if (k < 15) return [first];
  const second = TEAMS[(TEAMS.indexOf(first) + 1 + rnd(TEAMS.length - 1)) % TEAMS.length];
  return [first, second];
}

/**
 * 100,000 requests by 80 users on a pool of 2,000 leads (an application checks records it has
 * just loaded), as parallel arrays so the timing loop itself costs little. A quarter of the
 * requests are on one of the principal's own leads; the others on any lead, whose owner may
 * have any role and whose team may or may not be one of the principal's groups.
 */
export function requests() {
  const rnd = prng(20261122);
  const users = Array.from({ length: USERS }, (_, i) => {
    const groups = groupsFor(rnd);
    const id = `u${i}`;
    const role = ROLES[rnd(ROLES.length)];
    // two literals, not `{ ...user, groups }`: V8 (Node 20) gives each object made by spreading in
    // a loop a hidden class of its own (80 users, ~40 classes), which made every read of every
    // contender megamorphic; users parsed from JSON or built by literals have one class per shape
    return groups === undefined ? { id, role } : { id, role, groups };
  });
  const leads = Array.from({ length: LEADS }, () => {
    const owner = users[rnd(USERS)];
    return { kind: 'lead', responsible: `u${owner.id.slice(1)}`, team: TEAMS[rnd(TEAMS.length)], responsibleRole: owner.role, amount: rnd(100_000) };
  });
  const leadsOf = new Map(users.map((u) => [u.id, leads.filter((l) => l.responsible === u.id)]));
  const reqs = { principal: [], action: [], record: [] };
  for (let i = 0; i < REQUESTS; i++) {
    const principal = users[rnd(USERS)];
    const own = leadsOf.get(principal.id);
    const record = rnd(4) === 0 && own.length > 0 ? own[rnd(own.length)] : leads[rnd(LEADS)];
    reqs.principal.push(principal);
    reqs.action.push(ACTIONS[rnd(ACTIONS.length)]);
    reqs.record.push(record);
  }
  return { users, leads, reqs };
}

/** Requests the generated checker and the hand-written function must both refuse the same way. */
function failClosedCases() {
  const p = { id: 'u1', role: 'sales_manager', groups: ['north'] };
  const lead = { kind: 'lead', responsible: 'u2', team: 'south', responsibleRole: 'sales_rep', amount: 1 };
  const cases = [
    [null, 'view', lead], [undefined, 'view', lead], ['u1', 'view', lead], [{ id: 1, role: 'admin' }, 'view', lead],
    [{ id: 'u1' }, 'view', lead], [{ role: 'admin' }, 'view', lead],
    [p, 'view', null], [p, 'view', 'lead'], [p, 'view', { responsible: 'u1' }], [p, 'view', { kind: 7 }],
    [p, 'view', { kind: 'contact', responsible: 'u1' }], [p, 'archive', lead], [p, 'view', { ...lead, kind: 'Lead' }],
    [{ ...p, role: 'nobody' }, 'view', lead], [{ ...p, role: 'Admin' }, 'create', lead], [{ id: 'a', role: 'admin' }, 'archive', lead],
    [{ ...p, groups: 'north' }, 'view', lead], [{ ...p, groups: 'north' }, 'view', { ...lead, responsible: 'u1' }],
    [{ ...p, groups: 'north' }, 'delete', lead], [{ ...p, groups: { length: 1, 0: 'south' } }, 'view', lead],
    [{ id: 'a', role: 'admin' }, 'delete', { kind: 'lead' }], [{ id: 'v', role: 'viewer' }, 'view', { kind: 'lead' }],
    [{ id: 's', role: 'sales_rep' }, 'create', { kind: 'lead' }], [{ id: 's', role: 'sales_rep' }, 'delete', { kind: 'lead' }],
  ];
  for (const role of ['sales_manager', 'team_lead', 'sales_rep', 'senior_rep']) {
    for (const action of ['view', 'edit', 'delete', 'export']) {
      const user = { id: 'u1', role, groups: ['north'] };
      for (const missing of ['responsible', 'team', 'responsibleRole']) {
        for (const record of [lead, { ...lead, responsible: 'u1' }, { ...lead, team: 'north' }, { ...lead, responsibleRole: role }, { ...lead, responsibleRole: 'viewer' }]) {
          const without = { ...record };
          delete without[missing];
          cases.push([user, action, without], [user, action, { ...record, [missing]: 42 }], [{ ...user, groups: undefined }, action, record]);
        }
      }
    }
  }
  const throwing = { kind: 'lead', get responsible() { throw new Error('boom'); } };
  cases.push([p, 'view', throwing], [p, 'view', new Proxy(lead, { get: (t, k) => (k === 'team' ? Symbol('x') : t[k]) })]);
  return cases;
}

/**
 * A timing loop of its own for each contender (the same source, compiled separately), so no
 * contender pays for a call site another made polymorphic. Returns ns per check and the number
 * of checks allowed, which the caller compares with the expected count (the sink: the work
 * cannot be optimized away, and a contender that changes its answers is caught).
 */
function timer(check, args) {
  // eslint-disable-next-line no-new-func
  const loop = new Function(
    'check',
    'principal',
    'action',
    'record',
    'extra',
    'n',
    `let allowed = 0;
     const start = process.cpuUsage();
     for (let i = 0; i < n; i++) if (check(principal[i], action[i], record[i], extra[i])) allowed++;
     const used = process.cpuUsage(start);
     const ns = (used.user + used.system) * 1000;
     return { ns: ns / n, allowed };`,
  );
  return () => loop(check, args.principal, args.action, args.record, args.extra, REQUESTS);
}

/**
 * Times the contenders in interleaved rounds, in a rotating order so every contender sees the
 * same machine noise, each checked to allow `expectedAllowed` requests every round. CPU time of
 * the process, not wall time: on a shared machine the time spent waiting for a core is not the
 * check's.
 */
function timeInterleaved(contenders, expectedAllowed) {
  const timers = contenders.map((c) => ({ ...c, time: timer(c.check, c.args), samples: [] }));
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    for (let k = 0; k < timers.length; k++) {
      const t = timers[(round + k) % timers.length];
      const { ns, allowed } = t.time();
      if (!t.baseline && allowed !== expectedAllowed) throw new Error(`${t.name} allowed ${allowed} requests in round ${round}, expected ${expectedAllowed}`);
      if (round >= WARMUP_ROUNDS) t.samples.push(ns);
    }
  }
  return timers.map((t) => ({ name: t.name, baseline: !!t.baseline, versus: t.versus ?? 'hand-written', ns: median(t.samples), min: Math.min(...t.samples), max: Math.max(...t.samples) }));
}

/**
 * Bring your own objects (issue 17): the application's users `{ id, role, groupIds }` and leads
 * `{ id, ownerId, groupId, stage }`, passed as they are to `checker.lead.can` of bench/crm-policy
 * (whose `principal: { groups: groupIds }` says where the groups are), to the same rules by hand
 * and to CASL. All three must agree on every request, and policyc and the hand-written function
 * on every decision code, before anything is timed.
 */
async function runOwnObjectsScenario(compile) {
  const checker = await compile(new URL('./crm-policy/', import.meta.url).pathname);
  const { users, reqs } = crmRequests();
  const abilityOf = new Map(users.map((u) => [u, crmAbilityFor(u)]));
  const plainArgs = { ...reqs, extra: reqs.record };
  const caslArgs = { ...reqs, extra: reqs.principal.map((u) => abilityOf.get(u)) };
  const contenders = [
    { name: 'generated checker, per-kind entry (`checker.lead.can`)', check: (u, a, l) => checker.lead.can(u, a, l).allow, args: plainArgs },
    { name: 'hand-written', check: (u, a, l) => canLeadByHand(u, a, l).allow, args: plainArgs },
    { name: 'CASL (ability cached per user)', check: (_u, a, l, ability) => ability.can(a, l), args: caslArgs },
  ];
  let expectedAllowed = 0;
  const codes = new Map();
  for (let i = 0; i < reqs.principal.length; i++) {
    const answers = contenders.map(({ check, args }) => check(args.principal[i], args.action[i], args.record[i], args.extra[i]));
    const [u, a, l] = [reqs.principal[i], reqs.action[i], reqs.record[i]];
    if (answers.some((x) => x !== answers[0])) throw new Error(`the contenders disagree on request ${i} (${answers.join(', ')}): ${JSON.stringify([u, a, l])}`);
    const generated = checker.lead.can(u, a, l).code;
    const hand = canLeadByHand(u, a, l).code;
    if (generated !== hand) throw new Error(`generated (${generated}) and hand-written (${hand}) decide request ${i} differently: ${JSON.stringify([u, a, l])}`);
    codes.set(generated, (codes.get(generated) ?? 0) + 1);
    if (answers[0]) expectedAllowed++;
  }
  contenders.push({ name: 'loop alone (no check)', check: (_u, _a, l) => l.stage === '', args: plainArgs, baseline: true });
  const rows = timeInterleaved(contenders, expectedAllowed);
  const get = (name) => rows.find((r) => r.name === name)?.ns;
  return {
    rows,
    generated: get(contenders[0].name),
    hand: get('hand-written'),
    casl: get('CASL (ability cached per user)'),
    loop: get('loop alone (no check)'),
    requests: reqs.principal.length,
    allowed: expectedAllowed,
    codes: Object.fromEntries([...codes].sort((x, y) => y[1] - x[1])),
  };
}

export async function runChecksBench({ log = () => {} } = {}) {
  const policy = new URL('./leads-policy/', import.meta.url).pathname;
  const compile = async (compiler, dir = policy) => {
    const result = await compiler(dir, { lean: true });
    if (!result.output) throw new Error(`the benchmark policy does not compile:\n${result.diagnostics.map((d) => d.message).join('\n')}`);
    return (await importBuilt(result.output)).checker;
  };
  const checker = await compile(compileDir);
  // a second copy of each of the generated checker and the hand-written function (a module of its
  // own: its own inline caches) that also decides the malformed requests before timing
  const seasoned = await compile(compileDir);
  const { canLead: canLeadSeasoned } = await import('./hand-written.mjs?after-malformed');
  const baseline = baselineCheckout(log);
  const before = baseline === undefined ? undefined : await compile((await import(`${baseline}/dist/compiler/index.js`)).compileDir);
  const { users, leads, reqs } = requests();

  // CASL tags each record with its subject type (a hidden property): it gets its own copies, so
  // the records the other two read keep their shape. Abilities are built before timing, once per
  // user, and looked up per request ahead of time (no cache lookup is timed).
  const abilityOf = new Map(users.map((u) => [u, abilityFor(u)]));
  const caslCopy = new Map(leads.map((l) => [l, { ...l }]));
  const caslArgs = { ...reqs, record: reqs.record.map((r) => caslCopy.get(r)), extra: reqs.principal.map((p) => abilityOf.get(p)) };
  const plainArgs = { ...reqs, extra: reqs.record };

  const contenders = [
    { name: 'generated checker', check: (p, a, r) => checker.can(p, a, r).allow, args: plainArgs },
    ...(before === undefined ? [] : [{ name: 'generated checker before the own-data rule', check: (p, a, r) => before.can(p, a, r).allow, args: plainArgs }]),
    { name: 'hand-written', check: (p, a, r) => canLead(p, a, r).allow, args: plainArgs },
    { name: 'CASL (ability cached per user)', check: (p, a, r, ability) => ability.can(a, subject('lead', r)), args: caslArgs },
    { name: 'generated checker, after malformed requests', check: (p, a, r) => seasoned.can(p, a, r).allow, args: plainArgs, versus: 'hand-written, after malformed requests' },
    { name: 'hand-written, after malformed requests', check: (p, a, r) => canLeadSeasoned(p, a, r).allow, args: plainArgs, versus: 'hand-written, after malformed requests' },
  ];

  // First, the benchmark itself: all contenders agree on every request, and the generated checker and
  // the hand-written function decide with the same code, here and on malformed requests.
  let expectedAllowed = 0;
  const codes = new Map();
  for (let i = 0; i < REQUESTS; i++) {
    const answers = contenders.map(({ check, args }) => check(args.principal[i], args.action[i], args.record[i], args.extra[i]));
    if (answers.some((a) => a !== answers[0])) {
      throw new Error(`the contenders disagree on request ${i} (${contenders.map((c, k) => `${c.name}: ${answers[k]}`).join(', ')}): ${JSON.stringify([reqs.principal[i], reqs.action[i], reqs.record[i]])}`);
    }
    const generated = checker.can(reqs.principal[i], reqs.action[i], reqs.record[i]).code;
    const hand = canLead(reqs.principal[i], reqs.action[i], reqs.record[i]).code;
    if (generated !== hand) throw new Error(`generated (${generated}) and hand-written (${hand}) decide request ${i} differently: ${JSON.stringify([reqs.principal[i], reqs.action[i], reqs.record[i]])}`);
    codes.set(generated, (codes.get(generated) ?? 0) + 1);
    if (answers[0]) expectedAllowed++;
  }
  // the malformed requests only through the second copies: a few odd shapes make a function's
  // property reads megamorphic for good, which the rows "after malformed requests" show
  const edge = failClosedCases();
  for (const [p, a, r] of edge) {
    const generated = seasoned.can(p, a, r);
    const hand = canLeadSeasoned(p, a, r);
    if (generated.allow !== hand.allow || generated.code !== hand.code) {
      throw new Error(`generated (${generated.code}) and hand-written (${hand.code}) decide differently on ${String(JSON.stringify([p, a, r]))}`);
    }
  }
  log(`all contenders agree on ${REQUESTS.toLocaleString('en')} requests (${expectedAllowed.toLocaleString('en')} allowed); generated and hand-written give the same code on them and on ${edge.length} malformed or incomplete ones`);

  // The same loop with no check at all: what every row includes besides the check.
  contenders.push({ name: 'loop alone (no check)', check: (_p, _a, r) => r.amount < 0, args: plainArgs, baseline: true });
  const rows = timeInterleaved(contenders, expectedAllowed);
  const get = (name) => rows.find((r) => r.name === name)?.ns;
  const byo = await runOwnObjectsScenario((dir) => compile(compileDir, dir));
  return {
    byo,
    rows,
    generated: get('generated checker'),
    before: get('generated checker before the own-data rule'),
    hand: get('hand-written'),
    casl: get('CASL (ability cached per user)'),
    seasoned: get('generated checker, after malformed requests'),
    handSeasoned: get('hand-written, after malformed requests'),
    loop: get('loop alone (no check)'),
    requests: REQUESTS,
    malformed: edge.length,
    rounds: ROUNDS,
    allowed: expectedAllowed,
    codes: Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])),
  };
}
