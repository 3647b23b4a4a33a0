// The packaging test (issue 15): what users install is what we test. Packs both packages, checks
// them with publint and @arethetypeswrong/cli, installs the tarballs into throwaway applications —
// ES modules, CommonJS, strict TypeScript (node16 and bundler resolution) and a runtime-only app —
// and runs the installed `policyc` bin in them. Run by .ci/run; `npm run test:packaging` locally.
// Prints one line per check and exits 1 on the first failure.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { version } = (await import(join(root, 'package.json'), { with: { type: 'json' } })).default;
const work = mkdtempSync(join(tmpdir(), 'policyc-packaging-'));
const bin = (name) => join(root, 'node_modules', '.bin', name);
// the apps compile with the repository's TypeScript, so the runtime-only app installs nothing but the runtime
const tsc = (dir, project) => run(bin('tsc'), ['-p', project], dir);
let checks = 0;

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  } catch (error) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

function check(what, fn) {
  const start = Date.now();
  fn();
  checks++;
  console.log(`✓ ${what} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
}

function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** A fresh application folder with a package.json and these files. */
function app(name, type, files) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }, null, 2));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const install = (dir, ...specs) => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs], dir);
const policyc = (dir, ...args) => run(join(dir, 'node_modules', '.bin', 'policyc'), args, dir);
const withPolicies = (dir) => {
  cpSync(join(root, 'policies', 'kommo-crm'), join(dir, 'policies'), { recursive: true, filter: (f) => !f.endsWith('.test.ts') && !f.includes('generated') });
  return dir;
};

// The decisions every app checks (Kommo example, R-K3): a rep views their own lead, not another's.
const DECIDE = `
const rep = { id: 'u1', role: 'sales_rep', groups: ['north'] };
const mine = checker.can(rep, 'view', { kind: 'lead', responsible: 'u1', team: 'north' });
const theirs = checker.can(rep, 'view', { kind: 'lead', responsible: 'u2', team: 'north' });
if (!mine.allow || mine.code !== 'own' || theirs.allow) throw new Error('wrong decisions: ' + JSON.stringify([mine, theirs]));
if (loadChecker({ checker }) !== checker) throw new Error('loadChecker refused the checker');
const sql = toSql(checker.plan(rep, 'view', 'lead'), { columns: { responsible: 'owner_id', team: 'team_id', participants: 'participant_ids', pipeline: 'pipeline', stage: 'stage', amount: 'amount' } });
if (!sql.where.includes('"owner_id"')) throw new Error('unexpected SQL: ' + sql.where);
console.log('decisions ok');
`;

check('npm pack: policyc and @policyc/runtime', () => {
  run('npm', ['pack', '--workspaces', '--include-workspace-root', '--pack-destination', work, '--loglevel=error'], root);
  equal(readdirSync(work).filter((f) => f.endsWith('.tgz')).sort().join(' '), `policyc-${version}.tgz policyc-runtime-${version}.tgz`, 'tarballs');
});
const tarballs = { policyc: join(work, `policyc-${version}.tgz`), runtime: join(work, `policyc-runtime-${version}.tgz`) };

check('publint: both packages', () => {
  for (const t of Object.values(tarballs)) run(bin('publint'), ['run', t, '--strict'], root);
});
check('arethetypeswrong: @policyc/runtime (ESM and CommonJS, node16 and bundler) and policyc (ES modules only)', () => {
  run(bin('attw'), [tarballs.runtime, '--profile', 'node16'], root);
  run(bin('attw'), [tarballs.policyc, '--profile', 'esm-only'], root);
});

const esm = app('esm-app', 'module', {
  'app.mjs': `import { checker } from './policies/generated/checker.js';\nimport { loadChecker } from '@policyc/runtime';\nimport { toSql } from '@policyc/runtime/sql';\n${DECIDE}`,
});
check('ESM app: installs both tarballs; the policyc bin runs --version, check, build, test', () => {
  install(withPolicies(esm), tarballs.policyc, tarballs.runtime);
  equal(policyc(esm, '--version').trim(), version, 'policyc --version');
  policyc(esm, 'check', 'policies');
  policyc(esm, 'build', 'policies');
  equal(policyc(esm, 'test', 'policies').trim().split('\n').at(-1)?.endsWith(', 0 failed'), true, 'policyc test');
  policyc(esm, 'build', 'policies', '--check');
});
check('ESM app: imports checker.js and @policyc/runtime', () => equal(run('node', ['app.mjs'], esm).trim(), 'decisions ok', 'app.mjs'));

const cjs = app('cjs-app', 'commonjs', {
  'app.js': `const { checker } = require('./policies/generated/checker.cjs');\nconst { loadChecker } = require('@policyc/runtime');\nconst { toSql } = require('@policyc/runtime/sql');\n${DECIDE}`,
});
check('CommonJS app: requires checker.cjs and @policyc/runtime, as is and bundled by esbuild', () => {
  install(withPolicies(cjs), tarballs.policyc, tarballs.runtime);
  policyc(cjs, 'build', 'policies');
  equal(run('node', ['app.js'], cjs).trim(), 'decisions ok', 'app.js');
  run(join(cjs, 'node_modules', '.bin', 'esbuild'), ['app.js', '--bundle', '--platform=node', '--outfile=out/bundle.js', '--log-level=warning'], cjs);
  equal(run('node', ['out/bundle.js'], cjs).trim(), 'decisions ok', 'bundled CommonJS app');
});

const STRICT = { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022'], types: [] };
const MAIN = `import { checker, type Kind, type Role } from '../policies/generated/checker.js';\nimport { loadChecker } from '@policyc/runtime';\nimport { toSql } from '@policyc/runtime/sql';\nconst role: Role = 'sales_rep';\nconst kind: Kind = 'lead';\nvoid role; void kind;\n// @ts-expect-error \`archive\` is not an action of leads\ncheckerTypes(() => checker.can({ id: 'u', role: 'sales_rep' }, 'archive', { kind: 'lead' }));\nfunction checkerTypes(f: () => unknown): void { void f; }\ndeclare const console: { log(text: string): void };\n${DECIDE}`;
const ts = app('ts-app', 'module', {
  'src/main.ts': MAIN,
  'tsconfig.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16', outDir: 'out', rootDir: '.' }, include: ['src', 'policies/generated/checker.ts'] }),
  'tsconfig.bundler.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, include: ['src', 'policies/generated/checker.ts'] }),
});
check('strict TypeScript app (module/moduleResolution node16): compiles checker.ts with the app and runs', () => {
  install(withPolicies(ts), tarballs.policyc, tarballs.runtime);
  policyc(ts, 'build', 'policies');
  tsc(ts, 'tsconfig.json');
  equal(run('node', ['out/src/main.js'], ts).trim(), 'decisions ok', 'node16 build');
});
check('strict TypeScript app (moduleResolution bundler): type-checks, and esbuild bundles it to run', () => {
  tsc(ts, 'tsconfig.bundler.json');
  run(join(ts, 'node_modules', '.bin', 'esbuild'), ['src/main.ts', '--bundle', '--format=esm', '--platform=neutral', '--outfile=out/bundle.mjs', '--log-level=warning'], ts);
  equal(run('node', ['out/bundle.mjs'], ts).trim(), 'decisions ok', 'bundled app');
});

