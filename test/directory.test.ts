/**
 * `policyc check <dir> --directory FILE` (issue 16): a user directory checked against a policy.
 * Diagnostics are asserted by code, position and the text they underline; the same directory is
 * written as YAML, JSON and JSON Lines and must give the same problems at the same places.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkCommand } from '../compiler/cli/check.ts';
import { LineIndex } from '../compiler/diagnostics/format.ts';
import { checkDirectoryFile, type DirectoryCheckResult } from '../compiler/index.ts';
import { DirectoryError, loadDirectory } from '../packages/runtime/src/index.ts';
import { root } from './helpers/cli.ts';

const policy = join(root, 'test/fixtures/directory');
const tmp = mkdtempSync(join(tmpdir(), 'policyc-directory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Writes `entries` in a format and checks it against the fixture policy. */
function check(entries: unknown[], format: 'yaml' | 'json' | 'jsonl' = 'yaml'): DirectoryCheckResult & { file: string; text: string } {
  const text = format === 'yaml' ? stringify(entries) : format === 'json' ? JSON.stringify(entries, null, 2) : entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
  return checkText(text, format);
}

function checkText(text: string, ext: string): DirectoryCheckResult & { file: string; text: string } {
  const file = join(tmp, `users${++n}.${ext}`);
  writeFileSync(file, text);
  return { ...checkDirectoryFile(policy, file), file, text };
}

/** Each diagnostic as `code line:column «underlined text» message` (a JSON string's quotes and a block's last newline left out). */
function shown(result: ReturnType<typeof check>): string[] {
  const index = new LineIndex(result.text);
  return result.diagnostics.map((d) => {
    const p = index.position(d.start);
    const underlined = result.text.slice(d.start, d.end).trimEnd().replace(/^"(.*)"$/s, '$1');
    return `${d.code} ${p.line}:${p.column} «${underlined}» ${d.message}`;
  });
}

const admin = { id: 'boss', role: 'admin' };
const good = [
  admin,
  { id: 'm1', role: 'sales_manager', email: 'm1@acme.test', keys: ['sub|m1'], groups: ['north'], shift: 'warsaw_office' },
  { id: 'r1', role: 'sales_rep', profile: 'read_only', reportsTo: 'm1', attributes: { approvalLimit: 5000, department: 'east' } },
  { id: 'r2', roles: ['sales_rep', 'member'], reportsTo: 'm1', technical: true },
];

describe('a valid directory', () => {
  it.each(['yaml', 'json', 'jsonl'] as const)('R-Z4 R-K11 %s: no diagnostics, and the runtime loads it', (format) => {
    const result = check(good, format);
    expect(shown(result)).toEqual([]);
    expect(result.model).toBeDefined();
    expect(result.directory).toEqual({ users: 4, organisations: 0 });
    const directory = loadDirectory(good);
    expect(directory.principal('r1')).toMatchObject({ id: 'r1', role: 'sales_rep', profile: 'read_only', approvalLimit: 5000 });
  });

  it('the command prints how many users it checked', () => {
    let out = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (out += t), cwd: root, color: false };
    const file = check(good, 'jsonl').file;
    expect(checkCommand('test/fixtures/directory', { format: 'text', directory: file }, io)).toBe(0);
    expect(out).toMatch(/^ok test\/fixtures\/directory: 2 roles, 1 resources; .*users\d+\.jsonl: 4 users\n$/);
  });
});

