/**
 * Minifying an ES module bundle without losing what an application's bundler needs from it.
 *
 * esbuild drops `/* @__PURE__ *\/` and `// @__NO_SIDE_EFFECTS__` annotations when it removes
 * whitespace (by design: minified code is meant for end users). A bundler that imports the
 * checker's `can` alone needs them to leave plans, field masks and reasons out, and Node parses
 * a module with its whitespace more slowly (issue 17: import and first decision within 5 ms). So
 * the module is minified with a source map, and each annotation is written back before the token
 * the map says the annotated expression starts with. The result is kept only when minifying it
 * again gives what minifying the code without them gives: nothing but comments was added.
 */
import { decode } from '@jridgewell/sourcemap-codec';
import { transform } from 'esbuild';

// as esbuild prints them (`// @__NO_SIDE_EFFECTS__` on a line of its own), or as written
const ANNOTATION = /\/\* @__PURE__ \*\/|\/\/ @__NO_SIDE_EFFECTS__\n|\/\* @__NO_SIDE_EFFECTS__ \*\//g;

/** Offsets at which each line of `text` starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/**
 * `code` (an ES module) minified, its annotations kept where the source map finds the expression
 * they annotate; `undefined` when writing them back would change more than comments.
 */
export async function minifyKeepingAnnotations(code: string): Promise<string | undefined> {
  const starts = lineStarts(code);
  const lineOf = (offset: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  // the annotation of the expression that starts at each original position
  const wanted = new Map<string, string>();
  for (const match of code.matchAll(ANNOTATION)) {
    let after = match.index + match[0].length;
    while (code[after] === ' ' || code[after] === '\n') after++;
    const line = lineOf(after);
    wanted.set(`${line}:${after - starts[line]!}`, match[0].includes('PURE') ? '/* @__PURE__ */' : '/* @__NO_SIDE_EFFECTS__ */');
  }
  const minified = await transform(code, { minify: true, format: 'esm', target: 'es2022', sourcemap: 'external', sourcefile: 'checker.js' });
  const generatedStarts = lineStarts(minified.code);
  const inserts = new Map<number, string>();
  // each generated line's segments: [column, source, original line, original column, name?], all from 0
  decode((JSON.parse(minified.map) as { mappings: string }).mappings).forEach((segments, line) => {
    for (const [column, , originalLine, originalColumn] of segments) {
      if (originalLine === undefined || originalColumn === undefined) continue;
      const annotation = wanted.get(`${originalLine}:${originalColumn}`);
      if (annotation !== undefined) inserts.set(generatedStarts[line]! + column, annotation);
    }
  });
  // from the end, so that the offsets still to insert at stay where they were
  let out = minified.code;
  for (const [at, annotation] of [...inserts].sort((a, b) => b[0] - a[0])) out = `${out.slice(0, at)}${annotation}${out.slice(at)}`;
  const [again, plain] = await Promise.all([transform(out, { minify: true, format: 'esm', target: 'es2022' }), transform(minified.code, { minify: true, format: 'esm', target: 'es2022' })]);
  return again.code === plain.code ? out : undefined;
}
