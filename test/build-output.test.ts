// What `policyc build` leaves in the output folder, and its guards: `--check` (integrity in CI,
// issue 13), refusing to overwrite files policyc did not write (issue 14), CommonJS and
// declarations (issue 15).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runCli } from './helpers/cli.ts';

const goldenPolicy = join(root, 'test', 'golden', 'compile', 'basic-colours', 'policy');

const run = runCli;

/** A copy of the golden policy with a fresh build in `generated/`. */
async function built(): Promise<{ dir: string; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-build-'));
  cpSync(goldenPolicy, dir, { recursive: true });
  expect((await run('build', dir)).code).toBe(0);
  return { dir, out: join(dir, 'generated') };
}

function snapshot(folder: string): Record<string, string> {
  return Object.fromEntries(readdirSync(folder).map((f) => [f, readFileSync(join(folder, f), 'utf8')]));
}

describe('policyc build: module systems', () => {
  it('checker.cjs loads with require() and decides like checker.js', async () => {
    const { out } = await built();
    const cjs = createRequire(import.meta.url)(join(out, 'checker.cjs')) as typeof import('./golden/compile/basic-colours/expected/checker.ts');
    const esm = (await import(/* @vite-ignore */ join(out, 'checker.js'))) as typeof cjs;
    const rep = { id: 'u1', role: 'sales', groups: ['north'] };
    for (const lead of [{ kind: 'lead', responsible: 'u1' }, { kind: 'lead', responsible: 'u2', team: 'north' }, { kind: 'lead', responsible: 'u2', team: 'south' }] as const) {
      for (const action of ['view', 'edit', 'delete'] as const) expect(cjs.checker.can(rep, action, lead)).toEqual(esm.checker.can(rep, action, lead));
    }
    expect(cjs.checker.policyHash).toBe(esm.checker.policyHash);
    expect(readFileSync(join(out, 'checker.cjs'), 'utf8')).not.toMatch(/require\(["']@policyc/);
  });

  it('checker.d.cts describes checker.cjs as checker.d.ts describes checker.js', async () => {
    const { out } = await built();
    expect(readFileSync(join(out, 'checker.d.cts'), 'utf8')).toBe(readFileSync(join(out, 'checker.d.ts'), 'utf8'));
  });
});

describe('policyc build --check (integrity)', () => {
  it('exits 0 and writes nothing when the generated files are what the policy compiles to', async () => {
    const { dir, out } = await built();
    const before = snapshot(out);
    const r = await run('build', dir, '--check');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^up to date: /);
    expect(snapshot(out)).toEqual(before);
  });

  it('an edited checker.js is PC6001 at its first changed line, and nothing is written', async () => {
    const { dir, out } = await built();
    const js = join(out, 'checker.js');
    const edited = readFileSync(js, 'utf8').replace('"admin"', '"admin2"');
    writeFileSync(js, edited);
    const r = await run('build', dir, '--check');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/generated\/checker\.js:\d+:\d+: error PC6001: `generated\/checker\.js` differs from what the policy compiles to/);
    expect(r.err).toContain('"admin2"');
    expect(r.err).toContain('help: run `policyc build`');
    expect(readFileSync(js, 'utf8')).toBe(edited);
  });

  it('a forgotten rebuild (the policy changed) and a missing file are errors too', async () => {
    const { dir, out } = await built();
    const roles = readFileSync(join(dir, 'roles.yaml'), 'utf8');
    expect(roles).toContain('create: green');
    writeFileSync(join(dir, 'roles.yaml'), roles.replace('create: green', 'create: red'));
    const stale = await run('build', dir, '--check', '--format', 'json');
    expect(stale.code).toBe(1);
    const files = (JSON.parse(stale.out) as { diagnostics: { code: string; file: string }[] }).diagnostics.map((d) => `${d.code} ${d.file}`);
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^PC6001 .*checker\.ts$/), expect.stringMatching(/^PC6001 .*checker\.js$/)]));
    const { dir: dir2, out: out2 } = await built();
    rmSync(join(out2, 'checker.cjs'));
    expect((await run('build', dir2, '--check')).err).toMatch(/PC6001: `generated\/checker\.cjs` is missing/);
    expect(existsSync(join(out2, 'checker.cjs'))).toBe(false);
  });
});

describe('policyc build: files it did not write', () => {
  it('refuses to overwrite a hand-written checker.ts (PC6002), writes nothing, and replaces it with --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policyc-build-'));
    cpSync(goldenPolicy, dir, { recursive: true });
    const out = join(dir, 'src');
    const mine = join(dir, 'src', 'checker.ts');
    mkdirSync(out);
    writeFileSync(mine, 'export const mine = true;\n');
    const r = await run('build', dir, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error PC6002: `src\/checker\.ts` exists and was not generated by policyc, so it is not overwritten/);
    expect(r.err).toContain('--force');
    expect(readdirSync(out)).toEqual(['checker.ts']);
    expect(readFileSync(mine, 'utf8')).toBe('export const mine = true;\n');
    expect((await run('build', dir, '--out', out, '--force')).code).toBe(0);
    expect(readFileSync(mine, 'utf8')).toMatch(/^\/\/ Generated by policyc — do not edit\./);
  });

  it('rebuilding over its own files needs no --force', async () => {
    const { dir } = await built();
    expect((await run('build', dir)).code).toBe(0);
  });
});

describe('policyc --version', () => {
  it('prints the version of the policyc package', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await run('--version')).toMatchObject({ code: 0, out: `${version}\n` });
  });
});
