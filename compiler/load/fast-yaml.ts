/**
 * A fast path for the YAML that policies are written in (issue 17): block mappings and lists,
 * one-line flow collections, plain words and quoted strings, comments. `yaml` builds a token tree
 * and then a document of it, which for a 1 MB policy took most of the time of `policyc check`;
 * this reads the same files in one pass into the same value and the same nodes with the same
 * ranges (all that `spanAt` reads), and gives up — `undefined` — at the first thing outside that
 * subset or anything doubtful (an anchor, a tag, a block scalar, a multi-line scalar, a tab, a
 * duplicate key, a float, a nesting past the limit, …). Then `yaml` parses the file as before, with
 * its diagnostics. test/fast-yaml.test.ts compares both on every bundled policy and random ones.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

/** Thrown inside the fast path when the text is outside its subset; never escapes this module. */
class Outside extends Error {}
const outside = (): never => {
  throw new Outside();
};

/** A line with content: where it starts, its indentation and where its text ends (before the newline). */
interface Line {
  readonly start: number;
  readonly indent: number;
  readonly end: number;
}

/**
 * A plain scalar starting with a letter or `_` is a string unless it is a null or boolean keyword:
 * no number, date or indicator starts that way (the scanner has already stopped it at `: ` and ` #`).
 */
const WORD = /^[\p{L}_]/u;
const INTEGER = /^(0|-?[1-9][0-9]{0,14})$/;
const NULLS = new Set(['null', 'Null', 'NULL', '~']);
const BOOLEANS = new Map([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);

/** The value of a plain scalar, as YAML 1.2's core schema reads it, when it is a word, `*`, an integer, a boolean or null; else `yaml` decides. */
function plainValue(text: string): unknown {
  if (NULLS.has(text)) return null;
  const bool = BOOLEANS.get(text);
  if (bool !== undefined) return bool;
  if (INTEGER.test(text)) return Number(text);
  if (WORD.test(text) || text === '*') return text;
  return outside();
}

export function fastParseYaml(text: string, maxDepth: number): { doc: Document.Parsed; value: unknown } | undefined {
  // tabs, carriage returns, control and line-separator characters, surrogates, directives and document markers: `yaml`'s
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/.test(text) || /^(---|\.\.\.|%)/m.test(text)) return undefined;
  try {
    return new FastParser(text, maxDepth).document();
  } catch (error) {
    if (error instanceof Outside) return undefined;
    throw error;
  }
}

