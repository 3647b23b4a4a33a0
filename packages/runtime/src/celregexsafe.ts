/**
 * Literal `matches` patterns that V8's backtracking `RegExp` provably runs in linear time and
 * answers exactly as RE2 does: for those (issue 13.3 allows it) a literal pattern skips RE2,
 * about ten times slower per call. Anything outside this small subset goes to RE2.
 *
 * The subset, and why it is safe:
 * - ASCII literals, escaped punctuation, `\d` and `\w` (ASCII in both engines without flags),
 *   classes of those with ranges between letters or digits, `.` (written `[^\n]`: JS's `.`
 *   also excludes `\r`, U+2028 and U+2029, RE2's only `\n`), `^` first and `$` last;
 * - quantifiers on a single character or class only, never on or inside a group; groups only
 *   hold alternatives of literals; no inline flags, no lazy quantifiers;
 * - at most {@link MAX_BRANCHES} ways through the optional parts, counted as a product, and at
 *   most {@link MAX_WIDTH} characters read by the bounded parts;
 * - at most one unbounded quantifier (`*`, `+`, `{n,}`), and only when the pattern starts with
 *   `^` and has no alternative outside a group: then the one attempt that can succeed (at the
 *   start) backtracks over at most n positions times a bounded number of branches. Without an
 *   unbounded quantifier each attempt reads a bounded number of characters.
 */

/** Characters meaning themselves in both engines, outside and inside classes. */
const PLAIN = /^[A-Za-z0-9 _@,:;'"<>=!%&~#/]$/;
/** Characters a backslash turns into themselves in both engines. */
const ESCAPABLE = /^[.\-\\/+*?()[\]{}|^$]$/;
const ALNUM = /^[A-Za-z0-9]$/;
const MAX_BRANCHES = 256;
const MAX_WIDTH = 1000;
const MAX_REPEAT = 1000; // RE2's limit on a repeat count

/** The JS source of one class `[...]` starting at `start` (after `[`), and where it ends; undefined outside the subset. */
function parseClass(p: string, start: number): { source: string; end: number } | undefined {
  let i = start;
  let source = '[';
  if (p[i] === '^') source += p[i++];
  const first = i;
  while (i < p.length && p[i] !== ']') {
    const c = p[i]!;
    if (c === '\\') {
      const e = p[i + 1] ?? '';
      if (e !== 'd' && e !== 'w' && !ESCAPABLE.test(e)) return undefined;
      if (p[i + 2] === '-' && p[i + 3] !== ']') return undefined; // a range from an escape
      source += `\\${e}`;
      i += 2;
    } else if (c === '-' && (i === first || p[i + 1] === ']')) {
      source += '\\-';
      i++;
    } else if (PLAIN.test(c)) {
      if (p[i + 1] === '-' && p[i + 2] !== ']' && i + 2 < p.length) {
        const to = p[i + 2]!;
        if (!ALNUM.test(c) || !ALNUM.test(to) || to < c) return undefined;
        source += `${c}-${to}`;
        i += 3;
      } else {
        source += c;
        i++;
      }
    } else return undefined;
  }
  // `[]` is an empty class in JS, the start of a class holding `]` in RE2
  if (i >= p.length || i === first) return undefined;
  return { source: `${source}]`, end: i + 1 };
}

/** A quantifier: its text, how many choices it adds, and the most repetitions (`Infinity` when unbounded). */
interface Repeat {
  readonly text: string;
  readonly choices: number;
  readonly max: number;
}

const SIMPLE_REPEATS: Readonly<Record<string, Repeat>> = {
  '*': { text: '*', choices: 1, max: Infinity },
  '+': { text: '+', choices: 1, max: Infinity },
  '?': { text: '?', choices: 2, max: 1 },
};

/** `{n}`, `{n,}`, `{n,m}` at `start`. */
function parseRepeat(p: string, start: number): Repeat | undefined {
  const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(p.slice(start));
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  if (min > MAX_REPEAT || (max !== Infinity && (max > MAX_REPEAT || max < min))) return undefined;
  return { text: m[0], choices: max === Infinity ? 1 : max - min + 1, max };
}

/** A `RegExp` answering as RE2 does on `pattern` in linear time, or undefined when the pattern is outside the subset. */
export function safeRegExp(pattern: string): RegExp | undefined {
  const p = pattern;
  let i = 0;
  let source = '';
  let branches = 1;
  let unbounded = 0;
  let inGroup = false;
  let groupArms = 1;
  let topArms = 1;
  let quantifiable = false;
  let width = 0;
  const anchored = p.startsWith('^');
  if (anchored) {
    source = '^';
    i = 1;
  }
  while (i < p.length) {
    const c = p[i]!;
    let atom: string | undefined;
    let next = i + 1;
    if (c === '$') {
      if (i !== p.length - 1 || inGroup) return undefined;
      source += '$';
    } else if (c === '(') {
      if (inGroup) return undefined;
      inGroup = true;
      groupArms = 1;
      if (p.startsWith('(?:', i)) next = i + 3;
      else if (p[i + 1] === '?') return undefined; // inline flags, named groups
      source += '(?:';
    } else if (c === ')') {
      if (!inGroup) return undefined;
      inGroup = false;
      branches *= groupArms;
      source += ')';
    } else if (c === '|') {
      if (inGroup) groupArms++;
      else topArms++;
      source += '|';
    } else if (c === '.') atom = '[^\\n]';
    else if (c === '[') {
      const cls = parseClass(p, i + 1);
      if (cls === undefined) return undefined;
      atom = cls.source;
      next = cls.end;
    } else if (c === '\\') {
      const e = p[i + 1] ?? '';
      if (e !== 'd' && e !== 'w' && !ESCAPABLE.test(e)) return undefined;
      atom = `\\${e}`;
      next = i + 2;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      if (!quantifiable || inGroup) return undefined;
      const repeat = c === '{' ? parseRepeat(p, i) : SIMPLE_REPEATS[c];
      if (repeat === undefined) return undefined;
      next = i + repeat.text.length;
      if (p[next] === '?' || p[next] === '+' || p[next] === '*' || p[next] === '{') return undefined; // lazy, possessive or repeated repeats
      branches *= repeat.choices;
      if (repeat.max === Infinity) unbounded++;
      else width += repeat.max - 1; // the atom counted one already
      source += repeat.text;
    } else if (PLAIN.test(c) || c === '-') atom = c; // `-` is special only in classes
    else return undefined;
    if (atom !== undefined) {
      source += atom;
      width++;
    }
    quantifiable = atom !== undefined;
    if (branches * groupArms * topArms > MAX_BRANCHES || width > MAX_WIDTH) return undefined;
    i = next;
  }
  if (inGroup || unbounded > 1 || (unbounded === 1 && (!anchored || topArms > 1))) return undefined;
  try {
    return new RegExp(source, 'u');
  } catch {
    return undefined;
  }
}