describe('problems, each at file:line:column with a stable code', () => {
  const bad = [
    admin,
    { id: 'u1', role: 'sales_manger', groups: ['north', 'west'], profile: 'standrd', shift: 'night', reportsTo: 'nobody' },
    { id: 'u2', role: 'sales_rep', email: 'u1', reportsTo: 'u1@x' },
    { id: 'u3', role: 'sales_rep', keys: ['u1@x'], attributes: { approvalLimit: 'lots', colour: 'red' } },
  ];

  it.each(['yaml', 'json', 'jsonl'] as const)('%s: unknown role, group, profile, shift and attribute; reportsTo naming nobody; duplicates; wrong attribute type', (format) => {
    const lines = shown(check(bad, format));
    expect(lines.map((l) => l.replace(/^(\S+) \S+/, '$1'))).toEqual([
      'PC7003 «sales_manger» user `u1` holds the unknown role `sales_manger`',
      'PC7003 «west» user `u1` holds the unknown group `west`',
      'PC7003 «standrd» user `u1` holds the unknown profile `standrd`',
      'PC7003 «night» user `u1` holds the unknown shift `night`',
      "PC7004 «nobody» user `u1` reports to `nobody`, which is no user's id",
      'PC7006 «u1» `u1` names two users: `u1` and `u2`',
      "PC7004 «u1@x» user `u2` reports to `u1@x`, which is no user's id",
      'PC7002 «lots» attribute `approvalLimit` of user `u3` must be a number',
      'PC7003 «red» user `u3` holds the unknown attribute `colour`',
    ]);
    expect(check(bad, format).diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message)).toEqual(['user `u3` holds the unknown attribute `colour`']);
  });

  it('positions are the YAML file\'s lines and columns; help lines suggest the fix', () => {
    const result = check(bad, 'yaml');
    expect(shown(result)[0]).toBe('PC7003 4:9 «sales_manger» user `u1` holds the unknown role `sales_manger`');
    const help = Object.fromEntries(result.diagnostics.map((d) => [d.message, d.help]));
    expect(help['user `u1` holds the unknown role `sales_manger`']).toBe('did you mean `sales_manager`?');
    expect(help['user `u1` holds the unknown profile `standrd`']).toBe('did you mean `standard`?');
    expect(help["user `u2` reports to `u1@x`, which is no user's id"]).toBe('`u1@x` is an email or key of `u3`: write the id `u3`');
    expect(help["user `u1` reports to `nobody`, which is no user's id"]).toBe('name the id of the user they report to, or remove `reportsTo`');
    expect(result.model).toBeUndefined();
  });

  it('a reportsTo naming a user by email or key says which id to write', () => {
    const result = check([admin, { id: 'm1', role: 'sales_manager', email: 'm1@x' }, { id: 'r1', role: 'sales_rep', reportsTo: 'm1@x' }]);
    expect(result.diagnostics[0]).toMatchObject({ code: 'PC7004', help: '`m1@x` is an email or key of `m1`: write the id `m1`' });
  });

  it('R-Z4 a reporting cycle is reported once, naming the cycle, at the user written first', () => {
    const result = check([admin, { id: 'a', role: 'sales_rep', reportsTo: 'b' }, { id: 'x', role: 'sales_rep', reportsTo: 'a' }, { id: 'b', role: 'sales_rep', reportsTo: 'c' }, { id: 'c', role: 'sales_rep', reportsTo: 'a' }, { id: 'self', role: 'sales_rep', reportsTo: 'self' }]);
    expect(shown(result).map((l) => l.replace(/^(\S+) \S+/, '$1'))).toEqual([
      'PC7005 «b» users report to each other in a cycle: `a` → `b` → `c` → `a`',
      'PC7005 «self» users report to each other in a cycle: `self` → `self`',
    ]);
    expect(result.diagnostics[0]!.related.map((r) => r.message)).toEqual(['`b` reports to `c`', '`c` reports to `a`']);
  });

  it('R-Z4 a cycle of 50,000 users is one diagnostic naming ten of them', () => {
    const users: unknown[] = [admin];
    for (let i = 0; i < 50_000; i++) users.push({ id: `u${i}`, role: 'sales_rep', reportsTo: `u${(i + 1) % 50_000}` });
    const result = check(users, 'jsonl');
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]!.message).toBe('users report to each other in a cycle: `u0` → `u1` → `u2` → `u3` → `u4` → `u5` → `u6` → `u7` → `u8` → `u9` → … (50,000 users)');
  });

  it('wrong types and unknown fields: PC7002, each one; a user with a bad field still takes part in the other checks', () => {
    const result = check([
      admin,
      { id: 'u1', role: ['sales_rep'], technical: 'yes', groups: 'north', reportTo: 'boss' },
      { id: 7, role: 'sales_rep' },
      { role: 'sales_rep' },
      'u4',
      { id: 'u5', role: 'sales_rep', roles: ['sales_manager'] },
      { id: 'u6', roles: [] },
      { id: 'u7', role: 'sales_rep', attributes: { role: 'admin' } },
      { id: 'u1', role: 'sales_rep' },
    ]);
    expect(shown(result).map((l) => l.replace(/^(\S+) \S+/, '$1'))).toEqual([
      'PC7002 «- sales_rep» `role` must be a non-empty string',
      'PC7002 «yes» `technical` must be true or false',
      'PC7002 «north» `groups` must be a list of non-empty strings',
      'PC7002 «reportTo» unknown field `reportTo` in a user',
      'PC7002 «7» `id` must be a non-empty string',
      'PC7002 «role: sales_rep» entry 4 has no `id`',
      'PC7002 «u4» entry 5 is not a mapping',
      'PC7002 «roles» a user has both `role` and `roles`',
      'PC7002 «[]» user `u6` has no role',
      'PC7002 «role» `attributes` cannot set `role`: it is a field of the user',
      'PC7006 «u1» `u1` names two users: `u1` and `u1`',
    ]);
    expect(result.diagnostics.find((d) => d.message.includes('reportTo'))!.help).toBe('did you mean `reportsTo`?');
    // one root cause, one error: a `roles` list with a number is not also "no role"
    expect(check([admin, { id: 'u9', roles: ['sales_rep', 7] }]).diagnostics.map((d) => d.message)).toEqual(['`roles` must be a list of non-empty strings']);
  });

  it('the runtime rejects what the check rejects as a shape problem, and loads what it accepts', () => {
    const shapes: unknown[] = [
      { id: 'u1', role: ['sales_rep'] },
      { id: 'u1', role: 'sales_rep', technical: 'yes' },
      { id: 7, role: 'sales_rep' },
      { role: 'sales_rep' },
      'u4',
      { id: 'u5', role: 'sales_rep', roles: ['sales_manager'] },
      { id: 'u6', roles: [] },
      { id: 'u7', role: 'sales_rep', attributes: { role: 'admin' } },
      { id: 'u8', role: 'sales_rep', keys: [''] },
      { id: 'u9', roles: ['sales_rep', 7] },
    ];
    for (const user of shapes) {
      expect(check([admin, user]).diagnostics.some((d) => d.code === 'PC7002'), JSON.stringify(user)).toBe(true);
      expect(() => loadDirectory([admin, user]), JSON.stringify(user)).toThrow(DirectoryError);
    }
  });
});

