import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../compiler/cli.ts';
import { traceDecision } from '../compiler/explain/trace.ts';
import { compileDir } from '../compiler/index.ts';
import { checkerOf } from './helpers/policy.ts';
import { polluted } from './helpers/pollution.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: root, color: false, stdin: async () => stdin });
  return { code, out, err };
}

describe('policyc explain', () => {
  it('R-Z1 prints the decision of the compiled checker and every step with its rule position', async () => {
    const request = 'principal: { id: m1, role: sales_manager, groups: [west] }\naction: view\nresource: { kind: deal, owner: r9, ownerRole: sales_trainee }\n';
    const r = await run(['explain', 'policies/zoho-hierarchy', '--request', '-'], request);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^allowed \(hierarchy\): allowed: role `sales_manager` grants `view` on `deal` as own \(yellow\) at roles\.yaml:\d+:\d+/);
    expect(lines.slice(1).map((l) => l.replace(/\s+\(roles\.yaml:\d+:\d+\)$/, ''))).toEqual([
      ' 1. role `sales_manager` is an administrator: no',
      ' 2. grant of `sales_manager` for `deal` · `view`: own (yellow)',
      ' 3. owner attribute `owner` is a string: "r9"',
      ' 4. the principal is the owner: no (principal "m1")',
      ' 5. owner-role attribute `ownerRole` is a string: "sales_trainee"',
      " 6. the owner's role is below `sales_manager`: yes",
    ]);
  });

  it('reads the request from a JSON file and prints JSON with --format json', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'policyc-explain-')), 'request.json');
    writeFileSync(file, JSON.stringify({ principal: { id: 'a', role: 'administrator' }, action: 'delete', resource: { kind: 'lead' } }));
    const r = await run(['explain', 'policies/kommo-crm', '--request', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { decision: { allow: boolean; code: string }; trace: { test: string; outcome: string; at?: string }[] };
    expect(out.decision).toMatchObject({ allow: true, code: 'admin' });
    expect(out.trace[0]).toMatchObject({ test: 'role `administrator` is an administrator', outcome: 'yes' });
    expect(out.trace[0]!.at).toMatch(/^roles\.yaml:\d+:\d+$/);
  });

  it('exits 2 on a request that is not YAML or lacks an action', async () => {
    expect((await run(['explain', 'policies/kommo-crm', '--request', '-'], '{ nope')).code).toBe(2);
    expect((await run(['explain', 'policies/kommo-crm', '--request', '-'], 'principal: {}')).code).toBe(2);
    expect((await run(['explain', 'policies/kommo-crm'])).code).toBe(2);
  });

  it('R-K3 R-K8 R-Z1 R-Z3 the trace ends in the decision the checker makes, for every request of a large sample', async () => {
    for (const set of ['kommo-crm', 'zoho-hierarchy', 'gtg-marketing']) {
      const result = await compileDir(join(root, 'policies', set));
      const checker = await checkerOf(result);
      const model = result.model!;
      const roles = [...model.roles.map((r) => r.name), 'nobody'];
      const ids = ['u1', 'u2'];
      const attributeValues = [undefined, 'u1', 'u2', 'north', 7, ...roles];
      let seed = 1;
      const pick = <T>(list: readonly T[]): T => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return list[seed % list.length]!;
      };
      for (let i = 0; i < 3000; i++) {
        const kind = pick([...model.resources, undefined]);
        const principal = { id: pick(ids), role: pick(roles), ...(pick([0, 1, 2]) === 0 ? {} : { groups: pick([['north'], [], 'north']) }) };
        const action = kind ? pick([...kind.actions, 'nope']) : 'view';
        const resource: Record<string, unknown> = { kind: kind?.name ?? 'nothing' };
        for (const a of kind?.attributes ?? []) {
          const v = pick(attributeValues);
          if (v !== undefined) resource[a.name] = v;
        }
        const decision = checker.can(principal as never, action, resource as never);
        expect(traceDecision(model, principal, action, resource).code, JSON.stringify({ set, principal, action, resource })).toBe(decision.code);
      }
    }
  });
});

