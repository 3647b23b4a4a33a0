/**
 * The hostile corpus (issue 14): policy folders a careless or hostile author could send in a pull
 * request, one folder per case in test/hostile/ with the expected report beside it as
 * `<case>.errors.txt` (TypeScript-baseline style: the text report, code frames included).
 * Cases too big to commit, or that git cannot hold (loops, FIFOs), are written by
 * test/hostile/make.mjs into a temporary folder. Every case must end with PC codes only — no
 * JavaScript error text — and write nothing. `UPDATE_SNAPSHOTS=1` rewrites the reports.
 * A case with a user directory (`directory.json` / `directory.jsonl` in its folder, or a
 * generator's `directory`) is checked with it, as `policyc check --directory` does (issue 16).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { checkDir, checkDirectoryFile, compileDir } from '../compiler/index.ts';
import { formatJson, formatText } from '../compiler/diagnostics/format.ts';
import { formatGithub, formatSarif } from '../compiler/diagnostics/ci-formats.ts';
import { golden } from './helpers/golden.ts';
import { importBundle } from './helpers/policy.ts';
import { BUILDS as builds, GENERATED as generated } from './hostile/make.mjs';

const here = fileURLToPath(new URL('./hostile', import.meta.url));
const cases = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** The policy folder of a case: the committed folder, or a temporary one its generator writes. */
function folderOf(name: string): { dir: string; tmp: string | undefined } {
  const make = generated[name];
  if (make === undefined) return { dir: join(here, name), tmp: undefined };
  const tmp = mkdtempSync(join(tmpdir(), `policyc-hostile-${name}-`));
  temps.push(tmp);
  make.make(tmp);
  return { dir: make.folder === undefined ? tmp : join(tmp, make.folder), tmp };
}

/** The user directory of a case, if it has one. */
function directoryOf(name: string, dir: string, tmp: string | undefined): string | undefined {
  const made = generated[name]?.directory;
  if (made !== undefined && tmp !== undefined) return join(tmp, made);
  return ['directory.json', 'directory.jsonl'].map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** Every path below `dir` with its time, to show a run wrote nothing (the expected report aside). */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(at, e.name);
      if (e.name.endsWith('.errors.txt')) continue;
      if (e.isDirectory()) walk(full);
      else out.push(`${relative(dir, full)} ${e.isFile() ? statSync(full).mtimeMs : 'link'}`);
    }
  };
  walk(dir);
  return out.sort();
}

