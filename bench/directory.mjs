// Checking a user directory against a policy (issue 16, `policyc check --directory`): 100,000
// users in a few seconds, and linear — ×4 the users, about ×4 the time. The directories are the
// hostile corpus's generator (test/hostile/make.mjs: every field in use, ten organisations, a
// reporting tree). `node bench/directory.mjs` prints the table alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDirectoryFile } from '../dist/compiler/index.js';
import { DIRECTORY_POLICY, directoryText, directoryUsers } from '../test/hostile/make.mjs';
import { median } from './lib.mjs';

/** Median time of `checkDirectoryFile` over `runs`, the directory checked clean. */
function timeDirectory(dir, users, format, runs) {
  const file = join(dir, `users-${users}.${format}`);
  const text = directoryText(directoryUsers(users), format);
  writeFileSync(file, text);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = checkDirectoryFile(join(dir, 'policy'), file);
    times.push(performance.now() - start);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`the generated directory does not check: ${errors[0].code} ${errors[0].message}`);
    if (result.directory.users !== users) throw new Error(`checked ${result.directory.users} users of ${users}`);
  }
  return { format, users, bytes: Buffer.byteLength(text), ms: median(times) };
}

export async function runDirectoryBench({ log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-directory-bench-'));
  try {
    // the policy in a folder of its own: a YAML directory inside it would be read as a policy file
    const policy = join(dir, 'policy');
    mkdirSync(policy);
    writeFileSync(join(policy, 'policy.yaml'), DIRECTORY_POLICY);
    const rows = [];
    for (const [format, users, runs] of [['jsonl', 25_000, 3], ['jsonl', 100_000, 3], ['json', 100_000, 3], ['yaml', 10_000, 1]]) {
      log(`directory: ${users.toLocaleString('en')} users as ${format}`);
      rows.push(timeDirectory(dir, users, format, runs));
    }
    return { rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function directoryMarkdown({ rows }) {
  const out = ['### Checking a user directory (`policyc check --directory`, median of 3; one run for YAML, which `yaml` parses at about a tenth of the speed: large directories are JSON Lines)', '', '| format | users | file | check (read, shape, names, keys, reporting cycles, R-O2) | per user |', '|---|---:|---:|---:|---:|'];
  for (const r of rows) out.push(`| ${r.format} | ${r.users.toLocaleString('en')} | ${(r.bytes / 1e6).toFixed(1)} MB | **${(r.ms / 1000).toFixed(2)} s** | ${((r.ms * 1000) / r.users).toFixed(1)} µs |`);
  const jsonl = rows.filter((r) => r.format === 'jsonl');
  const big = rows.find((r) => r.format === 'jsonl' && r.users === 100_000);
  const growth = jsonl[1].ms / jsonl[0].ms;
  out.push('', `Goal: 100,000 users in a few seconds (JSON Lines, the format for large directories, < 5 s): ${big.ms < 5000 ? 'met' : '**not met**'}; linear, ×4 the users at most ×6 the time: ${growth <= 6 ? 'met' : '**not met**'} (×${growth.toFixed(2)}).`);
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(directoryMarkdown(await runDirectoryBench({ log: (l) => console.error(`  … ${l}`) })));
