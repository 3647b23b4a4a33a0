/**
 * R-Z12 role lifecycle refactors: `renameRole`, `deleteRole` and `applyRefactor`
 * (compiler/refactor/roles.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../compiler/cli.ts';
import { checkDir } from '../compiler/index.ts';
import { listPolicyFiles } from '../compiler/load/load.ts';
import { applyRefactor, deleteRole, renameRole, type RefactorResult } from '../compiler/refactor/roles.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

const ROLES = `# yaml-language-server: $schema=../../schemas/policy.schema.json
# The org chart.

roles:
  admin:
    administrator: true

  ceo:                                 # top of the tree
    grants:
      lead: own

  # Managers report to the CEO.
  manager:
    description: Sales manager
    reportsTo: ceo                     # R-Z1
    grants:
      lead: { view: own, edit: own }

  rep:
    reportsTo: manager                 # below the manager
    sharesWithPeers: true
    extends: base
    grants:
      lead: [create]

  senior_rep:
    reportsTo: 'manager'
    extends: [base, manager]           # list form
`;

const MORE = `resources:
  lead:
    actions: [create, view, edit]
    attributes: { owner: string, holderRole: string }
    owner: owner
    ownerRole: holderRole
  note:
    actions: [view]
    attributes: { owner: string, role: string }
    owner: owner

roles:
  base:
    grants:
      lead: { view: own }
  trainee:
    reportsTo: rep
    extends:
      - base
      - rep
`;

const TESTS = `name: org
principals:
  boss: { id: c1, role: ceo }
  mgr: { id: m1, role: manager }       # a manager
  rep:
    id: r1
    role: rep
resources:
  manager_lead: { kind: lead, owner: m2, holderRole: manager }
  rep_lead: { kind: lead, owner: r2, holderRole: "rep" }
  manager_note: { kind: note, owner: m2, role: manager }   # not an ownerRole: left alone
  odd_note: { kind: note, owner: m2, holderRole: manager } # notes declare no ownerRole
tests:
  - name: the CEO reaches the manager's leads
    principal: boss
    resource: manager_lead
    expect: { view: hierarchy }
  - name: a manager reaches the reps' leads
    principal: { id: m3, role: manager }
    resource: { kind: lead, owner: r2, holderRole: rep }
    expect: { view: hierarchy }
`;

const ORG = { 'roles.yaml': ROLES, 'more.yaml': MORE, 'org_test.yaml': TESTS };

function folder(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-refactor-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Every file of a folder (temporaries included), by relative path. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string, prefix: string) => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(at, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(at, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

const after = (result: RefactorResult, path: string) => result.files.find((f) => f.path === path)?.after;
const roleOf = (dir: string, name: string) => checkDir(dir).model!.roles.find((r) => r.name === name);

async function policycTest(dir: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['test', dir], { out: (t) => (out += t), err: (t) => (err += t), cwd: root, color: false });
  return { code, out, err };
}

describe('R-Z12 rename-role', () => {
  it('R-Z12 renames across files and keeps comments and formatting byte-for-byte except the renamed tokens', () => {
    const dir = folder(ORG);
    const r = renameRole(dir, 'manager', 'sales_manager');
    expect(r.message).toBe('renamed role `manager` to `sales_manager` and 6 references');
    expect(r.ok).toBe(true);
    expect(r.files.map((f) => f.path).sort()).toEqual(['org_test.yaml', 'roles.yaml']);
    expect(after(r, 'roles.yaml')).toBe(`# yaml-language-server: $schema=../../schemas/policy.schema.json
# The org chart.

roles:
  admin:
    administrator: true

  ceo:                                 # top of the tree
    grants:
      lead: own

  # Managers report to the CEO.
  sales_manager:
    description: Sales manager
    reportsTo: ceo                     # R-Z1
    grants:
      lead: { view: own, edit: own }

  rep:
    reportsTo: sales_manager                 # below the manager
    sharesWithPeers: true
    extends: base
    grants:
      lead: [create]

  senior_rep:
    reportsTo: 'sales_manager'
    extends: [base, sales_manager]           # list form
`);
    expect(after(r, 'org_test.yaml')).toBe(`name: org
principals:
  boss: { id: c1, role: ceo }
  mgr: { id: m1, role: sales_manager }       # a manager
  rep:
    id: r1
    role: rep
resources:
  manager_lead: { kind: lead, owner: m2, holderRole: sales_manager }
  rep_lead: { kind: lead, owner: r2, holderRole: "rep" }
  manager_note: { kind: note, owner: m2, role: manager }   # not an ownerRole: left alone
  odd_note: { kind: note, owner: m2, holderRole: manager } # notes declare no ownerRole
tests:
  - name: the CEO reaches the manager's leads
    principal: boss
    resource: manager_lead
    expect: { view: hierarchy }
  - name: a manager reaches the reps' leads
    principal: { id: m3, role: sales_manager }
    resource: { kind: lead, owner: r2, holderRole: rep }
    expect: { view: hierarchy }
`);
    for (const f of r.files) expect(f.before).toBe(ORG[f.path as keyof typeof ORG]);
  });

  it('R-Z12 updates reportsTo, extends (string, flow and block lists), test principals and ownerRole values', () => {
    const dir = folder(ORG);
    const rep = renameRole(dir, 'rep', 'account_rep');
    expect(rep.ok).toBe(true);
    expect(after(rep, 'more.yaml')).toBe(MORE.replace('  trainee:\n    reportsTo: rep', '  trainee:\n    reportsTo: account_rep').replace('      - rep\n', '      - account_rep\n'));
    expect(after(rep, 'roles.yaml')).toBe(ROLES.replace('\n  rep:\n', '\n  account_rep:\n'));
    expect(after(rep, 'org_test.yaml')).toBe(
      TESTS.replace('    role: rep\n', '    role: account_rep\n').replace('holderRole: "rep"', 'holderRole: "account_rep"').replace('holderRole: rep }', 'holderRole: account_rep }'),
    );
    applyRefactor(dir, rep);
    expect(roleOf(dir, 'trainee')).toMatchObject({ reportsTo: 'account_rep', extends: ['base', 'account_rep'] });

    const base = renameRole(dir, 'base', 'core');
    expect(base.ok).toBe(true);
    applyRefactor(dir, base);
    expect(roleOf(dir, 'account_rep')).toMatchObject({ extends: ['core'], reportsTo: 'manager' });
    expect(roleOf(dir, 'senior_rep')).toMatchObject({ extends: ['core', 'manager'] });
    expect(roleOf(dir, 'trainee')).toMatchObject({ extends: ['core', 'account_rep'] });
    expect(readFileSync(join(dir, 'roles.yaml'), 'utf8')).toContain('    extends: [core, manager]           # list form\n');
    expect(readFileSync(join(dir, 'roles.yaml'), 'utf8')).toContain('    extends: core\n');
  });

  it('R-Z12 R-Z5 R-Z7 renaming a role updates every sharing rule and group that refers to it', () => {
    const SHARING = `groups:
  reps:
    roles: [rep, trainee]              # by role
    rolesAndSubordinates:
      - manager
sharingRules:
  reps_to_ceo:
    resource: lead
    from: { roleAndSubordinates: rep }
    to:
      role: ceo
    access: read-only
`;
    const dir = folder({ ...ORG, 'sharing.yaml': SHARING });
    const rep = renameRole(dir, 'rep', 'account_rep');
    expect(rep.ok).toBe(true);
    expect(after(rep, 'sharing.yaml')).toBe(SHARING.replace('[rep, trainee]', '[account_rep, trainee]').replace('roleAndSubordinates: rep }', 'roleAndSubordinates: account_rep }'));
    applyRefactor(dir, rep);
    const ceo = renameRole(dir, 'ceo', 'chief');
    const manager = (applyRefactor(dir, ceo), renameRole(dir, 'manager', 'lead_manager'));
    expect(after(manager, 'sharing.yaml')).toContain('      - lead_manager\n');
    applyRefactor(dir, manager);
    const model = checkDir(dir).model!;
    expect(model.sharingRules[0]).toMatchObject({ from: { name: 'account_rep' }, to: { name: 'chief' } });
    expect(model.groups[0]!.roles).toContain('lead_manager');
  });

  it('R-Z12 a new name that needs quotes is quoted; a case-only rename is allowed', () => {
    const dir = folder(ORG);
    const r = renameRole(dir, 'rep', 'rep: north');
    expect(r.ok).toBe(true);
    expect(after(r, 'roles.yaml')).toContain("\n  'rep: north':\n");
    expect(after(r, 'more.yaml')).toContain("    reportsTo: 'rep: north'\n");
    expect(after(r, 'org_test.yaml')).toContain('holderRole: "rep: north"');
    expect(renameRole(dir, 'rep', 'Rep')).toMatchObject({ ok: true });
  });

  it('R-Z12 refuses a new name already used, compared case-insensitively', () => {
    const dir = folder(ORG);
    const same = renameRole(dir, 'rep', 'base');
    expect(same).toMatchObject({ ok: false, files: [] });
    expect(same.message).toBe('role `base` already exists; pick another name, or delete it first (`policyc delete-role`)');
    expect(same.diagnostics[0]).toMatchObject({ code: 'PC3004', file: 'more.yaml' });
    const cased = renameRole(dir, 'rep', 'Senior_Rep');
    expect(cased).toMatchObject({ ok: false, files: [] });
    expect(cased.message).toBe('`Senior_Rep` clashes with role `senior_rep`: role names are compared case-insensitively');
  });

  it('R-Z12 refuses an unknown role (did you mean) and identical names', () => {
    const dir = folder(ORG);
    expect(renameRole(dir, 'Manager', 'boss')).toMatchObject({
      ok: false,
      message: 'role `Manager` is not a role of this policy set; did you mean `manager`?',
    });
    expect(renameRole(dir, 'nobody', 'boss').message).toBe('role `nobody` is not a role of this policy set');
    expect(renameRole(dir, 'rep', 'rep')).toMatchObject({ ok: false, message: 'the old and new names are the same (`rep`); nothing to rename' });
  });

  it('R-Z12 refuses when the result would not compile, with the would-be diagnostics', () => {
    const dir = folder(ORG);
    const r = renameRole(dir, 'rep', 'x'.repeat(201));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^refused: the result would not compile \(\d+ errors?\); nothing was changed/);
    expect(r.diagnostics.some((d) => d.severity === 'error' && d.file === 'roles.yaml')).toBe(true);
    expect(r.sources.get('roles.yaml')).toContain('x'.repeat(201));
    expect(() => applyRefactor(dir, r)).toThrow(/refusing to write/);
    expect(snapshot(dir)).toEqual(ORG);
  });

  it('R-Z12 refuses a policy set that has errors today', () => {
    const dir = folder({ ...ORG, 'more.yaml': MORE.replace('reportsTo: rep', 'reportsTo: nobody') });
    const r = renameRole(dir, 'rep', 'account_rep');
    expect(r).toMatchObject({ ok: false, files: [], message: 'the policy set has errors today; fix them first (nothing was changed)' });
    expect(r.diagnostics[0]).toMatchObject({ code: 'PC3001' });
  });
});

describe('R-Z12 delete-role', () => {
  it('R-Z12 moves sub-roles, extends entries, test principals and ownerRole values to the target and removes the role', () => {
    const dir = folder(ORG);
    const r = deleteRole(dir, 'manager', 'ceo');
    expect(r.ok).toBe(true);
    expect(r.message).toBe('deleted role `manager`; moved 6 references to `ceo`');
    expect(after(r, 'roles.yaml')).toBe(`# yaml-language-server: $schema=../../schemas/policy.schema.json
# The org chart.

roles:
  admin:
    administrator: true

  ceo:                                 # top of the tree
    grants:
      lead: own

  rep:
    reportsTo: ceo                 # below the manager
    sharesWithPeers: true
    extends: base
    grants:
      lead: [create]

  senior_rep:
    reportsTo: 'ceo'
    extends: [base, ceo]           # list form
`);
    expect(after(r, 'org_test.yaml')).toBe(
      TESTS.replace('role: manager }       # a manager', 'role: ceo }       # a manager')
        .replace('holderRole: manager }\n  rep_lead', 'holderRole: ceo }\n  rep_lead')
        .replace('{ id: m3, role: manager }', '{ id: m3, role: ceo }'),
    );
    expect(after(r, 'more.yaml')).toBeUndefined();
    applyRefactor(dir, r);
    const model = checkDir(dir).model!;
    expect(model.roles.map((x) => x.name)).not.toContain('manager');
    expect(model.roles.find((x) => x.name === 'ceo')!.subordinates).toEqual(['rep', 'senior_rep', 'trainee']);
  });

  it('R-Z12 an extends entry naming the deleted role is dropped when the list already names the target', () => {
    const dir = folder(ORG);
    const r = deleteRole(dir, 'rep', 'base');
    expect(r.ok).toBe(true);
    expect(after(r, 'more.yaml')).toBe(MORE.replace('reportsTo: rep', 'reportsTo: base').replace('      - rep\n', ''));
    expect(after(r, 'roles.yaml')).toBe(ROLES.replace(/\n {2}rep:\n[\s\S]*?\n\n/, '\n'));
    const flow = deleteRole(dir, 'manager', 'base');
    expect(flow.ok).toBe(true);
    expect(after(flow, 'roles.yaml')).toContain('    reportsTo: base                 # below the manager\n');
    expect(after(flow, 'roles.yaml')).toContain("    reportsTo: 'base'\n    extends: [base]           # list form\n");
  });

  it('R-Z12 deleting the last role of a file removes its roles section; a flow-style roles map falls back to the Document API', () => {
    const dir = folder({ ...ORG, 'extra.yaml': '# extra roles\n\nroles:\n  intern:            # a lone role\n    reportsTo: rep\n' });
    const r = deleteRole(dir, 'intern', 'trainee');
    expect(r.ok).toBe(true);
    expect(after(r, 'extra.yaml')).toBe('# extra roles\n\n');
    const flowDir = folder({ ...ORG, 'extra.yaml': 'roles: { intern: { reportsTo: rep }, temp: { reportsTo: intern } }\n' });
    const f = deleteRole(flowDir, 'intern', 'rep');
    expect(f.ok).toBe(true);
    expect(checkDir(flowDir).model).toBeDefined();
    applyRefactor(flowDir, f);
    expect(roleOf(flowDir, 'temp')).toMatchObject({ reportsTo: 'rep' });
    expect(roleOf(flowDir, 'intern')).toBeUndefined();
  });

  it('R-Z12 refuses without a target, with an unknown role or target, and with the role itself', () => {
    const dir = folder(ORG);
    for (const none of [undefined, '']) {
      expect(deleteRole(dir, 'rep', none)).toMatchObject({
        ok: false,
        files: [],
        message: 'deleting role `rep` needs a role to transfer its sub-roles, users and references to (`--transfer-to <role>`)',
      });
    }
    expect(deleteRole(dir, 'reps', 'base').message).toBe('role `reps` is not a role of this policy set; did you mean `rep`?');
    expect(deleteRole(dir, 'rep', 'Base').message).toBe('target role `Base` is not a role of this policy set; did you mean `base`?');
    expect(deleteRole(dir, 'rep', 'rep').message).toBe('cannot transfer role `rep` to itself; pick another target role');
  });

  it('R-Z12 refuses a target below the deleted role (a cycle) or one that extends it', () => {
    const dir = folder(ORG);
    const below = deleteRole(dir, 'manager', 'trainee');
    expect(below).toMatchObject({ ok: false, files: [] });
    expect(below.message).toBe(
      'target `trainee` is below `manager` (reportsTo `trainee` → `rep` → `manager`): `manager`\'s sub-roles would report to a role below themselves, a cycle; ' +
        'pick a target that is not below `manager`, or move `trainee` elsewhere first',
    );
    expect(deleteRole(dir, 'manager', 'rep').message).toMatch(/^target `rep` is below `manager` \(reportsTo `rep` → `manager`\)/);
    expect(deleteRole(dir, 'ceo', 'trainee').ok).toBe(false);
    expect(deleteRole(dir, 'base', 'rep').message).toBe(
      "target `rep` extends `base`: moving `base`'s references to it would make it extend itself; remove `base` from `rep`'s `extends` first, or pick another target",
    );
  });

  it('R-Z12 refuses when the result would not compile (an inheritance cycle through another role)', () => {
    const dir = folder({ 'roles.yaml': 'roles:\n  a: {}\n  b:\n    extends: a\n  c:\n    extends: b\n' });
    const r = deleteRole(dir, 'a', 'c');
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^refused: the result would not compile/);
    expect(r.diagnostics.map((d) => d.code)).toContain('PC3006');
    expect(after(r, 'roles.yaml')).toBe('roles:\n  b:\n    extends: c\n  c:\n    extends: b\n');
  });
});

describe('R-Z12 writing', () => {
  it('R-Z12 nothing is written when a refactor is refused or not applied', () => {
    const dir = folder(ORG);
    renameRole(dir, 'rep', 'base');
    renameRole(dir, 'manager', 'sales_manager'); // accepted, but not applied
    deleteRole(dir, 'manager', undefined);
    deleteRole(dir, 'manager', 'ceo');
    expect(snapshot(dir)).toEqual(ORG);
    expect(() => applyRefactor(dir, deleteRole(dir, 'manager', 'rep'))).toThrow(/refusing to write/);
    expect(snapshot(dir)).toEqual(ORG);
  });

  it('R-Z12 applyRefactor writes every changed file, and leaves no temporary file', () => {
    const dir = folder(ORG);
    const r = renameRole(dir, 'manager', 'sales_manager');
    expect(applyRefactor(dir, r).sort()).toEqual(['org_test.yaml', 'roles.yaml']);
    expect(snapshot(dir)).toEqual({ ...ORG, 'roles.yaml': after(r, 'roles.yaml'), 'org_test.yaml': after(r, 'org_test.yaml') });
  });

  it('R-Z12 applyRefactor writes nothing when a file changed on disk since the refactor was computed', () => {
    const dir = folder(ORG);
    const r = renameRole(dir, 'manager', 'sales_manager');
    expect(r.files.map((f) => f.path)).toEqual(['roles.yaml', 'org_test.yaml']);
    writeFileSync(join(dir, 'org_test.yaml'), TESTS + '\n'); // the last file changes
    expect(() => applyRefactor(dir, r)).toThrow(/`org_test.yaml` changed since the refactor was computed; nothing was written/);
    expect(snapshot(dir)).toEqual({ ...ORG, 'org_test.yaml': TESTS + '\n' });
  });

  it.runIf(existsSync('/proc/version'))('R-Z12 applyRefactor writes all or nothing: when one file cannot be written, none is', () => {
    const dir = folder(ORG);
    const r = renameRole(dir, 'manager', 'sales_manager');
    // a last file in a folder nobody may write to (readable, so it passes the freshness check)
    const proc = relative(dir, '/proc/version');
    const broken: RefactorResult = { ...r, files: [...r.files, { path: proc, before: readFileSync('/proc/version', 'utf8'), after: 'x' }] };
    expect(() => applyRefactor(dir, broken)).toThrow(/cannot write the new files: .*; nothing was changed/);
    expect(snapshot(dir)).toEqual(ORG);
  });
});

describe('R-Z12 the example policy sets survive a rename round trip', () => {
  const cases = [
    ['kommo-crm', 'sales_rep', 'account_rep'],
    ['zoho-hierarchy', 'sales_rep', 'sales_associate'],
    ['gtg-marketing', 'marketing_staff', 'marketing_team'],
  ] as const;
  for (const [set, from, to] of cases) {
    it(`R-Z12 ${set}: rename ${from} → ${to} compiles and passes its tests; renaming back restores every file`, async () => {
      const source = join(root, 'policies', set);
      const files = Object.fromEntries(
        [...listPolicyFiles(source), ...listPolicyFiles(source, (n) => /_test\.ya?ml$/.test(n))].map((p) => [p, readFileSync(join(source, p), 'utf8')]),
      );
      const dir = folder(files);
      const forward = renameRole(dir, from, to);
      expect(forward.ok, forward.message).toBe(true);
      expect(forward.files.length).toBeGreaterThan(1);
      applyRefactor(dir, forward);
      const roles = checkDir(dir).model!.roles;
      expect(roles.map((r) => r.name)).toContain(to);
      expect(roles.map((r) => r.name)).not.toContain(from);
      expect(roles.some((r) => r.extends.includes(from) || r.reportsTo === from)).toBe(false);
      const run = await policycTest(dir);
      expect(run.err).toBe('');
      expect(run.out.trim().split('\n').at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
      expect(run.code).toBe(0);

      const back = renameRole(dir, to, from);
      expect(back.ok, back.message).toBe(true);
      applyRefactor(dir, back);
      expect(snapshot(dir)).toEqual(files);
      expect(existsSync(join(dir, 'generated'))).toBe(false);
    });
  }
});

describe('R-Z12 rename-role and delete-role commands', () => {
  it('rewrite the files on success, and write nothing with exit 1 when refused', async () => {
    const { main } = await import('../compiler/cli.ts');
    const { cpSync, mkdtempSync: temp, readFileSync: read } = await import('node:fs');
    const { tmpdir: tmp } = await import('node:os');
    const { join: joinPath, dirname } = await import('node:path');
    const { fileURLToPath: toPath } = await import('node:url');
    const dir = temp(joinPath(tmp(), 'policyc-rr-'));
    cpSync(joinPath(dirname(toPath(import.meta.url)), '..', 'policies', 'zoho-hierarchy'), dir, { recursive: true });
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), cwd: dir, color: false };
    const before = read(joinPath(dir, 'roles.yaml'), 'utf8');
    expect(await main(['delete-role', '.', 'sales_manager', '--transfer-to', 'sales_rep'], io)).toBe(1);
    expect(err).toContain('is below `sales_manager`');
    expect(read(joinPath(dir, 'roles.yaml'), 'utf8')).toBe(before);
    expect(await main(['delete-role', '.', 'sales_manager'], io)).toBe(2);
    expect(await main(['rename-role', '.', 'sales_rep', 'account_executive'], io)).toBe(0);
    expect(out).toContain('renamed role `sales_rep` to `account_executive`');
    expect(read(joinPath(dir, 'roles.yaml'), 'utf8')).toContain('  account_executive:');
    expect(await main(['test', '.'], io)).toBe(0);
  });
});

describe('R-Z12 deleting the top role', () => {
  it('is refused with a clear reason, and nothing is written', async () => {
    const { deleteRole } = await import('../compiler/refactor/roles.ts');
    const { mkdtempSync: temp, writeFileSync: write } = await import('node:fs');
    const { tmpdir: tmp } = await import('node:os');
    const { join: joinPath } = await import('node:path');
    const dir = temp(joinPath(tmp(), 'policyc-top-'));
    write(joinPath(dir, 'roles.yaml'), 'roles:\n  ceo:\n    top: true\n  manager: {}\n  rep:\n    reportsTo: manager\n');
    const result = deleteRole(dir, 'ceo', 'manager');
    expect(result.ok).toBe(false);
    expect(result.message).toBe('`ceo` is the top role, above every other role; make another role the top (`top: true`) before deleting it');
    expect(result.files).toEqual([]);
  });
});
