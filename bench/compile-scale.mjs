// How checking grows with the size of the policy text (issue 14), and the memory of compiling
// large and hostile inputs. Checking must be linear: ×4 the text, about ×4 the time. The
// generators are the hostile corpus's (test/hostile/make.mjs). Memory is measured in a child
// process per input, so one input's garbage does not count against the next.
// `node bench/compile-scale.mjs` prints the tables alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDir } from '../dist/compiler/index.js';
import { attributesPolicy, literalPolicy, rolesPolicy } from '../test/hostile/make.mjs';
import { median } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

function folderWith(text) {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-scale-'));
  writeFileSync(join(dir, 'policy.yaml'), text);
  return dir;
}

/** Median `checkDir` time of a generated policy, checked clean. */
function timeCheck(text, runs) {
  const dir = folderWith(text);
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const result = checkDir(dir);
      times.push(performance.now() - start);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new Error(`the generated policy does not check: ${errors[0].code} ${errors[0].message}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ms: median(times), bytes: Buffer.byteLength(text) };
}

// the child: compile (or only check) one generated input and print its peak memory
const CHILD = `
const [what, n, mode, limits] = process.argv.slice(1);
const { mkdtempSync, writeFileSync } = await import('node:fs');
const { join } = await import('node:path');
const { tmpdir } = await import('node:os');
const make = await import(${JSON.stringify(new URL('../test/hostile/make.mjs', import.meta.url).href)});
const { checkDir, compileDir } = await import(${JSON.stringify(new URL('../dist/compiler/index.js', import.meta.url).href)});
const sizes = n.split('x').map(Number);
const text = what === 'literal' ? make.literalPolicy(...sizes) : what === 'roles' ? make.rolesPolicy(...sizes) : what === 'fields' ? make.fieldsPolicy(...sizes) : make.attributesPolicy(...sizes);
const dir = mkdtempSync(join(tmpdir(), 'policyc-memory-'));
writeFileSync(join(dir, 'policy.yaml'), text);
const options = { limits: JSON.parse(limits) };
const start = performance.now();
const result = mode === 'compile' ? await compileDir(dir, options) : checkDir(dir, options);
const ms = performance.now() - start;
const heap = process.memoryUsage().heapUsed;
console.log(JSON.stringify({ ms, heap, peak: process.resourceUsage().maxRSS * 1024, codes: [...new Set(result.diagnostics.map((d) => d.code))], bundle: result.output?.bundle.length ?? 0 }));
`;

function memoryOf(what, n, mode, limits = {}) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, what, String(n), mode, JSON.stringify(limits)], {
    encoding: 'utf8',
    cwd: here,
    timeout: 300_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

export async function runScaleBench({ runs = 3, log = () => {} } = {}) {
  const attributes = [10_000, 40_000, 160_000].map((n) => {
    const row = { n, ...timeCheck(attributesPolicy(n), runs) };
    log(`check of ${n} attributes: ${row.ms.toFixed(0)} ms`);
    return row;
  });
  const roles = [500, 2_000, 8_000].map((n) => {
    const row = { n, ...timeCheck(rolesPolicy(n), runs) };
    log(`check of ${n} roles: ${row.ms.toFixed(0)} ms`);
    return row;
  });
  const memory = [
    { input: 'a 200,000-element list literal in a `when:`', what: 'literal', n: 200_000, mode: 'compile', limits: {} },
    { input: 'a 1,000-element list literal (9,894 characters, within the limit)', what: 'literal', n: 1_000, mode: 'compile', limits: {} },
    { input: 'a 20,000-element list literal, limit raised', what: 'literal', n: 20_000, mode: 'compile', limits: { maxExpressionLength: 1e9 } },
    { input: '10,000 roles × 2 resources × 5 actions (100,000 rules: both limits reached)', what: 'roles', n: 10_000, mode: 'compile', limits: {} },
    { input: '1,000 roles × 1,000 attributes with field rules (1,000,000 field-mask entries: the limit)', what: 'fields', n: '1000x1000', mode: 'compile', limits: {} },
    { input: '195,000 attributes of one resource (4.2 MB: near the byte limit)', what: 'attributes', n: 195_000, mode: 'compile', limits: {} },
  ].map((row) => {
    const result = memoryOf(row.what, row.n, row.mode, row.limits);
    log(`${row.input}: peak ${(result.peak / 1e6).toFixed(0)} MB`);
    return { ...row, ...result };
  });
  return { attributes, roles, memory, runs };
}

/** The markdown tables of a run. */
export function scaleMarkdown({ attributes, roles, memory, runs }) {
  const fmt = (n, d = 1) => n.toFixed(d);
  const lines = [`### Checking grows linearly with the policy text (\`bench/compile-scale.mjs\`, \`checkDir\`, median of ${runs})`, ''];
  lines.push('| policy | YAML | `checkDir` | × previous size | time × previous |', '|---|---:|---:|---:|---:|');
  for (const [label, rows] of [['attributes of one resource', attributes], ['roles (2 resources × 5 actions, reporting tree)', roles]]) {
    rows.forEach((row, i) => {
      const prev = rows[i - 1];
      lines.push(`| ${row.n.toLocaleString('en')} ${label} | ${fmt(row.bytes / 1e6, 2)} MB | ${fmt(row.ms, 0)} ms | ${prev ? fmt(row.bytes / prev.bytes, 1) : ''} | ${prev ? `**${fmt(row.ms / prev.ms, 1)}**` : ''} |`);
    });
  }
  lines.push('', '### Memory of one compile (`compileDir`, peak resident set of a fresh child process)', '');
  lines.push('| input | result | time | peak RSS | heap after | bundle |', '|---|---|---:|---:|---:|---:|');
  for (const row of memory) {
    const result = row.codes.length === 0 ? 'compiled' : row.codes.join(', ');
    lines.push(`| ${row.input} | ${result} | ${fmt(row.ms / 1000, 2)} s | ${fmt(row.peak / 1e6, 0)} MB | ${fmt(row.heap / 1e6, 0)} MB | ${row.bundle === 0 ? '—' : `${fmt(row.bundle / 1e6, 2)} MB`} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(scaleMarkdown(await runScaleBench({ log: (line) => console.error(`  … ${line}`) })));
}
