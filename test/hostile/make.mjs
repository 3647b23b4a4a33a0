// Hostile cases too big for the repository, or that git cannot hold (symbolic links that loop or
// lead nowhere, a FIFO): each writes its policy folder into `dir`, a fresh temporary folder.
// test/hostile.test.ts runs them like the committed case folders beside this file; the benchmark
// bench/compile-scale.mjs uses the same generators at larger sizes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A resource with `n` attributes; `duplicate` repeats the first one at the end. */
export function attributesPolicy(n, duplicate = false) {
  let text = 'resources:\n  lead:\n    actions: [view]\n    attributes:\n';
  for (let i = 0; i < n; i++) text += `      a${i}: string\n`;
  if (duplicate) text += '      a0: number\n';
  return text + 'roles:\n  sales:\n    grants:\n      lead: green\n';
}

/** `n` roles in a reporting tree of fives, each granting on `resources` resources of five actions. */
export function rolesPolicy(n, resources = 2) {
  let text = 'resources:\n';
  for (let r = 0; r < resources; r++) text += `  res${r}:\n    actions: [create, view, edit, delete, export]\n    attributes: { owner: string, team: string }\n    owner: owner\n    team: team\n`;
  text += 'roles:\n';
  const levels = ['red', 'yellow', 'blue', 'green'];
  for (let i = 0; i < n; i++) {
    text += `  role${i}:\n`;
    if (i > 0) text += `    reportsTo: role${Math.floor((i - 1) / 5)}\n`;
    text += '    grants:\n';
    for (let r = 0; r < resources; r++) text += `      res${r}: { view: ${levels[(i + r) % 4]}, edit: ${levels[(i + 2 * r) % 4]}, '*': red }\n`;
  }
  return text;
}

/** `roles` roles with field rules on one resource of `attributes` attributes: roles × attributes field-mask entries. */
export function fieldsPolicy(roles, attributes) {
  let text = 'resources:\n  lead:\n    actions: [view, edit]\n    attributes:\n';
  for (let i = 0; i < attributes; i++) text += `      a${i}: string\n`;
  text += 'roles:\n';
  for (let i = 0; i < roles; i++) text += `  r${i}:\n    grants: { lead: green }\n    fields: { lead: { a${i % attributes}: hidden, '*': read-only } }\n`;
  return text;
}

/** A `when:` condition whose list literal has `n` elements. */
export function literalPolicy(n) {
  const list = Array.from({ length: n }, (_, i) => `'v${i}'`).join(', ');
  return `resources:\n  lead:\n    actions: [view]\n    attributes: { stage: string }\nroles:\n  sales:\n    grants:\n      lead:\n        view: { level: green, when: "resource.stage in [${list}]" }\n`;
}

/** A policy for user directories: two sales roles, groups, a shift, a profile and an organisation keeping `admin` (R-O2). */
export const DIRECTORY_POLICY = `resources:
  lead: { actions: [view, edit], attributes: { owner: string }, owner: owner }
roles:
  sales_manager: { grants: { lead: green } }
  sales_rep: { reportsTo: sales_manager, profile: standard, grants: { lead: { view: yellow } } }
profiles:
  standard: { grants: { lead: yellow } }
groups: { north: {}, south: {} }
shifts:
  office: { days: [mon, tue, wed, thu, fri], start: '08:00', end: '16:00', timeZone: Europe/Warsaw }
principal: { approvalLimit: number }
organisation:
  capabilities: [users.manage]
  roles: { admin: { capabilities: all, manages: [admin, member] }, member: {} }
  keepOne: admin
`;

/**
 * `n` users of {@link DIRECTORY_POLICY} in ten organisations, each reporting to the user ten
 * before it (a reporting tree of depth n / 10), with every field of the format in use.
 */
export function directoryUsers(n) {
  const users = [];
  for (let o = 0; o < 10; o++) users.push({ organisation: `org${o}`, workspaces: [`w${o}a`, `w${o}b`] });
  for (let i = 0; i < n; i++) {
    const org = `org${i % 10}`;
    users.push({
      id: `u${i}`,
      email: `user${i}@example.test`,
      keys: [`sub|${i}`],
      ...(i < 10 ? { roles: ['sales_manager', 'admin'] } : { role: i % 7 === 0 ? 'sales_manager' : 'sales_rep' }),
      ...(i % 3 === 0 ? { profile: 'standard' } : {}),
      groups: [i % 2 === 0 ? 'north' : 'south'],
      ...(i >= 10 ? { reportsTo: `u${i - 10}` } : {}),
      shift: 'office',
      organisations: [org],
      workspaces: [`w${i % 10}a`],
      attributes: { approvalLimit: i % 10_000 },
    });
  }
  return users;
}