describe('explain within organisations', () => {
  it('R-Z13 the trace shows the organisation check and agrees with the checker', async () => {
    const { compileSources } = await import('../compiler/index.ts');
    const text = `resources:
  ticket:
    actions: [view]
    attributes: { owner: string, org: string }
    owner: owner
    organisation: org
roles:
  agent: { grants: { ticket: own } }
  admin: { administrator: true }
`;
    const result = await compileSources('o', [{ path: 'p.yaml', text }]);
    const checker = await checkerOf(result);
    const cases: [unknown, Record<string, unknown>, string][] = [
      [{ id: 'u1', role: 'agent', organisation: 'acme' }, { kind: 'ticket', owner: 'u1', org: 'acme' }, 'own'],
      [{ id: 'u1', role: 'agent', organisation: 'acme' }, { kind: 'ticket', owner: 'u1', org: 'globex' }, 'other-organisation'],
      [{ id: 'u1', role: 'admin', organisation: 'acme' }, { kind: 'ticket', org: 'globex' }, 'other-organisation'],
      [{ id: 'u1', role: 'admin' }, { kind: 'ticket', org: 'acme' }, 'invalid-request'],
      [{ id: 'u1', role: 'admin', organisation: 'acme' }, { kind: 'ticket' }, 'missing-attribute'],
      // a principal of the user directory lists the organisations it belongs to: it acts in one of them only
      [{ id: 'u1', role: 'agent', organisation: 'acme', organisations: ['acme', 'globex'] }, { kind: 'ticket', owner: 'u1', org: 'acme' }, 'own'],
      [{ id: 'u1', role: 'admin', organisation: 'acme', organisations: ['globex'] }, { kind: 'ticket', org: 'acme' }, 'other-organisation'],
      [{ id: 'u1', role: 'admin', organisation: 'acme', organisations: [] }, { kind: 'ticket', org: 'acme' }, 'other-organisation'],
      [{ id: 'u1', role: 'admin', organisation: 'acme', organisations: 'acme' }, { kind: 'ticket', org: 'acme' }, 'other-organisation'],
      [{ id: 'u1', role: 'admin', organisation: 'acme', organisations: [, 'globex'] }, { kind: 'ticket', org: 'acme' }, 'other-organisation'],
    ];
    for (const [principal, resource, code] of cases) {
      expect(checker.can(principal as never, 'view', resource as never).code).toBe(code);
      expect(checker.kinds['ticket']!.can(principal as never, 'view', resource as never).code).toBe(code);
      expect(traceDecision(result.model!, principal, 'view', resource).code).toBe(code);
    }
    expect(traceDecision(result.model!, cases[1]![0], 'view', cases[1]![1]).steps.at(-1)).toMatchObject({ test: "the record is in the principal's organisation", outcome: 'no' });
    expect(traceDecision(result.model!, cases[6]![0], 'view', cases[6]![1]).steps.at(-1)).toMatchObject({ test: "the principal's `organisations` list it", outcome: 'no' });
    // a hole is no membership, whatever Array.prototype[0] holds
    expect(polluted(Array.prototype, '0', 'acme', () => checker.can(cases[9]![0] as never, 'view', cases[9]![1] as never).code)).toBe('other-organisation');
    // plans: the same organisations, so that listings never reach records of another one
    const plan = (principal: unknown) => checker.plan(principal as never, 'view', 'ticket');
    expect(plan({ id: 'u1', role: 'admin', organisation: 'acme', organisations: ['acme'] })).toMatchObject({ result: 'filter', filter: { op: 'eq', attribute: 'org', value: 'acme' } });
    expect(plan({ id: 'u1', role: 'admin', organisation: 'acme', organisations: ['globex'] })).toMatchObject({ result: 'never', reason: "denied: the record belongs to another organisation than the principal's" });
  });
});

