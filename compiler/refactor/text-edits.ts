/**
 * Text edits at the exact positions the YAML parser reports, so a refactor changes only the
 * names it must and every comment and layout choice of the author stays byte for byte.
 */
import { isScalar, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const edit of sorted) {
    if (edit.end > limit) throw new Error('policyc internal error: overlapping edits');
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
    limit = edit.start;
  }
  return out;
}

const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9_\-.]*$/;
const PLAIN_RESERVED = /^(?:true|false|null)$/i; // the YAML 1.2 core schema's non-strings (numbers fail PLAIN_SAFE)

/** The source of `value` written in the style of `scalar` (plain, 'single' or "double" quoted). */
function scalarSource(scalar: Scalar, value: string): string {
  if (scalar.type === 'PLAIN' && PLAIN_SAFE.test(value) && !PLAIN_RESERVED.test(value)) return value;
  if ((scalar.type === 'PLAIN' || scalar.type === 'QUOTE_SINGLE') && !/[\n\r\u2028\u2029\t]|[\u0000-\u001f]/.test(value)) {
    return `'${value.replace(/'/g, "''")}'`;
  }
  return JSON.stringify(value);
}

/** Replaces the scalar's value (its source range, not its trailing comment) with `value`. */
export function replaceScalar(text: string, scalar: Scalar, value: string): Edit {
  const [start, end] = scalar.range ?? [0, 0];
  if (text.slice(start, end).includes('\n')) throw new Error('policyc internal error: a role name written over several lines');
  return { start, end, text: scalarSource(scalar, value) };
}

/** Start of the line holding `offset`. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Start of the line after the one holding `offset` (or the end of the text). */
function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

const isBlank = (line: string): boolean => /^\s*$/.test(line);
const indentOf = (line: string): number => /^ */.exec(line)![0].length;
const isCommentAt = (line: string, indent: number): boolean => new RegExp(`^ {${indent}}#`).test(line);

/**
 * The text range of entry `index` of a block mapping: its key line, the comment lines at the
 * key's indentation just above it, and everything below it up to the next entry's own leading
 * comments. Undefined when the mapping is not laid out one entry per line (flow style).
 */
export function blockEntryRange(text: string, map: YAMLMap, index: number, leadingComments = true): { start: number; end: number } | undefined {
  if (map.flow) return undefined;
  const pair = map.items[index];
  const key = pair?.key;
  if (!isScalar(key) || !key.range) return undefined;
  const keyLine = lineStart(text, key.range[0]);
  if (!/^ *$/.test(text.slice(keyLine, key.range[0]))) return undefined;
  const indent = key.range[0] - keyLine;

  const linesAbove = (from: number): number => {
    // comment lines at the key's indentation directly above the line starting at `from`
    let start = from;
    while (start > 0) {
      const previous = lineStart(text, start - 1);
      if (!isCommentAt(text.slice(previous, start - 1), indent)) break;
      start = previous;
    }
    return start;
  };
  const start = leadingComments ? linesAbove(keyLine) : keyLine;

  let end: number;
  const next = map.items[index + 1];
  if (next) {
    const nextKey = next.key;
    if (!isScalar(nextKey) || !nextKey.range) return undefined;
    end = linesAbove(lineStart(text, nextKey.range[0]));
  } else {
    // the last entry: down to the first line less indented than the key
    end = nextLineStart(text, key.range[0]);
    while (end < text.length) {
      const after = nextLineStart(text, end);
      const line = text.slice(end, after).replace(/\r?\n$/, '');
      if (!isBlank(line) && indentOf(line) < indent) break;
      end = after;
    }
  }
  // blank lines at the end of the entry separate it from what follows: keep them unless the
  // entry itself follows a blank line (or opens the mapping), so spacing stays as it was
  let contentEnd = end;
  while (contentEnd > start) {
    const previous = lineStart(text, contentEnd - 1);
    if (!isBlank(text.slice(previous, contentEnd))) break;
    contentEnd = previous;
  }
  const first = index === 0;
  const blankBefore = start >= 2 && text.slice(lineStart(text, start - 1), start).trim() === '';
  if (!first && !blankBefore) end = contentEnd;
  return { start, end };
}

/** The text range of a list item, with its separator, so the list stays well formed. */
export function listItemRange(text: string, list: YAMLSeq, index: number): { start: number; end: number } | undefined {
  const item = list.items[index];
  if (!isScalar(item) || !item.range) return undefined;
  if (list.flow) {
    const previous = list.items[index - 1];
    const following = list.items[index + 1];
    if (isScalar(previous) && previous.range) return { start: previous.range[1], end: item.range[1] };
    if (isScalar(following) && following.range) return { start: item.range[0], end: following.range[0] };
    return undefined;
  }
  const start = lineStart(text, item.range[0]);
  if (!/^ *- +$/.test(text.slice(start, item.range[0]))) return undefined;
  return { start, end: nextLineStart(text, item.range[1]) };
}