describe('organisations and workspaces (R-O2, R-O5, R-Z13)', () => {
  const orgs = [
    { organisation: 'acme', workspaces: ['sales', 'support'] },
    { organisation: 'globex', workspaces: ['ops'] },
  ];

  it('R-O2 every organisation keeps a user holding `keepOne`: one error per organisation left without', () => {
    const result = check([...orgs, { id: 'a', role: 'admin', organisations: ['acme'] }, { id: 'm', role: 'member', organisations: ['globex'], workspaces: ['ops'] }]);
    expect(shown(result)).toEqual(['PC7007 5:17 «globex» organisation `globex` has no user with the role `admin`']);
    expect(result.diagnostics[0]!.help).toBe('give at least one of its users the role `admin`: every organisation keeps one (R-O2)');
  });

  it('R-O2 a directory that names no organisation is one organisation, and needs its admin too', () => {
    const result = check([{ id: 'm', role: 'member' }]);
    expect(shown(result)).toEqual(['PC7007 1:1 «» the organisation of this directory has no user with the role `admin`']);
    expect(check([{ id: 'm', role: 'member' }, { id: 'a', roles: ['member', 'admin'] }]).diagnostics).toEqual([]);
  });

  it('R-O2 organisations named only by users (none declared) are checked for a keeper too', () => {
    const result = check([{ id: 'a', role: 'admin', organisations: ['acme'] }, { id: 'm', role: 'member', organisations: ['acme', 'initech'] }]);
    expect(shown(result).map((l) => l.replace(/^(\S+) \S+/, '$1'))).toEqual(['PC7007 «initech» organisation `initech` has no user with the role `admin`']);
  });

  it('R-O5 R-Z13 undeclared organisations and workspaces outside the user\'s organisations are unknown names', () => {
    const result = check([
      ...orgs,
      { id: 'a', role: 'admin', organisations: ['acme', 'globex'] },
      { id: 'm', role: 'member', organisations: ['acme', 'acne'], workspaces: ['sales', 'ops', 'suport'] },
      { id: 'n', role: 'member', workspaces: ['sales'] },
    ]);
    expect(shown(result).map((l) => l.replace(/^(\S+) \S+/, '$1'))).toEqual([
      'PC7003 «acne» user `m` holds the unknown organisation `acne`',
      'PC7003 «ops» user `m` holds the unknown workspace `ops`: not a workspace of `acme` or `acne`',
      'PC7003 «suport» user `m` holds the unknown workspace `suport`: not a workspace of `acme` or `acne`',
      'PC7003 «sales» user `n` holds the unknown workspace `sales`: the user belongs to no organisation',
    ]);
    expect(result.diagnostics.map((d) => d.help)).toEqual(['did you mean `acme`?', "list it under the `workspaces` of the user's organisation (R-O5)", 'did you mean `support`?', "list it under the `workspaces` of the user's organisation (R-O5)"]);
  });

  it('an organisation declared twice, or with a wrong field, is reported; the runtime skips organisation entries', () => {
    const result = check([...orgs, { organisation: 'acme' }, { organisation: 'x', members: [] }, { id: 'a', role: 'admin', organisations: ['acme', 'globex', 'x'] }]);
    expect(shown(result).map((l) => l.replace(/^(\S+) \S+/, '$1'))).toEqual(['PC7006 «acme» organisation `acme` is declared twice', 'PC7002 «members» unknown field `members` in an organisation']);
    expect(loadDirectory([...orgs, { id: 'a', role: 'admin' }]).users.map((u) => u.id)).toEqual(['a']);
  });
});