describe('explain for technical users', () => {
  it('R-K11 a technical (partner) user decides exactly like its role, and the trace says so', async () => {
    const request = 'principal: { id: p1, role: sales_rep, technical: true }\naction: edit\nresource: { kind: lead, responsible: p1, team: north }\n';
    const r = await run(['explain', 'policies/kommo-crm', '--request', '-'], request);
    const plain = await run(['explain', 'policies/kommo-crm', '--request', '-'], request.replace(', technical: true', ''));
    expect(r.out.split('\n')[0]).toBe(plain.out.split('\n')[0]);
    expect(r.out).toContain('the principal is a technical (partner) user: yes: decides exactly like its role `sales_rep` (R-K11)');
  });
});

describe('explain for a field (R-K6, R-Z9)', () => {
  it('R-Z9 shows the access of one field with the view decision and the field rule, as the checker says', async () => {
    const request = '{ principal: { id: sr1, role: sales_rep }, field: bankAccount, resource: { kind: contact, owner: sr1, ownerRole: sales_rep } }';
    const r = await run(['explain', 'policies/zoho-hierarchy', '--request', '-'], request);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([
      'hidden: field `bankAccount`',
      ' 1. `contact` declares field `bankAccount`: yes',
      ' 2. the principal may `view` the record: yes (own)  (roles.yaml:35:16)',
      ' 3. field rule of `sales_rep` for `contact.bankAccount`: hidden  (roles.yaml:76:22)',
    ]);
  });

  it('R-Z9 a record the principal may not view hides every field; inherited, default and administrator rules are named', async () => {
    const ask = async (principal: string, field: string, resource: string) =>
      (await run(['explain', 'policies/zoho-hierarchy', '--request', '-', '--format', 'json'], `{ principal: ${principal}, field: ${field}, resource: ${resource} }`)).out;
    const notViewed = JSON.parse(await ask('{ id: st1, role: sales_trainee }', 'email', '{ kind: contact, owner: x, ownerRole: ceo }')) as { access: string; trace: { outcome: string }[] };
    expect(notViewed.access).toBe('hidden');
    expect(notViewed.trace.at(-1)!.outcome).toBe('no (not-reached): every field is hidden');
    const byDefault = JSON.parse(await ask('{ id: m1, role: sales_manager }', 'bankAccount', '{ kind: contact, owner: r1, ownerRole: sales_rep }')) as { access: string; trace: { outcome: string }[] };
    expect(byDefault).toMatchObject({ access: 'read-write' });
    expect(byDefault.trace.at(-1)!.outcome).toBe('none written, nor inherited: read-write by default');
    const admin = JSON.parse(await ask('{ id: a1, role: administrator }', 'bankAccount', '{ kind: contact }')) as { access: string; trace: { outcome: string }[] };
    expect(admin.trace.at(-1)!.outcome).toBe('yes: every field is read-write');
    const unknown = JSON.parse(await ask('{ id: a1, role: administrator }', 'iban', '{ kind: contact }')) as { access: unknown };
    expect(unknown.access).toBeNull();
  });
});

