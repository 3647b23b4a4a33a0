import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../compiler/cli.ts';
import { checkSources } from '../compiler/index.ts';
import { diffMarkdown, diffModels, widens, type Change } from '../compiler/review/diff.ts';

const BASE = `resources:
  lead:
    actions: [view, delete]
    attributes: { owner: string, team: string, ownerRole: string }
    owner: owner
    team: team
    ownerRole: ownerRole
roles:
  manager:
    grants: { lead: { view: own, delete: red } }
  rep:
    grants: { lead: { view: own, delete: red } }
  senior:
    extends: rep
`;

function diff(before: string, after: string): Change[] {
  const model = (text: string) => checkSources('p', [{ path: 'policy.yaml', text }]).model!;
  return diffModels(model(before), model(after));
}

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd, color: false });
  return { code, out, err };
}

function folder(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-diff-'));
  writeFileSync(join(dir, 'policy.yaml'), text);
  return dir;
}

describe('semantic diff of effective permissions', () => {
  it('R-K3 R-K4 a changed grant shows on the role and on every role that inherits it, traced to the rule', () => {
    const changes = diff(BASE, BASE.replace('rep:\n    grants: { lead: { view: own, delete: red } }', 'rep:\n    grants: { lead: { view: own, delete: own } }'));
    expect(changes).toEqual([
      { kind: 'cell', role: 'rep', resource: 'lead', action: 'delete', before: 'deny', after: 'own', direction: 'widen', cause: 'own (yellow) at policy.yaml:12:42' },
      { kind: 'cell', role: 'senior', resource: 'lead', action: 'delete', before: 'deny', after: 'own', direction: 'widen', cause: 'own (yellow) at policy.yaml:12:42, inherited from `rep`' },
    ]);
  });

  it('R-Z5 R-Z6 R-Z7 R-K8 a new sharing rule and group show on the roles that receive them, traced to where they are written', () => {
    const after = `${BASE}groups:\n  east: { roles: [rep] }\nsharingRules:\n  reps_to_managers:\n    resource: lead\n    from: { group: east }\n    to: { role: manager }\n    access: read-only\n`;
    expect(diff(BASE, after)).toEqual([
      { kind: 'access', role: 'manager', gained: ['`lead` records of group `east` shared by `reps_to_managers` (read-only: `view`)'], lost: [], direction: 'widen', cause: 'sharing rule `reps_to_managers` at policy.yaml:18:3' },
      { kind: 'access', role: 'rep', gained: ['member of group `east` (blue grants reach its records)'], lost: [], direction: 'widen', cause: 'group `east` at policy.yaml:16:3' },
    ]);
    // read-only → read-write: the old way in is lost and the wider one gained
    const wider = diff(after, after.replace('access: read-only', 'access: read-write'));
    expect(wider).toMatchObject([{ kind: 'access', role: 'manager', direction: 'both', lost: [expect.stringContaining('read-only')], gained: [expect.stringContaining('read-write')] }]);
  });

  it('R-K9 R-Z5 org-wide defaults show as cell changes; subscribers as a change for every role', () => {
    const changes = diff(BASE, BASE.replace('    ownerRole: ownerRole\n', '    ownerRole: ownerRole\n    defaultAccess: public-read-only\n    subscribers: { attribute: followers }\n').replace('ownerRole: string }', "ownerRole: string, followers: 'string[]' }"));
    expect(changes.filter((c) => c.kind === 'cell').map((c) => `${c.role} ${c.action} ${c.direction}`)).toEqual(['manager view widen', 'rep view widen', 'senior view widen']);
    expect(changes.find((c) => c.kind === 'cell')).toMatchObject({ cause: expect.stringContaining('made green by the org-wide default at policy.yaml:8:20') });
    expect(changes.find((c) => c.role === '*')).toMatchObject({ kind: 'access', gained: ['subscribers of `lead` records may `view`'], direction: 'widen' });
  });

  it('R-Z1 R-Z3 a new reportsTo or sharesWithPeers changes whose records a role reaches', () => {
    const changes = diff(BASE, BASE.replace('  rep:\n', '  rep:\n    reportsTo: manager\n    sharesWithPeers: true\n'));
    expect(changes).toEqual([
      { kind: 'reach', role: 'manager', gained: ['rep'], lost: [], direction: 'widen', cause: '`reportsTo` changed for `rep`' },
      { kind: 'reach', role: 'rep', gained: ['rep'], lost: [], direction: 'widen', cause: '`sharesWithPeers` of `rep` changed' },
    ]);
  });

  it('R-K1 removing a role or narrowing a grant narrows; an administrator is wider than green', () => {
    const narrowed = diff(BASE, BASE.replace('  senior:\n    extends: rep\n', '').replace('manager:\n    grants: { lead: { view: own, delete: red } }', 'manager:\n    administrator: true'));
    expect(narrowed.map((c) => (c.kind === 'cell' ? [c.role, c.action, c.before, c.after, c.direction] : c))).toEqual([
      ['manager', 'view', 'own', 'admin', 'widen'],
      ['manager', 'delete', 'deny', 'admin', 'widen'],
      ['senior', 'view', 'own', 'deny', 'narrow'],
    ]);
    expect(narrowed[2]).toMatchObject({ cause: 'role `senior` removed' });
  });

  it('markdown groups by role, widening first, with colour squares; --fail-on widen exits 1 only when access widens', async () => {
    const before = folder(BASE);
    const widened = folder(BASE.replace('manager:\n    grants: { lead: { view: own, delete: red } }', 'manager:\n    grants: { lead: { view: green, delete: red } }').replace('rep:\n    grants: { lead: { view: own, delete: red } }', 'rep:\n    grants: { lead: { view: deny, delete: red } }'));
    const r = await run('/', 'diff', before, widened, '--fail-on', 'widen');
    expect(r.code).toBe(1);
    expect(r.err).toContain('this change widens access');
    expect(r.out).toContain('3 changes: **1 widens access**, 2 narrow it.');
    expect(r.out).toContain('#### `manager`\n\n- ⬆️ 🟨 → 🟩 `lead` · `view`: yellow → green — all (green) at policy.yaml:10:29');
    expect(r.out).toContain('- ⬇️ 🟨 → 🟥 `lead` · `view`: yellow → red');
    const narrowOnly = await run('/', 'diff', before, folder(BASE.replace('view: own, delete: red } }\n  senior', 'view: deny, delete: red } }\n  senior')), '--fail-on', 'widen');
    expect(narrowOnly.code).toBe(0);
    expect(narrowOnly.out).toContain('**0 widen access**');
    const same = await run('/', 'diff', before, folder(BASE), '--fail-on', 'widen', '--format', 'json');
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out)).toEqual({ changes: [] });
  });

  it('reads two git revisions of one folder, or a revision against the working tree', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'policyc-git-'));
    const dir = join(repo, 'policies');
    mkdirSync(dir);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'pipe' });
    git('init', '-q');
    writeFileSync(join(dir, 'policy.yaml'), BASE);
    git('add', '.');
    git('commit', '-qm', 'base');
    writeFileSync(join(dir, 'policy.yaml'), BASE.replace('view: own, delete: red } }\n  rep', 'view: team, delete: red } }\n  rep'));
    const worktree = await run(repo, 'diff', 'policies', '--from', 'HEAD', '--format', 'json');
    expect(worktree.code).toBe(0);
    expect((JSON.parse(worktree.out) as { changes: Change[] }).changes).toMatchObject([{ role: 'manager', action: 'view', before: 'own', after: 'team' }]);
    git('commit', '-qam', 'widen');
    const revisions = await run(repo, 'diff', 'policies', '--from', 'HEAD~1', '--to', 'HEAD');
    expect(revisions.out).toContain('### Permission changes: HEAD~1 → HEAD');
    expect(revisions.out).toContain('🟨 → 🟦 `lead` · `view`');
    const bad = await run(repo, 'diff', 'policies', '--from', 'no-such-rev');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^policyc: git: /);
  });

  it('a side with policy errors is reported and nothing is compared', async () => {
    const r = await run('/', 'diff', folder(BASE), folder(BASE.replace('extends: rep', 'extends: repp')));
    expect(r.code).toBe(1);
    expect(r.err).toContain('PC3001: unknown role `repp`');
    expect(r.out).toBe('');
  });
});

