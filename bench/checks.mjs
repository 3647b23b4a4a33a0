// Checks per second on the leads policy: generated checker vs hand-written vs CASL.
import { subject } from '@casl/ability';
import { compileDir } from '../dist/compiler/index.js';
import { abilityFor } from './casl.mjs';
import { canLead } from './hand-written.mjs';
import { importBundle, median, prng } from './lib.mjs';

const REQUESTS = 100_000;
const ROUNDS = 15;
const ROLES = ['admin', 'sales_manager', 'team_lead', 'sales_rep', 'sales_rep', 'sales_rep', 'viewer'];
const ACTIONS = ['create', 'view', 'edit', 'delete', 'export'];
const GROUPS = ['north', 'south', 'east'];

/**
 * 100,000 requests over 70 users and a pool of 2,000 leads (an application checks records it has
 * just loaded, so they are in cache), as parallel arrays so the loop itself costs little.
 */
function requests() {
  const rnd = prng(20261122);
  const principals = Array.from({ length: 70 }, (_, i) => ({ id: `u${i}`, role: ROLES[i % ROLES.length], groups: [GROUPS[i % 3]] }));
  const roleOf = new Map(principals.map((p) => [p.id, p.role]));
  const leads = Array.from({ length: 2000 }, () => {
    const owner = `u${rnd(principals.length)}`;
    return { kind: 'lead', responsible: owner, team: GROUPS[rnd(3)], responsibleRole: roleOf.get(owner), amount: rnd(100_000) };
  });
  const caslLeads = leads.map((lead) => subject('lead', { ...lead }));
  const reqs = { principal: [], action: [], record: [], caslRecord: [] };
  for (let i = 0; i < REQUESTS; i++) {
    const principal = principals[rnd(principals.length)];
    // about a quarter of the checks are on the principal's own leads
    let index = rnd(leads.length);
    if (rnd(4) === 0) index = leads.findIndex((l) => l.responsible === principal.id);
    if (index < 0) index = rnd(leads.length);
    reqs.principal.push(principal);
    reqs.action.push(ACTIONS[rnd(ACTIONS.length)]);
    reqs.record.push(leads[index]);
    reqs.caslRecord.push(caslLeads[index]);
  }
  return reqs;
}

/**
 * A timing loop of its own for each contender (built from the same source), so no contender
 * pays for a call site shared with the others. Returns ns per check; `allowed` is a sink.
 */
function timer(check) {
  // eslint-disable-next-line no-new-func
  const loop = new Function(
    'check',
    'reqs',
    'n',
    `const { principal, action, record, caslRecord } = reqs;
     let allowed = 0;
     const start = process.hrtime.bigint();
     for (let i = 0; i < n; i++) if (check(principal[i], action[i], record[i], caslRecord[i])) allowed++;
     return { ns: Number(process.hrtime.bigint() - start) / n, allowed };`,
  );
  return (reqs) => loop(check, reqs, REQUESTS);
}

export async function runChecksBench() {
  const result = await compileDir(new URL('./leads-policy/', import.meta.url).pathname);
  if (!result.output) throw new Error('the benchmark policy does not compile');
  const { checker } = await importBundle(result.output.bundle);
  const reqs = requests();
  const abilities = new Map(reqs.principal.map((p) => [p, abilityFor(p)]));

  const contenders = {
    generated: (p, a, r) => checker.can(p, a, r).allow,
    'hand-written': (p, a, r) => canLead(p, a, r).allow,
    'CASL (ability cached per user)': (p, a, _r, caslRecord) => abilities.get(p).can(a, caslRecord),
  };
  // first, all three must agree on every request: the benchmark compares equal work
  for (let i = 0; i < REQUESTS; i++) {
    const args = [reqs.principal[i], reqs.action[i], reqs.record[i], reqs.caslRecord[i]];
    const answers = Object.values(contenders).map((f) => f(...args));
    if (answers.some((a) => a !== answers[0])) throw new Error(`contenders disagree on request ${i}: ${answers}`);
  }
  // the same loop with no check at all: what every row above includes besides the check
  const baseline = { 'loop alone (no check)': (_p, _a, r) => r.amount < 0 };
  const timers = Object.fromEntries(Object.entries({ ...contenders, ...baseline }).map(([name, check]) => [name, timer(check)]));
  const samples = Object.fromEntries(Object.keys(timers).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS + 3; round++) {
    for (const [name, time] of Object.entries(timers)) {
      const { ns } = time(reqs);
      if (round >= 3) samples[name].push(ns); // 3 warm-up rounds
    }
  }
  const ns = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const hand = ns['hand-written'];
  const casl = ns['CASL (ability cached per user)'];
  return { ns, hand, casl, requests: REQUESTS, rounds: ROUNDS };
}