describe('explain with conditions (issue 3: R-K5 overrides, `when:`, R-Z10 shifts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-explain-conditions-'));
  writeFileSync(
    join(dir, 'policy.yaml'),
    `resources:
  deal:
    actions: [view, edit]
    attributes: { owner: string, stage: string, amount: number }
    owner: owner
    stage: stage
shifts:
  office: { days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00', timeZone: Europe/Warsaw }
roles:
  rep:
    shift: office
    grants:
      deal:
        view: { level: all, duringShift: true }
        edit: { level: own, when: 'resource.amount < 1000.0' }
    stages:
      deal:
        won: { edit: deny }
`,
  );
  const explain = async (request: string) => run(['explain', dir, '--request', '-'], request);
  const steps = (out: string) => out.trim().split('\n').slice(1).map((l) => l.replace(/\s+\(policy\.yaml:\d+:\d+\)$/, ''));

  it('R-Z10 the request may carry a context: `now` as an ISO date-time; the shift condition holds, does not hold, or cannot be evaluated', async () => {
    const during = await explain("principal: { id: u1, role: rep }\naction: view\nresource: { kind: deal }\ncontext: { now: '2026-11-30T08:30:00Z' }\n");
    expect(during.code).toBe(0);
    expect(during.out.split('\n')[0]).toMatch(/^allowed \(all\): /);
    expect(steps(during.out)[2]).toBe(" 3. the principal's shift (of role `rep`), at `context.now` 2026-11-30T08:30:00.000Z: `office`: mon, tue, wed, thu, fri, 09:00 to 17:00 in Europe/Warsaw");
    expect(steps(during.out).at(-1)).toMatch(/^ 4\. the grant's condition has\(principal\.shift\) \? .*: holds$/);

    // a Sunday: outside the office shift
    const sunday = await explain('{ "principal": { "id": "u1", "role": "rep" }, "action": "view", "resource": { "kind": "deal" }, "context": { "now": "2026-11-29T08:30:00Z" } }');
    expect(sunday.out.split('\n')[0]).toMatch(/^denied \(condition\): .*the condition does not hold/);
    expect(steps(sunday.out).at(-1)).toMatch(/: does not hold: denied$/);

    // no context: `context.now` is missing
    const none = await explain('principal: { id: u1, role: rep }\naction: view\nresource: { kind: deal }\n');
    expect(none.out.split('\n')[0]).toMatch(/^denied \(condition\): /);
    expect(steps(none.out).at(-1)).toMatch(/: could not be evaluated \(.+\): denied$/);

    const bad = await explain("principal: { id: u1, role: rep }\naction: view\nresource: { kind: deal }\ncontext: { now: 'monday morning' }\n");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('`context.now` is not an ISO date-time');
  });

  it('R-K5 overrides show which stage matched, or that the stage attribute is missing; `when:` shows whether it held', async () => {
    const won = await explain('principal: { id: u1, role: rep }\naction: edit\nresource: { kind: deal, owner: u1, stage: won, amount: 5 }\n');
    expect(won.out.split('\n')[0]).toMatch(/^denied \(denied\): /);
    expect(steps(won.out)).toEqual([' 1. role `rep` is an administrator: no', ' 2. override of `rep`: resource["stage"] == "won" gives deny (red): yes']);

    const missing = await explain('principal: { id: u1, role: rep }\naction: edit\nresource: { kind: deal, owner: u1, amount: 5 }\n');
    expect(missing.out.split('\n')[0]).toMatch(/^denied \(condition\): /);
    expect(steps(missing.out).at(-1)).toBe(' 2. override of `rep`: resource["stage"] == "won" gives deny (red): cannot tell: `stage` is missing; denied');

    const open = await explain('principal: { id: u1, role: rep }\naction: edit\nresource: { kind: deal, owner: u1, stage: open, amount: 5 }\n');
    expect(open.out.split('\n')[0]).toMatch(/^allowed \(own\): /);
    expect(steps(open.out)).toEqual([
      ' 1. role `rep` is an administrator: no',
      ' 2. override of `rep`: resource["stage"] == "won" gives deny (red): no',
      ' 3. grant of `rep` for `deal` · `edit`: own (yellow)',
      " 4. the grant's condition resource.amount < 1000.0: holds",
      ' 5. owner attribute `owner` is a string: "u1"',
      ' 6. the principal is the owner: yes',
    ]);

    const big = await explain('principal: { id: u1, role: rep }\naction: edit\nresource: { kind: deal, owner: u1, stage: open, amount: 5000 }\n');
    expect(big.out.split('\n')[0]).toMatch(/^denied \(condition\): /);
    expect(steps(big.out).at(-1)).toBe(" 4. the grant's condition resource.amount < 1000.0: does not hold: denied");

    const text = await explain('principal: { id: u1, role: rep }\naction: edit\nresource: { kind: deal, owner: u1, stage: open, amount: "a lot" }\n');
    expect(steps(text.out).at(-1)).toMatch(/^ 4\. the grant's condition resource\.amount < 1000\.0: could not be evaluated \(.+\): denied$/);
  });

  it('R-K5 R-Z10 the trace agrees with the checker with a context, and a context that is not an object is a malformed request', async () => {
    const { compileSources } = await import('../compiler/index.ts');
    const { readFileSync } = await import('node:fs');
    const result = await compileSources('c', [{ path: 'policy.yaml', text: readFileSync(join(dir, 'policy.yaml'), 'utf8') }]);
    const checker = await checkerOf(result);
    for (const context of [undefined, {}, { now: new Date('2026-11-30T08:30:00Z') }, 'now', null]) {
      for (const stage of [undefined, 'won', 'open', 7]) {
        for (const action of ['view', 'edit']) {
          const resource = { kind: 'deal', owner: 'u1', amount: 5, ...(stage === undefined ? {} : { stage }) };
          const decision = checker.can({ id: 'u1', role: 'rep' }, action as never, resource as never, context as never);
          expect(traceDecision(result.model!, { id: 'u1', role: 'rep' }, action, resource, context).code, JSON.stringify({ context, stage, action })).toBe(decision.code);
        }
      }
    }
    expect(traceDecision(result.model!, { id: 'u1', role: 'rep' }, 'view', { kind: 'deal' }, 7).code).toBe('invalid-request');
  });
});