/** The directory in a format: `jsonl`, `json` or `yaml` (a block list, as an author writes it). */
export function directoryText(users, format) {
  if (format === 'jsonl') return users.map((u) => JSON.stringify(u)).join('\n') + '\n';
  if (format === 'json') return '[\n' + users.map((u) => '  ' + JSON.stringify(u)).join(',\n') + '\n]\n';
  return users.map((u) => stringify([u])).join('');
}

const write = (dir, files) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
};

const LEAD = 'resources:\n  lead:\n    actions: [view, edit]\n    attributes: { responsible: string }\n    owner: responsible\n';
const ROLES = 'roles:\n  sales:\n    grants:\n      lead: { view: green, edit: yellow }\n';

/** Cases, committed or generated, that compile: the runner also emits and bundles them, and loads the bundle. */
export const BUILDS = new Set(['symlink-followed', 'bom-accepted', 'codegen-injection', 'empty-file', 'extends-lattice']);

/** Generated cases by folder name (the folder holds only the expected report); `folder` is the policy folder inside `dir`. */
export const GENERATED = {
  'attributes-40k-duplicate': { make: (dir) => write(dir, { 'policy.yaml': attributesPolicy(40_000, true) }) },
  'roles-past-the-limit': { make: (dir) => write(dir, { 'policy.yaml': rolesPolicy(10_001, 1) }) },
  'bytes-past-the-limit': { make: (dir) => write(dir, { 'a.yaml': attributesPolicy(100_000), 'b.yaml': 'x: ' + 'y'.repeat(3_000_000) + '\n' }) },
  'field-entries-past-the-limit': { make: (dir) => write(dir, { 'policy.yaml': fieldsPolicy(1_001, 1_000) }) },
  'rules-past-the-limit': {
    // 1,000 roles × one resource of 101 actions: 101,000 rules
    make: (dir) => {
      const actions = Array.from({ length: 101 }, (_, i) => `a${i}`).join(', ');
      let text = `resources:\n  lead:\n    actions: [${actions}]\nroles:\n`;
      for (let i = 0; i < 1000; i++) text += `  r${i}: {}\n`;
      write(dir, { 'policy.yaml': text });
    },
  },
  'cel-literal-200k': { make: (dir) => write(dir, { 'policy.yaml': literalPolicy(200_000) }) },
  'yaml-5000-nested-mappings': { make: (dir) => write(dir, { 'policy.yaml': `roles: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n` }) },
  'yaml-5000-nested-block-lists': { make: (dir) => write(dir, { 'policy.yaml': `roles:\n  ${'- '.repeat(5000)}x\n` }) },
  'yaml-1000-nested-block-mappings': {
    // indented one more space each: 1,000 levels are half a megabyte
    make: (dir) => {
      let text = '';
      for (let i = 0; i < 1000; i++) text += `${' '.repeat(i)}k${i}:\n`;
      write(dir, { 'policy.yaml': text + `${' '.repeat(1000)}x: 1\n` });
    },
  },
  'yaml-20000-nested-flow-lists': { make: (dir) => write(dir, { 'policy.yaml': `roles: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n` }) },
  'unknown-roles-10k': {
    // 10,000 roles reporting to 10,000 unknown roles: "did you mean" compared each with each (100 s for 4,000)
    make: (dir) => {
      let text = 'resources:\n  lead: { actions: [view] }\nroles:\n';
      for (let i = 0; i < 10_000; i++) text += `  role_${String(i).padStart(5, '0')}: { reportsTo: ghost_${String(i).padStart(5, '0')} }\n`;
      write(dir, { 'policy.yaml': text });
    },
  },
  'bad-grants-5000': {
    // 5,000 roles with a grant of the wrong type: ajv's time grew with the square of the errors
    make: (dir) => write(dir, { 'policy.yaml': LEAD + 'roles:\n' + Array.from({ length: 5000 }, (_, i) => `  r${i}: { grants: { lead: 5 } }\n`).join('') }),
  },
  'extends-lattice': {
    // each role extends the two before it: 2^40 steps without memoization; compiles
    make: (dir) => {
      let text = LEAD + 'roles:\n  r0: { grants: { lead: { view: green } } }\n  r1: { grants: { lead: { edit: yellow } } }\n';
      for (let i = 2; i < 40; i++) text += `  r${i}: { extends: [r${i - 1}, r${i - 2}] }\n`;
      write(dir, { 'policy.yaml': text });
    },
  },
  'reports-to-chain-past-the-limit': {
    make: (dir) => write(dir, { 'policy.yaml': LEAD + 'roles:\n  r0: {}\n' + Array.from({ length: 150 }, (_, i) => `  r${i + 1}: { reportsTo: r${i} }\n`).join('') }),
  },
  'long-line': {
    // the error is at the end of a line of 5,000 characters: the frame shows the part around it
    make: (dir) => {
      let text = 'resources:\n';
      for (let i = 0; i < 399; i++) text += `  r${i}:\n    actions: [view]\n`;
      const grants = Array.from({ length: 400 }, (_, i) => `r${i}: green`).join(', ');
      write(dir, { 'policy.yaml': `${text}roles:\n  sales:\n    grants: { ${grants} }\n` });
    },
  },
  'many-errors': {
    // 120 grants on resources that do not exist: the text report stops after 50
    make: (dir) => write(dir, { 'policy.yaml': LEAD + 'roles:\n  sales:\n    grants:\n' + Array.from({ length: 120 }, (_, i) => `      missing${i}: green\n`).join('') }),
  },
  'symlink-followed': {
    // roles.yaml is a link to a file in a dot-folder (not read by itself): followed, compiles
    make: (dir) => {
      write(dir, { 'resources.yaml': LEAD, '.shared/roles.yaml': ROLES });
      symlinkSync('.shared/roles.yaml', join(dir, 'roles.yaml'));
    },
  },
  'symlink-outside': {
    make: (dir) => {
      write(dir, { 'policy/resources.yaml': LEAD, 'elsewhere/roles.yaml': ROLES });
      symlinkSync('../elsewhere/roles.yaml', join(dir, 'policy', 'roles.yaml'));
    },
    folder: 'policy',
  },
  'symlink-dangling': {
    make: (dir) => {
      write(dir, { 'resources.yaml': LEAD });
      symlinkSync('roles.src.yaml', join(dir, 'roles.yaml'));
    },
  },
  'symlink-same-file': {
    // a link beside the file it points to: read once, the second name reported
    make: (dir) => {
      write(dir, { 'resources.yaml': LEAD, 'team/roles.yaml': ROLES });
      symlinkSync('team/roles.yaml', join(dir, 'roles.yaml'));
    },
  },
  'symlink-to-itself': {
    make: (dir) => {
      write(dir, { 'resources.yaml': LEAD });
      symlinkSync('roles.yaml', join(dir, 'roles.yaml'));
    },
  },
  'symlink-folder-loop': {
    make: (dir) => {
      write(dir, { 'resources.yaml': LEAD, 'team/roles.yaml': ROLES });
      symlinkSync('..', join(dir, 'team', 'up'));
    },
  },
  fifo: {
    // reading a FIFO blocks until a writer comes: it must be reported, not read
    make: (dir) => {
      write(dir, { 'resources.yaml': LEAD });
      execFileSync('mkfifo', [join(dir, 'roles.yaml')]);
    },
  },
  'missing-folder': { make: () => undefined, folder: 'does-not-exist' },
  'directory-100k-hostile': {
    // 100,000 users reporting round in one cycle, names a prototype owns, 100 misspelt roles, a
    // shared email, and no admin: checked in one pass each, the cycle reported once
    make: (dir) => {
      const n = 100_000;
      const users = [];
      for (let i = 0; i < n; i++) {
        const id = i === 1 ? '__proto__' : `u${i}`;
        users.push({ id, role: i % 1000 === 999 ? 'sales_rp' : 'sales_rep', reportsTo: i === 0 ? '__proto__' : i === n - 1 ? 'u0' : `u${i + 1}`, ...(i === 2 ? { keys: ['constructor'], email: 'hasOwnProperty' } : {}), ...(i === 3 || i === 4 ? { email: 'shared@example.test' } : {}) });
      }
      write(dir, { 'policy/policy.yaml': DIRECTORY_POLICY, 'users.jsonl': directoryText(users, 'jsonl') });
    },
    folder: 'policy',
    directory: 'users.jsonl',
  },
  'directory-yaml-nested': {
    // a user whose attributes nest 5,000 mappings deep: the YAML reader's depth limit, then nothing else
    make: (dir) => {
      const deep = `${'{a: '.repeat(5000)}1${'}'.repeat(5000)}`;
      write(dir, { 'policy/policy.yaml': DIRECTORY_POLICY, 'users.yaml': `- id: admin\n  role: admin\n- id: u1\n  role: sales_rep\n  attributes: { approvalLimit: ${deep} }\n- &a [x, *a]\n` });
    },
    folder: 'policy',
    directory: 'users.yaml',
  },
};
