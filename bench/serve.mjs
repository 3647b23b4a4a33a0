// `node bench/serve.mjs`: `policyc serve` under load with autocannon, on 127.0.0.1 only and
// bounded in time (DURATION seconds per row). The server runs in its own process (one process,
// then two workers), autocannon in this one; on a 2-core machine they compete for the cores, so
// read the rows side by side. Also times the same decision in process (the checker alone, and
// the server's whole decision step: directory lookup, record lookup, check) to show what share
// of a request the decision is. The decision log is on (written to /dev/null), as in production.
// Prints a markdown table.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}node_modules/.cache/policyc-serve-bench/`;
const DIR = `${root}policies/authzen-search`;
const DURATION = Number(process.env.SERVE_BENCH_SECONDS ?? 8);
const CONNECTIONS = 16;

mkdirSync(out, { recursive: true });
await build({ entryPoints: [`${root}server/index.ts`], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: `${out}server.mjs`, logLevel: 'warning' });
writeFileSync(`${out}serve.mjs`, `import { serveCommand } from './server.mjs';
const [dir, port, workers] = process.argv.slice(2);
const code = await serveCommand(dir, { port: Number(port), workers: Number(workers), log: '/dev/null', watch: false, limits: { maxEvaluations: 1000 } });
if (code !== 0) process.exit(code);
`);
const { loadPolicySet, decide } = await import(`${out}server.mjs`);

const single = { subject: { type: 'user', id: 'dan' }, action: { name: 'edit' }, resource: { type: 'record', id: '115' } };
const ids = Array.from({ length: 20 }, (_, i) => String(101 + i));
const batch = { subject: { type: 'user', id: 'alice' }, action: { name: 'edit' }, evaluations: Array.from({ length: 100 }, (_, i) => ({ resource: { type: 'record', id: ids[i % ids.length] } })) };

async function freePort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

async function serve(workers) {
  const port = await freePort();
  const child = spawn(process.execPath, [`${out}serve.mjs`, DIR, String(port), String(workers)], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${seen}`)), 120_000);
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      if (/ at http:\/\//.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code}: ${seen}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: async () => { child.kill('SIGTERM'); if (child.exitCode === null) await once(child, 'exit'); } };
}

async function load(url, path, body) {
  // a short warm-up, then the measured run
  await autocannon({ url: url + path, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), connections: CONNECTIONS, duration: 2 });
  const r = await autocannon({ url: url + path, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), connections: CONNECTIONS, duration: DURATION });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx answers and ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

/** ns per call of `fn`, median of 7 rounds of `n` calls. */
async function nsPer(fn, n) {
  const rounds = [];
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn(i);
    rounds.push(Number(process.hrtime.bigint() - start) / n);
  }
  return rounds.sort((a, b) => a - b)[3];
}

const set = await loadPolicySet(DIR);
const now = new Date();
const principal = await set.subjects.principal('user', 'dan');
const record = { kind: 'record', id: '115', ...(await set.records.get('record', '115')) };
let sink = 0;
const checkerNs = await nsPer(() => { sink += set.checker.can(principal, 'edit', record, { now }).allow ? 1 : 0; }, 200_000);
const evaluation = { subject: { ...single.subject, properties: undefined }, action: { ...single.action, properties: undefined }, resource: { ...single.resource, properties: undefined }, context: undefined };
const decideNs = await nsPer(() => decide(set, evaluation, now).then((o) => { sink += o.allow ? 1 : 0; }), 50_000);
await set.close();

const rows = [];
for (const workers of [1, 2]) {
  const server = await serve(workers);
  try {
    const one = await load(server.url, '/access/v1/evaluation', single);
    const hundred = await load(server.url, '/access/v1/evaluations', batch);
    rows.push({ workers, one, hundred });
  } finally {
    await server.stop();
  }
}

const fmt = (n, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`### policyc serve: AuthZEN decisions over HTTP (autocannon, ${CONNECTIONS} connections, ${DURATION} s per row, ${availableParallelism()} cores shared with the load generator)`);
console.log();
console.log('| server | request | requests/s | decisions/s | p50 latency (ms) | p99 latency (ms) |');
console.log('|---|---|---:|---:|---:|---:|');
for (const { workers, one, hundred } of rows) {
  const label = workers === 1 ? '1 process' : `${workers} workers`;
  console.log(`| ${label} | single evaluation | ${fmt(one.rps)} | ${fmt(one.rps)} | ${one.p50} | ${one.p99} |`);
  console.log(`| ${label} | batch of 100 | ${fmt(hundred.rps)} | ${fmt(hundred.rps * 100)} | ${hundred.p50} | ${hundred.p99} |`);
}
console.log();
const oneProcess = rows[0].one.rps;
console.log(`In process, the same decision: the checker alone ${fmt(checkerNs, 0)} ns; the server's decision step (directory lookup, record lookup, check) ${fmt(decideNs / 1000, 2)} µs.`);
console.log(`One process answering ${fmt(oneProcess)} requests/s spends about ${fmt(1e6 / oneProcess, 0)} µs per request (an upper bound: the load generator shares the cores), so the decision step is at least ${fmt((100 * decideNs) / 1000 / (1e6 / oneProcess), 1)}% of it and the checker ${fmt((100 * checkerNs) / 1000 / (1e6 / oneProcess), 2)}%.`);
if (sink < 0) console.log(sink);