describe('policyc plan (issue 7)', () => {
  it('R-K5 R-K8 prints which leads a principal may edit: the filter, the reason, and with --columns the SQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policyc-plan-'));
    writeFileSync(join(dir, 'columns.yaml'), 'columns: { responsible: responsible_id, amount: amount, stage: stage, pipeline: pipeline }\n');
    const request = '{ principal: { id: u7, role: pipeline_rep }, action: edit, kind: lead }';
    const r = await run(['plan', 'policies/kommo-crm', '--request', '-', '--columns', join(dir, 'columns.yaml')], request);
    expect(r.code).toBe(0);
    // the reason names the stage and pipeline rules and the conditional grant, each at its line
    expect(r.out.split('\n')[0]).toMatch(/^filter: denied: role `pipeline_rep` denies `edit` on `lead` \(red\) when `resource\["pipeline"\] == "partners"` at roles\.yaml:\d+:\d+; .*filtered: role `pipeline_rep` grants `edit` on `lead` as own \(yellow\) when `resource\.amount < 10000\.0`/);
    expect(r.out).toContain('"op": "lt"');
    // the SQL names only mapped columns, and passes every value as a parameter
    expect(r.out).toMatch(/^WHERE .*"amount" < \$\d+.*$/m);
    expect(r.out).toContain('params: ["partners","won","lost",10000,"u7"]');
    const json = await run(['plan', 'policies/kommo-crm', '--request', '-', '--columns', join(dir, 'columns.yaml'), '--format', 'json'], request);
    const out = JSON.parse(json.out) as { plan: { result: string }; sql: { where: string; params: unknown[] } };
    expect(out.plan.result).toBe('filter');
    expect(out.sql.params).toContain('u7');
  });

  it('prints always and never without a filter, and exits 2 on a request without a kind', async () => {
    const always = await run(['plan', 'policies/kommo-crm', '--request', '-'], '{ principal: { id: a, role: administrator }, action: delete, kind: lead }');
    expect(always.out).toMatch(/^always: allowed: `administrator` is an administrator role at roles\.yaml:\d+:\d+\n$/);
    const never = await run(['plan', 'policies/kommo-crm', '--request', '-'], '{ principal: { id: a, role: analyst }, action: delete, kind: lead }');
    expect(never.out.trim().split('\n')).toHaveLength(1);
    expect(never.out).toMatch(/^never: denied/);
    const bad = await run(['plan', 'policies/kommo-crm', '--request', '-'], '{ principal: { id: a, role: analyst }, action: view }');
    expect(bad).toMatchObject({ code: 2, err: 'policyc: the request needs `principal`, `action` (a string) and `kind` (a string)\n' });
  });
});
