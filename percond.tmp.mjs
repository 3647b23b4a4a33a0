import { parse } from '@marcbachmann/cel-js';
import { CONDITIONS, bindings, compiledConditions } from './bench/cel.mjs';
const { conditions } = await compiledConditions();
const all = bindings().slice(0, +(process.env.N ?? 5000));
for (let k = 0; k < CONDITIONS.length; k++) {
  const f = conditions[k]; const g = parse(CONDITIONS[k]);
  let best = [Infinity, Infinity];
  for (let r = 0; r < 30; r++) {
    let s = performance.now(); for (const b of all) f(b.principal, b.resource, b.context); best[0] = Math.min(best[0], (performance.now()-s)*1e6/all.length);
    s = performance.now(); for (const b of all) { try { g(b) } catch {} } best[1] = Math.min(best[1], (performance.now()-s)*1e6/all.length);
  }
  console.log(best.map(x=>x.toFixed(0)).join('\t'), CONDITIONS[k]);
}