/** Texts that would mean an exception escaped into a diagnostic. */
const JS_ERROR = /TypeError|RangeError|ReferenceError|SyntaxError|call stack|is not a function|Cannot read propert|\[object Object\]|undefined`/;

describe('hostile corpus: every case ends with PC codes, writes nothing, and matches <case>.errors.txt', () => {
  it('has a generator or a committed folder for each case, and a report for each', () => {
    for (const name of Object.keys(generated)) expect(cases, `folder for generated case ${name}`).toContain(name);
    for (const name of cases) expect(readdirSync(join(here, name)), name).toContain(`${name}.errors.txt`);
  });

  for (const name of cases) {
    it(name, async () => {
      const { dir, tmp } = folderOf(name);
      const before = listing(tmp ?? dir);
      const directory = directoryOf(name, dir, tmp);
      const result = builds.has(name) ? await compileDir(dir) : directory !== undefined ? checkDirectoryFile(dir, directory) : checkDir(dir);
      const text = formatText(result.diagnostics, result.sources).split(tmp ?? '\u0000').join('<tmp>');
      golden(join(here, name, `${name}.errors.txt`), text + '\n');

      for (const d of result.diagnostics) expect(d.code, d.message).toMatch(/^PC\d{4}$/);
      const every = [text, formatJson(result.diagnostics, result.sources), formatGithub(result.diagnostics, result.sources, (f) => f), formatSarif(result.diagnostics, result.sources, (f) => f, '0')];
      for (const out of every) {
        expect(out).not.toMatch(JS_ERROR);
        expect(out, 'no raw control character from policy text').not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }
      expect(listing(tmp ?? dir), 'nothing written').toEqual(before);

      if (builds.has(name)) {
        expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const output = (result as Awaited<ReturnType<typeof compileDir>>).output;
        expect(output).toBeDefined();
        const module = await importBundle(output!.bundle);
        expect(module.checker, 'the bundle loads and exports its checker').toBeDefined();
        expect((globalThis as { pwned?: unknown }).pwned, 'no name ran as code').toBeUndefined();
      } else {
        expect(result.diagnostics.some((d) => d.severity === 'error'), 'the case is rejected').toBe(true);
        expect(result.model).toBeUndefined();
      }
    });
  }
});

describe('hostile corpus: what the reports must say', () => {
  const report = (name: string): string => readFileSync(join(here, name, `${name}.errors.txt`), 'utf8');

  it('one root cause, one error: a resource without `owner` used by yellow and blue grants and a sharing rule', () => {
    expect(report('missing-owner-cascade')).toMatch(/^1 error, 0 warnings$/m);
    expect(report('missing-owner-cascade')).toContain('PC3007');
  });

  it('YAML syntax errors: their own code, the first error only', () => {
    expect(report('yaml-unclosed-flow')).toMatch(/error PC1012:[\s\S]*^1 error, 0 warnings$/m);
    expect(report('yaml-tab-indent')).toMatch(/error PC1011:[\s\S]*^1 error/m);
    expect(report('yaml-bad-indent')).toMatch(/error PC1011:[\s\S]*^1 error/m);
    expect(report('yaml-two-documents')).toMatch(/error PC1013:[\s\S]*^1 error/m);
  });

  it('10,000 unknown role references: each reported, the report cut at 50', () => {
    expect(report('unknown-roles-10k')).toMatch(/^10000 errors, 0 warnings$/m);
    expect(report('unknown-roles-10k')).toContain('… and 9950 more');
  });

  it('a large file with thousands of schema errors is checked to its first; a lattice of extends compiles; a chain of 150 is PC1017', async () => {
    expect(report('bad-grants-5000')).toMatch(/error PC2005:[\s\S]*^1 error, 0 warnings$/m);
    expect(report('reports-to-chain-past-the-limit')).toMatch(/error PC1017: role `r101` reports to a chain of more than 100 roles/);
    const { dir } = folderOf('extends-lattice');
    const model = checkDir(dir).model!;
    const top = model.roles.find((r) => r.name === 'r39')!;
    expect([...top.cells.get('lead')!.keys()]).toEqual(['view', 'edit']);
    expect(model.rules[top.cells.get('lead')!.get('edit')!]!.level).toBe('own');
  });

  it('the text report stops after 50 errors and counts the rest', () => {
    expect(report('many-errors')).toContain('… and 70 more (`--format json` lists them all)');
    expect(report('many-errors').match(/error PC3002/g)).toHaveLength(50);
    expect(report('many-errors')).toMatch(/^120 errors, 0 warnings$/m);
  });

  it('limits: duplicate key among 40,000, 5,000 nested mappings, 20,000 nested lists, a 200,000-element literal, 10,001 roles, 101,000 rules, 1,001,000 field entries, 5 MB', () => {
    expect(report('attributes-40k-duplicate')).toMatch(/error PC1004: key `a0` appears twice/);
    expect(report('yaml-5000-nested-mappings')).toMatch(/error PC1009:/);
    expect(report('yaml-5000-nested-block-lists')).toMatch(/error PC1009:/);
    expect(report('yaml-1000-nested-block-mappings')).toMatch(/error PC1009:/);
    expect(report('yaml-20000-nested-flow-lists')).toMatch(/error PC1009:/);
    expect(report('cel-literal-200k')).toMatch(/error PC1014:/);
    expect(report('roles-past-the-limit')).toMatch(/error PC1015:/);
    expect(report('rules-past-the-limit')).toMatch(/error PC1016:/);
    expect(report('field-entries-past-the-limit')).toMatch(/error PC1016: 1,001 roles × 1,000 attributes/);
    expect(report('bytes-past-the-limit')).toMatch(/error PC1010: the policy files hold [\d,]+ bytes up to `b.yaml`/);
  });

  it('input files: invalid UTF-8 at its line and column, UTF-16, symbolic links, a FIFO, a missing folder', () => {
    expect(report('invalid-utf8')).toMatch(/^policy\.yaml:7:6: error PC1006: .*byte 0xe9/m);
    expect(report('utf16-file')).toMatch(/error PC1006:[\s\S]*help: the file is UTF-16: save it as UTF-8/);
    expect(report('symlink-outside')).toMatch(/error PC1008: the symbolic link `roles.yaml` leads outside the policy folder/);
    expect(report('symlink-dangling')).toMatch(/error PC1008: .*ENOENT/);
    expect(report('symlink-to-itself')).toMatch(/error PC1008: .*ELOOP/);
    expect(report('symlink-folder-loop')).toMatch(/error PC1008: .*a folder read already: a loop/);
    expect(report('symlink-same-file')).toMatch(/^1 error, 0 warnings$/m);
    expect(report('symlink-same-file')).toMatch(/error PC1008: `team\/roles.yaml` and `roles.yaml` are the same file/);
    expect(report('fifo')).toMatch(/error PC1002: `roles.yaml` is not a regular file/);
    expect(report('missing-folder')).toMatch(/error PC1002: cannot read the policy folder `<tmp>\/does-not-exist`: .*ENOENT/);
    expect(report('empty-file')).toMatch(/warning PC1007: `comments.yaml` is empty[\s\S]*warning PC1007: `empty.yaml` is empty/);
  });

  it('a symbolic link inside the folder is followed: its roles are compiled', async () => {
    const { dir } = folderOf('symlink-followed');
    const result = checkDir(dir);
    expect(result.model?.roles.map((r) => r.name)).toEqual(['sales']);
  });

  it('R-Z4 R-O2 user directories: 100,000 users in one reporting cycle reported once, prototype names as data, no admin; a 5,000-deep entry is PC1009 alone', () => {
    const big = report('directory-100k-hostile');
    expect(big.match(/error PC7005/g)).toHaveLength(1);
    expect(big).toContain('users report to each other in a cycle: `u0` → `__proto__` → `u2` → `u3`');
    expect(big).toContain('… (100,000 users)');
    expect(big).toMatch(/error PC7007: the organisation of this directory has no user with the role `admin`/);
    expect(big).toMatch(/error PC7006: `shared@example.test` names two users: `u3` and `u4`/);
    expect(big).toMatch(/^103 errors, 0 warnings$/m);
    expect(report('directory-yaml-nested')).toMatch(/error PC1009:[\s\S]*^1 error, 0 warnings$/m);
    const control = report('directory-control-characters');
    expect(control).toContain('\\u{1b}[2J');
    expect(control).toContain('\\u{202e}');
  });

  it('carets under wide characters and escaped controls line up with what a terminal shows', () => {
    const wide = report('wide-characters');
    // `取引先` starts after `  営業担当: { grants: { リード: green, ` = 2 + 8 + 14 + 6 + 9 columns
    expect(wide).toContain('  |' + ' '.repeat(1 + 2 + 8 + 14 + 6 + 9) + '^'.repeat(6) + '\n');
    const control = report('control-characters');
    expect(control).toContain('\\u{1b}[2J');
    expect(control).toContain('\\u{202e}');
  });
});