describe('semantic diff of field-level security', () => {
  const FIELDS = BASE.replace('attributes: { owner: string, team: string, ownerRole: string }', 'attributes: { owner: string, team: string, ownerRole: string, bankAccount: string }');

  it('R-Z9 a new field rule shows per role, on the roles that inherit it too, traced to its line', () => {
    const after = FIELDS.replace('  senior:\n', '    fields:\n      lead: { bankAccount: hidden }\n  senior:\n');
    const changes = diff(FIELDS, after);
    expect(changes).toEqual([
      { kind: 'field', role: 'rep', resource: 'lead', field: 'bankAccount', before: 'read-write', after: 'hidden', direction: 'narrow', cause: 'hidden at policy.yaml:14:28' },
      { kind: 'field', role: 'senior', resource: 'lead', field: 'bankAccount', before: 'read-write', after: 'hidden', direction: 'narrow', cause: 'hidden at policy.yaml:14:28, inherited from `rep`' },
    ]);
    const md = diffMarkdown(changes, 'changes');
    expect(md).toContain('- ⬇️ field `lead.bankAccount`: read-write → hidden — hidden at policy.yaml:14:28');
    expect(md).toContain('#### `senior`');
  });

  it('R-K6 widening a field (a removed rule, or a new fieldDefault) is a widening, so --fail-on widen catches it', () => {
    const hidden = FIELDS.replace('  senior:\n', '    fields:\n      lead: { bankAccount: hidden }\n  senior:\n');
    const readOnly = hidden.replace('bankAccount: hidden', 'bankAccount: read-only');
    const changes = diff(hidden, readOnly);
    expect(changes.map((c) => [c.role, c.direction])).toEqual([['rep', 'widen'], ['senior', 'widen']]);
    expect(widens(changes)).toBe(true);
    const byDefault = diff(FIELDS, FIELDS.replace('    ownerRole: ownerRole\n', '    ownerRole: ownerRole\n    fieldDefault: read-only\n'));
    expect(byDefault.filter((c) => c.role === 'manager')).toEqual(
      ['owner', 'team', 'ownerRole', 'bankAccount'].map((field) => ({
        kind: 'field', role: 'manager', resource: 'lead', field, before: 'read-write', after: 'read-only', direction: 'narrow', cause: 'no field rule: `fieldDefault: read-only` of `lead` at policy.yaml:8:19',
      })),
    );
  });
});