describe('unreadable directories', () => {
  it('YAML syntax errors keep the load phase\'s codes, at their place in the file', () => {
    const result = checkText('- id: a\n  role: admin\n- id: b\n  role: [member\n', 'yaml');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['PC1012']);
    expect(new LineIndex(result.text).position(result.diagnostics[0]!.start).line).toBeGreaterThanOrEqual(4);
  });

  it('duplicate keys and aliases in one YAML entry: PC1004, PC1005', () => {
    expect(checkText('- id: a\n  role: admin\n- id: b\n  id: c\n  role: member\n', 'yaml').diagnostics.map((d) => d.code)).toEqual(['PC1004']);
    expect(checkText('- &x { id: a, role: admin }\n- *x\n', 'yaml').diagnostics.map((d) => d.code)).toEqual(['PC1005']);
  });

  it('a YAML directory that is not a block list at column 0 is parsed whole', () => {
    expect(checkText('[{ id: a, role: admin }, { id: b, role: membr }]\n', 'yaml').diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['PC7003 user `b` holds the unknown role `membr`']);
    expect(checkText('users:\n  - id: a\n', 'yaml').diagnostics.map((d) => d.code)).toEqual(['PC7001']);
  });

  it('invalid JSON, JSON Lines and the wrong extension: PC7001 at the place', () => {
    const json = checkText('[{"id": "a", "role": "admin"},\n {"id": "b" "role": "member"}]', 'json');
    expect(json.diagnostics.map((d) => d.code)).toEqual(['PC7001']);
    expect(new LineIndex(json.text).position(json.diagnostics[0]!.start)).toMatchObject({ line: 2 });
    const lines = checkText('{"id": "a", "role": "admin"}\n{"id": "b", "role": }\n', 'jsonl');
    expect(lines.diagnostics.map((d) => d.code)).toEqual(['PC7001']);
    expect(new LineIndex(lines.text).position(lines.diagnostics[0]!.start)).toMatchObject({ line: 2 });
    expect(checkText('{"id": "a"}', 'json').diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/must hold a list of users$/)]);
    expect(checkText('[{"id": "a", "role": "admin"}] x', 'json').diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/text after the list$/)]);
    expect(checkText('[{"id": "a", "role": "admin"}', 'json').diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/the list is not closed$/)]);
    expect(checkText('id,role\n', 'csv').diagnostics.map((d) => d.code)).toEqual(['PC7001']);
  });

  it('invalid UTF-8 and a missing file: PC7001', () => {
    const file = join(tmp, 'latin1.jsonl');
    writeFileSync(file, Buffer.from('{"id": "Jos\xe9", "role": "admin"}\n', 'latin1'));
    expect(checkDirectoryFile(policy, file).diagnostics.map((d) => d.code)).toEqual(['PC7001']);
    expect(checkDirectoryFile(policy, join(tmp, 'nope.yaml')).diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^cannot read the user directory .*ENOENT$/)]);
  });

  it('limits: bytes and entries past the limit are PC1018 with a help line naming the limit', () => {
    const file = check(good, 'jsonl').file;
    const bytes = checkDirectoryFile(policy, file, { limits: { maxDirectoryBytes: 100 } });
    expect(bytes.diagnostics.map((d) => `${d.code} ${d.help}`)).toEqual(['PC1018 split the directory, or raise the limit (`--limit maxDirectoryBytes=N`)']);
    const users = checkDirectoryFile(policy, file, { limits: { maxDirectoryUsers: 3 } });
    expect(users.diagnostics.map((d) => d.message)).toEqual(['the user directory has 4 entries, more than the limit of 3']);
  });

  it('a policy with errors is reported without reading the directory', () => {
    const result = checkDirectoryFile(join(tmp, 'no-such-policy'), check(good).file);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['PC1002']);
    expect(result.directory).toBeUndefined();
  });
});