// `can` alone, as published: tree shaking (`sideEffects: false`, pure annotations) leaves plans,
// field masks and the text of reasons out (test/runtime-size.test.ts holds the size budget)
const CAN_ONLY = `import { can } from '../policies/generated/checker.js';
const rep = { id: 'u1', role: 'sales_rep', groups: ['north'] };
const mine = can(rep, 'view', { kind: 'lead', responsible: 'u1', team: 'north' });
const theirs = can(rep, 'view', { kind: 'lead', responsible: 'u2', team: 'north' });
if (!mine.allow || mine.code !== 'own' || theirs.allow || !/^allowed \\(own\\) at /.test(mine.reason)) throw new Error('wrong decisions: ' + JSON.stringify([mine, theirs]));
declare const console: { log(text: string): void };
console.log('decisions ok');
`;
check('strict TypeScript app: `can` alone, bundled by esbuild with minify, leaves plans, field masks and reason text out', () => {
  writeFileSync(join(ts, 'src', 'can-only.ts'), CAN_ONLY);
  tsc(ts, 'tsconfig.bundler.json');
  run(join(ts, 'node_modules', '.bin', 'esbuild'), ['src/can-only.ts', '--bundle', '--minify', '--format=esm', '--platform=neutral', '--metafile=out/can-only.json', '--outfile=out/can-only.mjs', '--log-level=warning'], ts);
  equal(run('node', ['out/can-only.mjs'], ts).trim(), 'decisions ok', 'bundled can alone');
  const inputs = Object.keys(JSON.parse(readFileSync(join(ts, 'out', 'can-only.json'), 'utf8')).inputs);
  const left = inputs.filter((f) => /@policyc\/runtime\/dist\/(planner|plan|fields|reasons|sql)\.js$/.test(f));
  equal(left.join(' '), '', 'runtime files of plans, fields or reasons in the bundle of can alone');
});

const runtimeOnly = app('runtime-only-app', 'module', {
  'src/main.ts': MAIN,
  'tsconfig.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16', outDir: 'out', rootDir: '.' }, include: ['src', 'policies/generated/checker.ts'] }),
});
check('runtime-only app: no compiler installed, compiles the generated checker.ts with tsc and runs', () => {
  cpSync(join(ts, 'policies', 'generated'), join(runtimeOnly, 'policies', 'generated'), { recursive: true });
  install(runtimeOnly, tarballs.runtime);
  equal(readdirSync(join(runtimeOnly, 'node_modules')).filter((f) => !f.startsWith('.')).join(' '), '@policyc', 'node_modules of the runtime-only app');
  for (const heavy of ['policyc', 'ts-morph', 'esbuild', 'chevrotain', 'typescript', 'ajv', 'yaml']) {
    if (existsSync(join(runtimeOnly, 'node_modules', heavy))) throw new Error(`the runtime-only app has ${heavy} in node_modules`);
  }
  tsc(runtimeOnly, 'tsconfig.json');
  equal(run('node', ['out/src/main.js'], runtimeOnly).trim(), 'decisions ok', 'runtime-only app');
});

rmSync(work, { recursive: true, force: true });
console.log(`packaging: ${checks} checks passed`);
