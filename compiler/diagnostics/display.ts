/**
 * Showing policy text on a terminal or in a CI log (issue 14). Policy text is untrusted: an
 * escape sequence (`\x1b[2J`) could rewrite the log a reviewer reads, and a bidirectional
 * override (U+202E) could make it say something else, so control and bidi-control characters
 * are shown escaped in every output format. Code frames underline by display width: a CJK
 * character or an emoji takes two columns, a combining mark none.
 */

/** C0 and C1 controls (tab, line feed and carriage return too), DEL, bidi controls, line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const IS_CONTROL = new RegExp(CONTROL.source);

const hex = (c: string): string => `\\u{${c.charCodeAt(0).toString(16)}}`;

/** `s` with every control character written as `\u{…}`, so it shows, and does nothing, wherever it is printed. */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, hex);
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]$/u;
const WIDE = /^[\p{Emoji_Presentation}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]$/u;

/** Columns one code point takes on a terminal (escaped controls: their escape's length; tab: 4). */
export function codePointWidth(c: string): number {
  if (c === '\t') return 4;
  if (IS_CONTROL.test(c)) return hex(c).length;
  if (ZERO_WIDTH.test(c)) return 0;
  return WIDE.test(c) ? 2 : 1;
}

/** How a code point is shown in a code frame: controls escaped, a tab as four spaces. */
function shown(c: string): string {
  if (c === '\t') return '    ';
  return escapeControls(c);
}

/** Longest line a frame shows whole; a longer one is cut around the span. */
const MAX_WIDTH = 160;
const BEFORE = 40;
/** UTF-16 units above which only a slice of the line around the span is measured. */
const LONG_LINE = 1_000;

/** `i`, moved off the second half of a surrogate pair. */
const unitBoundary = (s: string, i: number): number => (i > 0 && i < s.length && /[\udc00-\udfff]/.test(s[i]!) ? i + 1 : i);

/**
 * A source line as shown in a code frame, and the underline of the part from UTF-16 offset
 * `start` to `end` within it (at least one column). Long lines are cut around the span with `…`.
 */
export function frameLine(line: string, start: number, end: number): { text: string; pad: number; width: number } {
  if (line.length > LONG_LINE) {
    // a line of megabytes (a generated literal): look only at the part around the span
    const from = unitBoundary(line, Math.max(0, start - 2 * BEFORE));
    const to = unitBoundary(line, Math.min(line.length, start + 2 * MAX_WIDTH));
    const inner = frameLine(line.slice(from, to), start - from, Math.min(end, to) - from);
    const cutBefore = from > 0 && !inner.text.startsWith('…');
    return {
      text: `${cutBefore ? '…' : ''}${inner.text}${to < line.length && !inner.text.endsWith('…') ? '…' : ''}`,
      pad: inner.pad + (cutBefore ? 1 : 0),
      width: inner.width,
    };
  }
  const cells: { text: string; width: number; offset: number }[] = [];
  let offset = 0;
  for (const c of line) {
    cells.push({ text: shown(c), width: codePointWidth(c), offset });
    offset += c.length;
  }
  let pad = 0;
  let width = 0;
  let total = 0;
  for (const cell of cells) {
    if (cell.offset < start) pad += cell.width;
    else if (cell.offset < end) width += cell.width;
    total += cell.width;
  }
  width = Math.max(1, width);
  if (total <= MAX_WIDTH) return { text: cells.map((c) => c.text).join(''), pad, width };
  // keep the columns [from, to) of the line
  const from = Math.max(0, Math.min(pad - BEFORE, total - MAX_WIDTH));
  const to = from + MAX_WIDTH;
  let text = from > 0 ? '…' : '';
  let column = 0;
  for (const cell of cells) {
    if (column >= from && column + cell.width <= to) text += cell.text;
    column += cell.width;
  }
  if (to < total) text += '…';
  const shift = from > 0 ? 1 - from : 0;
  return { text, pad: pad + shift, width: Math.max(1, Math.min(width, to - pad)) };
}
