import { largePolicy } from './compile.mjs';
import { checkDir, emit } from '../dist/compiler/index.js';
const dir = largePolicy();
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const c = checkDir(dir);
  const t1 = performance.now();
  const out = await emit(c.model);
  const t2 = performance.now();
  console.log('check', ((t1 - t0) / 1000).toFixed(2), 'emit+bundle', ((t2 - t1) / 1000).toFixed(2));
}