describe('semantic diff of conditional rules', () => {
  const COND = `resources:
  lead:
    actions: [view, edit, delete]
    attributes: { owner: string, stage: string, pipeline: string, amount: number }
    owner: owner
    stage: stage
    pipeline: pipeline
roles:
  sales_rep:
    grants: { lead: { view: all, edit: { level: own, when: 'resource.amount < 1000.0' }, delete: own } }
    stages: { lead: { won: { edit: red, delete: red } } }
    pipelines: { lead: { partners: deny } }
  senior:
    extends: sales_rep
`;

  it('R-K5 a changed stage override is a change of the cell in that stage, traced to its line, on inheriting roles too', () => {
    const changes = diff(COND, COND.replace('won: { edit: red, delete: red }', 'won: { edit: green, delete: red }'));
    expect(changes).toEqual([
      { kind: 'cell', role: 'sales_rep', resource: 'lead', action: 'edit', condition: 'stage `won`', before: 'deny', after: 'all', direction: 'widen', cause: 'all (green) at policy.yaml:11:36' },
      // stages and pipelines are inherited through `extends` as grants are
      { kind: 'cell', role: 'senior', resource: 'lead', action: 'edit', condition: 'stage `won`', before: 'deny', after: 'all', direction: 'widen', cause: 'all (green) at policy.yaml:11:36, inherited from `sales_rep`' },
    ]);
    const md = diffMarkdown(diff(COND, COND.replace('won: { edit: red, delete: red }', 'won: { edit: red, delete: red, view: red }')), 'changes');
    expect(md).toContain('- ⬇️ 🟩 → 🟥 `lead` · `view` [stage `won`]: green → red — deny (red) at policy.yaml:11:60');
  });

  it('R-K5 added and removed stages and pipelines compare with the grant they override', () => {
    const added = diff(COND, COND.replace("partners: deny }", "partners: deny, vip: green }"));
    // `senior` inherits the new pipeline rule with its other rules
    expect(added.map((c) => (c.kind === 'cell' ? [c.role, c.action, c.condition, c.before, c.after, c.direction, c.beforeWhen] : c))).toEqual([
      ['sales_rep', 'edit', 'pipeline `vip`', 'own', 'all', 'widen', '`resource.amount < 1000.0`'],
      ['sales_rep', 'delete', 'pipeline `vip`', 'own', 'all', 'widen', undefined],
      ['senior', 'edit', 'pipeline `vip`', 'own', 'all', 'widen', '`resource.amount < 1000.0`'],
      ['senior', 'delete', 'pipeline `vip`', 'own', 'all', 'widen', undefined],
    ]);
    const removed = diff(COND, COND.replace("    pipelines: { lead: { partners: deny } }\n", ''));
    expect(removed.filter((c) => c.role === 'senior').map((c) => c.kind === 'cell' && [c.action, c.direction, c.cause.endsWith(', inherited from `sales_rep`')])).toEqual([
      ['view', 'widen', true],
      ['edit', 'widen', true],
      ['delete', 'widen', true],
    ]);
    expect(removed.filter((c) => c.role === 'sales_rep')).toEqual([
      { kind: 'cell', role: 'sales_rep', resource: 'lead', action: 'view', condition: 'pipeline `partners`', before: 'deny', after: 'all', direction: 'widen', cause: 'the override at policy.yaml:12:36 was removed; now all (green) at policy.yaml:10:29' },
      { kind: 'cell', role: 'sales_rep', resource: 'lead', action: 'edit', condition: 'pipeline `partners`', before: 'deny', after: 'own', direction: 'widen', cause: 'the override at policy.yaml:12:36 was removed; now own (yellow) at policy.yaml:10:49', afterWhen: '`resource.amount < 1000.0`' },
      { kind: 'cell', role: 'sales_rep', resource: 'lead', action: 'delete', condition: 'pipeline `partners`', before: 'deny', after: 'own', direction: 'widen', cause: 'the override at policy.yaml:12:36 was removed; now own (yellow) at policy.yaml:10:98' },
    ]);
    // an administrator has no overrides: the stage's red becomes administrator
    const admin = diff(COND, COND.replace('  sales_rep:\n', '  sales_rep:\n    administrator: true\n').replace('  senior:\n    extends: sales_rep\n', ''));
    expect(admin.filter((c) => c.kind === 'cell' && c.condition === 'stage `won`').map((c) => c.kind === 'cell' && [c.action, c.before, c.after, c.direction])).toEqual([
      ['edit', 'deny', 'admin', 'widen'],
      ['delete', 'deny', 'admin', 'widen'],
    ]);
    // an override with the level the grant already gives changes nothing
    const green = COND.replace("edit: { level: own, when: 'resource.amount < 1000.0' }", 'edit: all').replace('delete: own }', 'delete: all }');
    expect(diff(green, green.replace('partners: deny }', 'partners: deny, vip: green }'))).toEqual([]);
  });

  it('a removed `when:` widens an allowing grant, an added one narrows it, a rewritten one may do both; on a red grant it changes nothing', () => {
    const removed = diff(COND, COND.replace("edit: { level: own, when: 'resource.amount < 1000.0' }", 'edit: own'));
    expect(removed).toEqual([
      { kind: 'cell', role: 'sales_rep', resource: 'lead', action: 'edit', before: 'own', after: 'own', direction: 'widen', cause: 'own (yellow) at policy.yaml:10:40', beforeWhen: '`resource.amount < 1000.0`' },
      { kind: 'cell', role: 'senior', resource: 'lead', action: 'edit', before: 'own', after: 'own', direction: 'widen', cause: 'own (yellow) at policy.yaml:10:40, inherited from `sales_rep`', beforeWhen: '`resource.amount < 1000.0`' },
    ]);
    expect(widens(removed)).toBe(true);
    const added = diff(COND, COND.replace('view: all,', "view: { level: all, when: 'resource.amount > 0.0' },"));
    expect(added.map((c) => [c.role, c.direction, c.kind === 'cell' && c.afterWhen])).toEqual([['sales_rep', 'narrow', '`resource.amount > 0.0`'], ['senior', 'narrow', '`resource.amount > 0.0`']]);
    expect(widens(added)).toBe(false);
    const rewritten = diff(COND, COND.replace('resource.amount < 1000.0', 'resource.amount < 500.0 || resource.stage == "new"'));
    expect(rewritten.map((c) => c.direction)).toEqual(['both', 'both']);
    expect(widens(rewritten)).toBe(true);
    // a wider level under a new condition: unclear, so both; a wider level with the condition dropped: widen
    expect(diff(COND, COND.replace('delete: own }', "delete: { level: all, when: 'resource.amount > 0.0' } }")).map((c) => c.direction)).toEqual(['both', 'both']);
    expect(diff(COND, COND.replace("edit: { level: own, when: 'resource.amount < 1000.0' }", 'edit: all')).map((c) => c.direction)).toEqual(['widen', 'widen']);
    const red = COND.replace('delete: own }', 'delete: red }');
    expect(diff(red, red.replace('delete: red }', "delete: { level: red, when: 'resource.amount > 0.0' } }"))).toEqual([]);
  });

  it('markdown shows conditions beside the levels; --fail-on widen counts conditional changes', async () => {
    const before = folder(COND);
    const r = await run('/', 'diff', before, folder(COND.replace("edit: { level: own, when: 'resource.amount < 1000.0' }", 'edit: own').replace("partners: deny }", 'partners: red, vip: red }')), '--fail-on', 'widen');
    expect(r.code).toBe(1);
    expect(r.out).toContain('- ⬆️ 🟨 → 🟨 `lead` · `edit`: yellow when `resource.amount < 1000.0` → yellow — own (yellow) at policy.yaml:10:40');
    expect(r.out).toContain('- ⬇️ 🟩 → 🟥 `lead` · `view` [pipeline `vip`]: green → red — deny (red) at policy.yaml:12:46');
    expect(r.out).toContain('- ⬇️ 🟨 → 🟥 `lead` · `edit` [pipeline `vip`]: yellow when `resource.amount < 1000.0` → red');
    const narrowOnly = await run('/', 'diff', before, folder(COND.replace('won: { edit: red, delete: red }', 'won: { edit: red, delete: red, view: red }')), '--fail-on', 'widen', '--format', 'json');
    expect(narrowOnly.code).toBe(0);
    expect(JSON.parse(narrowOnly.out)).toEqual({
      changes: [
        { kind: 'cell', role: 'sales_rep', resource: 'lead', action: 'view', condition: 'stage `won`', before: 'all', after: 'deny', direction: 'narrow', cause: 'deny (red) at policy.yaml:11:60' },
        { kind: 'cell', role: 'senior', resource: 'lead', action: 'view', condition: 'stage `won`', before: 'all', after: 'deny', direction: 'narrow', cause: 'deny (red) at policy.yaml:11:60, inherited from `sales_rep`' },
      ],
    });
    const both = await run('/', 'diff', before, folder(COND.replace('resource.amount < 1000.0', 'resource.amount < 500.0 || resource.stage == "new"')));
    expect(both.out).toContain('- ↕️ 🟨 → 🟨 `lead` · `edit`: yellow when `resource.amount < 1000.0` → yellow when `resource.amount < 500.0 || resource.stage == "new"`');
    expect(both.out).toContain('2 changes: **2 widen access**, 0 narrow it.');
  });

  it('R-Z10 duringShift reads as words; new shift hours are a change of both directions, said to come from the shifts', () => {
    const SHIFTS = COND.replace('roles:\n', "shifts:\n  office: { days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00', timeZone: Europe/Warsaw }\nroles:\n").replace('  sales_rep:\n', '  sales_rep:\n    shift: office\n');
    const added = diff(SHIFTS, SHIFTS.replace('delete: own }', 'delete: { level: own, duringShift: true } }'));
    expect(added).toMatchObject([
      { role: 'sales_rep', action: 'delete', direction: 'narrow', afterWhen: "during the user's shift (`office` unless the user has another)" },
      // `senior` has no shift of its own: outside a user's own shift the condition is not met
      { role: 'senior', action: 'delete', direction: 'narrow', afterWhen: "during the user's shift (none unless the user has one)" },
    ]);
    const during = SHIFTS.replace('delete: own }', "delete: { level: own, duringShift: true, when: 'resource.amount > 0.0' } }");
    expect(diffMarkdown(diff(SHIFTS, during), 'changes')).toContain("- ⬇️ 🟨 → 🟨 `lead` · `delete`: yellow → yellow when `resource.amount > 0.0` during the user's shift (`office` unless the user has another) — own (yellow) at policy.yaml:");
    const later = diff(during, during.replace("start: '09:00'", "start: '08:00'"));
    expect(later.map((c) => [c.role, c.direction, c.cause])).toEqual([
      ['sales_rep', 'both', expect.stringMatching(/^the shifts \(R-Z10\) changed; own \(yellow\) at policy\.yaml:\d+:\d+$/)],
      ['senior', 'both', expect.stringMatching(/^the shifts \(R-Z10\) changed; own \(yellow\) at policy\.yaml:\d+:\d+, inherited from `sales_rep`$/)],
    ]);
  });
});