class FastParser {
  private readonly lines: Line[] = [];
  /** Per content line (and one past the last), the deepest indentation of the comment lines just before it, or -1. */
  private readonly commentsBefore: number[] = [];
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    let start = 0;
    let comments = -1;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let indent = start;
      while (indent < end && text.charCodeAt(indent) === 32) indent++;
      // blank and comment-only lines carry no value
      if (indent < end && text.charCodeAt(indent) !== 35) {
        this.lines.push({ start, indent: indent - start, end });
        this.commentsBefore.push(comments);
        comments = -1;
      } else if (indent < end) comments = Math.max(comments, indent - start);
      start = end + 1;
    }
    this.commentsBefore.push(comments);
  }

  document(): { doc: Document.Parsed; value: unknown } | undefined {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0) return undefined;
    const { node, value } = this.block(0, 1);
    if (this.at !== this.lines.length) outside();
    const doc = new Document() as Document.Parsed;
    doc.contents = node as Document.Parsed['contents'];
    return { doc, value };
  }

  /** The end of a line including its newline, as `yaml` ends the node that closes the line. */
  private lineEnd(line: Line): number {
    return Math.min(line.end + 1, this.text.length);
  }

  /** A block mapping or list whose first line is the current one, at `indent`. */
  private block(indent: number, depth: number): { node: YAMLMap | YAMLSeq; value: unknown; end: number } {
    if (depth > this.maxDepth) outside();
    const line = this.lines[this.at]!;
    return this.text.startsWith('- ', line.start + line.indent) ? this.list(indent, depth) : this.mapping(indent, depth);
  }

  private mapping(indent: number, depth: number): { node: YAMLMap; value: unknown; end: number } {
    const map = new YAMLMap();
    const value: Record<string, unknown> = {};
    const seen = new Set<string>();
    let end = 0;
    let first = -1;
    for (let line = this.lines[this.at]; line !== undefined && line.indent === indent; line = this.lines[this.at]) {
      const from = line.start + line.indent;
      if (this.text.startsWith('- ', from)) outside();
      if (first < 0) first = from;
      const key = this.scalar(from, line.end, 'key');
      const name = typeof key.value === 'string' && key.next - from <= 1000 ? key.value : outside();
      if (seen.has(name) || name === '__proto__' || name === '<<') outside();
      seen.add(name);
      let i = key.next;
      if (this.text.charCodeAt(i) !== 58) outside();
      i++;
      const rest = this.skipSpaces(i, line.end);
      let item: { node: Node; value: unknown; end: number };
      if (rest === line.end || (this.text.charCodeAt(rest) === 35 && rest > i)) {
        // the value is the block below: deeper, or a list at the same indentation
        this.at++;
        const next = this.lines[this.at];
        const listHere = next !== undefined && next.indent === indent && this.text.startsWith('- ', next.start + next.indent);
        if (next === undefined || (next.indent <= indent && !listHere)) return outside();
        item = this.block(next.indent, depth + 1);
      } else {
        if (rest === i) outside(); // `a:b` is one plain scalar
        item = this.inline(rest, line, depth + 1);
      }
      map.items.push(new Pair(key.node, item.node));
      Object.defineProperty(value, name, { value: item.value, enumerable: true, writable: true, configurable: true });
      end = item.end;
    }
    map.range = [first, end, end];
    return { node: map, value, end };
  }

  private list(indent: number, depth: number): { node: YAMLSeq; value: unknown; end: number } {
    const seq = new YAMLSeq();
    const value: unknown[] = [];
    let end = 0;
    let first = -1;
    for (let line = this.lines[this.at]; line !== undefined && line.indent === indent; line = this.lines[this.at]) {
      const from = line.start + line.indent;
      if (!this.text.startsWith('- ', from)) break;
      if (first < 0) first = from;
      const rest = this.skipSpaces(from + 2, line.end);
      if (rest === line.end || this.text.charCodeAt(rest) === 35 || this.text.charCodeAt(rest) === 45) outside();
      const item = this.inline(rest, line, depth + 1);
      if (item.node instanceof Scalar && this.text.charCodeAt(this.skipSpaces(item.node.range![1], line.end)) === 58) outside(); // `- key: value`
      seq.items.push(item.node);
      value.push(item.value);
      end = item.end;
    }
    seq.range = [first, end, end];
    return { node: seq, value, end };
  }

  /** A value on the rest of `line` from `i`: a flow collection or a scalar, then at most a comment; the next line must not continue it. */
  private inline(i: number, line: Line, depth: number): { node: Node; value: unknown; end: number } {
    const c = this.text.charCodeAt(i);
    const item = c === 91 || c === 123 ? this.flow(i, line.end, depth) : this.scalar(i, line.end, 'block');
    const after = this.skipSpaces(item.next, line.end);
    if (after !== line.end && !(this.text.charCodeAt(after) === 35 && after > item.next)) outside();
    this.at++;
    const next = this.lines[this.at];
    if (next !== undefined && next.indent > line.indent) outside(); // a value continued on the next line
    // a comment line indented deeper than what follows belongs to the nodes it closes, whose ends `yaml` moves past it
    if (this.commentsBefore[this.at]! > (next?.indent ?? 0)) outside();
    return { node: item.node, value: item.value, end: this.lineEnd(line) };
  }

  /** `[…]` or `{…}` closed on the same line. */
  private flow(i: number, end: number, depth: number): { node: Node; value: unknown; next: number } {
    if (depth > this.maxDepth) outside();
    const open = i;
    const isMap = this.text.charCodeAt(i) === 123;
    const close = isMap ? 125 : 93;
    const node = isMap ? new YAMLMap() : new YAMLSeq();
    node.flow = true;
    const map: Record<string, unknown> = {};
    const list: unknown[] = [];
    const seen = new Set<string>();
    i = this.skipSpaces(i + 1, end);
    if (this.text.charCodeAt(i) === close) i++;
    else
      for (;;) {
        const c = this.text.charCodeAt(i);
        const entry = c === 91 || c === 123 ? (isMap ? outside() : this.flow(i, end, depth + 1)) : this.scalar(i, end, 'flow');
        i = this.skipSpaces(entry.next, end);
        if (isMap) {
          const name = typeof entry.value === 'string' ? entry.value : outside();
          if (seen.has(name) || name === '__proto__' || name === '<<' || this.text.charCodeAt(i) !== 58 || this.text.charCodeAt(i + 1) !== 32) outside();
          seen.add(name);
          i = this.skipSpaces(i + 1, end);
          const v = this.text.charCodeAt(i);
          const val = v === 91 || v === 123 ? this.flow(i, end, depth + 1) : this.scalar(i, end, 'flow');
          (node as YAMLMap).items.push(new Pair(entry.node, val.node));
          Object.defineProperty(map, name, { value: val.value, enumerable: true, writable: true, configurable: true });
          i = this.skipSpaces(val.next, end);
        } else {
          if (this.text.charCodeAt(i) === 58) outside(); // `[a: b]` is a list of a mapping
          (node as YAMLSeq).items.push(entry.node);
          list.push(entry.value);
        }
        const d = this.text.charCodeAt(i);
        if (d === close) {
          i++;
          break;
        }
        if (d !== 44) outside();
        i = this.skipSpaces(i + 1, end);
        if (this.text.charCodeAt(i) === close) outside(); // a trailing comma: leave it to `yaml`
      }
    node.range = [open, i, i];
    return { node, value: isMap ? map : list, next: i };
  }

  /** A quoted or plain scalar from `i`; `next` is just after it. */
  private scalar(i: number, end: number, context: 'key' | 'block' | 'flow'): { node: Scalar; value: unknown; next: number } {
    const c = this.text.charCodeAt(i);
    let value: unknown;
    let next: number;
    if (c === 39 || c === 34) {
      const close = this.text.indexOf(c === 39 ? "'" : '"', i + 1);
      if (close < 0 || close >= end) outside();
      const inner = this.text.slice(i + 1, close);
      // escapes ('' and backslashes) are left to `yaml`
      if (this.text.charCodeAt(close + 1) === c || (c === 34 && inner.includes('\\'))) outside();
      value = inner;
      next = close + 1;
    } else {
      let j = i;
      for (; j < end; j++) {
        const ch = this.text.charCodeAt(j);
        if (ch === 58 && (j + 1 === end || this.text.charCodeAt(j + 1) === 32 || (context === 'flow' && (this.text.charCodeAt(j + 1) === 44 || this.text.charCodeAt(j + 1) === 125)))) break;
        if (ch === 35 && this.text.charCodeAt(j - 1) === 32) break;
        if (context === 'flow' && (ch === 44 || ch === 93 || ch === 125 || ch === 91 || ch === 123)) break;
      }
      while (j > i && this.text.charCodeAt(j - 1) === 32) j--;
      if (j === i) outside();
      value = plainValue(this.text.slice(i, j));
      next = j;
    }
    const node = new Scalar(value);
    node.range = [i, next, next];
    return { node, value, next };
  }

  private skipSpaces(i: number, end: number): number {
    while (i < end && this.text.charCodeAt(i) === 32) i++;
    return i;
  }
}
