/**
 * Reading a user directory file with positions (docs/directory.md): YAML, JSON or JSON Lines,
 * one entry (a user, or an organisation) at a time, so the work grows with the file and not with
 * the square of it. `yaml` needs about 0.3 s per megabyte of one document and several times
 * the text in memory, so a file is cut into its entries first:
 *
 * - JSON Lines: a line is an entry (`JSON.parse`);
 * - JSON: the list is scanned for its elements' bounds, each element is `JSON.parse`d;
 * - YAML: a list written as a block sequence at column 0 is cut before each `-` at column 0 and
 *   each entry parsed by the load phase's YAML reader (duplicate keys, aliases and depth checked
 *   as in policy files, and as there the first YAML error is the only one); any other YAML
 *   document is parsed whole.
 *
 * Positions inside an entry are found only for a diagnostic: the entry's text is then parsed by
 * the YAML reader (JSON is YAML) and the node at the path located.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Document } from 'yaml';
import { DiagnosticBag, tick, type Span } from '../diagnostics/diagnostic.ts';
import { count, type Limits } from '../diagnostics/limits.ts';
import { spanAt, type PathSegment } from '../load/load.ts';
import { parseYamlFile } from '../load/parse.ts';
import { decodeUtf8 } from '../load/utf8.ts';

/** One entry of the directory: its plain value and where its text is. */
export interface DirectoryEntry {
  readonly value: unknown;
  readonly start: number;
  readonly end: number;
}

export interface DirectoryText {
  /** The file as diagnostics name it (relative to the policy folder). */
  readonly file: string;
  readonly text: string;
  readonly entries: readonly DirectoryEntry[];
  /** The span of a key or value inside an entry (the entry itself for an empty path). */
  readonly spanOf: (entry: DirectoryEntry, path: readonly PathSegment[], part?: 'key' | 'value') => Span;
}

const FORMATS: Record<string, 'yaml' | 'json' | 'jsonl'> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

/**
 * Reads and cuts a directory file; `undefined` after reporting why it cannot be read. Its text
 * goes into `sources` as soon as it is decoded, so even a YAML error is shown at its line.
 */
export function readDirectoryFile(path: string, file: string, bag: DiagnosticBag, limits: Limits, sources: Map<string, string>): DirectoryText | undefined {
  const whole: Span = { file, start: 0, end: 0 };
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) {
    bag.report('DirectoryUnreadable', whole, `the user directory ${tick(file)} is not \`.yaml\`, \`.yml\`, \`.json\` or \`.jsonl\``, { help: 'name the file after its format' });
    return undefined;
  }
  let bytes: Buffer;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) {
      bag.report('DirectoryUnreadable', whole, `the user directory ${tick(file)} is not a regular file`);
      return undefined;
    }
    if (stat.size > limits.maxDirectoryBytes) {
      bag.report('DirectoryTooLarge', whole, `the user directory holds ${count(stat.size)} bytes, more than the limit of ${count(limits.maxDirectoryBytes)}`, {
        help: 'split the directory, or raise the limit (`--limit maxDirectoryBytes=N`)',
      });
      return undefined;
    }
    bytes = readFileSync(path);
  } catch (error) {
    bag.report('DirectoryUnreadable', whole, `cannot read the user directory ${tick(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return undefined;
  }
  const decoded = decodeUtf8(bytes);
  if (decoded.badByte !== undefined) {
    const at = decoded.badOffset;
    bag.report('DirectoryUnreadable', { file, start: at, end: at + 1 }, `${tick(file)} is not valid UTF-8: byte 0x${decoded.badByte.toString(16).padStart(2, '0')} cannot start or continue a character`, {
      help: decoded.utf16 ? 'the file is UTF-16: save it as UTF-8' : 'save the file as UTF-8',
    });
    return undefined;
  }
  const text = decoded.text;
  sources.set(file, text);
  const docs = new Map<DirectoryEntry, { doc: Document.Parsed; prefix: PathSegment[] }>();
  const entries = format === 'jsonl' ? jsonLines(text, file, bag) : format === 'json' ? jsonList(text, file, bag) : yamlList(text, file, bag, limits, docs);
  if (entries === undefined) return undefined;
  if (entries.length > limits.maxDirectoryUsers) {
    bag.report('DirectoryTooLarge', whole, `the user directory has ${count(entries.length)} entries, more than the limit of ${count(limits.maxDirectoryUsers)}`, {
      help: 'split the directory, or raise the limit (`--limit maxDirectoryUsers=N`)',
    });
    return undefined;
  }
  const spanOf = (entry: DirectoryEntry, path: readonly PathSegment[], part: 'key' | 'value' = 'value'): Span => {
    let parsed = docs.get(entry);
    if (parsed === undefined) {
      // JSON text is YAML: the entry's own text, parsed only now that a diagnostic needs a position
      const own = parseYamlFile(file, text.slice(entry.start, entry.end), new DiagnosticBag(), limits);
      if (own === undefined) return { file, start: entry.start, end: entry.end };
      parsed = { doc: own.doc, prefix: [] };
      docs.set(entry, parsed);
    }
    const span = spanAt({ path: file, text: '', doc: parsed.doc, value: undefined }, [...parsed.prefix, ...path], part);
    return { file, start: entry.start + span.start, end: entry.start + span.end };
  };
  return { file, text, entries, spanOf };
}

function jsonLines(text: string, file: string, bag: DiagnosticBag): DirectoryEntry[] | undefined {
  const entries: DirectoryEntry[] = [];
  let ok = true;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      const parsed = parseJson(line, file, start, bag);
      if (parsed.ok) entries.push({ value: parsed.value, start, end: end > start && text[end - 1] === '\r' ? end - 1 : end });
      else ok = false;
    }
    start = end + 1;
  }
  return ok ? entries : undefined;
}

/** A JSON list: the bounds of each element found by a scan (strings and nesting), each element parsed alone. */
function jsonList(text: string, file: string, bag: DiagnosticBag): DirectoryEntry[] | undefined {
  let i = skipSpace(text, 0);
  if (text[i] !== '[') {
    bag.report('DirectoryUnreadable', { file, start: i, end: i + 1 }, `${tick(file)} must hold a list of users`, { help: 'write the users as a JSON list: `[ { "id": "u1", "role": "sales" }, … ]`' });
    return undefined;
  }
  const entries: DirectoryEntry[] = [];
  i = skipSpace(text, i + 1);
  if (text[i] === ']') return trailing(text, file, i + 1, bag) ? entries : undefined;
  for (;;) {
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      } else if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      i++;
    }
    let end = i;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    const parsed = parseJson(text.slice(start, end), file, start, bag);
    if (!parsed.ok) return undefined;
    entries.push({ value: parsed.value, start, end });
    if (text[i] === ',') {
      i = skipSpace(text, i + 1);
      continue;
    }
    if (text[i] === ']') return trailing(text, file, i + 1, bag) ? entries : undefined;
    bag.report('DirectoryUnreadable', { file, start: i, end: i + 1 }, `${tick(file)} is not valid JSON: the list is not closed`, { help: 'end the list with `]`' });
    return undefined;
  }
}

function trailing(text: string, file: string, from: number, bag: DiagnosticBag): boolean {
  const i = skipSpace(text, from);
  if (i >= text.length) return true;
  bag.report('DirectoryUnreadable', { file, start: i, end: i + 1 }, `${tick(file)} is not valid JSON: text after the list`);
  return false;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t' || text[i] === '\uFEFF')) i++;
  return i;
}

function parseJson(slice: string, file: string, offset: number, bag: DiagnosticBag): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(slice) };
  } catch (error) {
    const message = String((error as Error).message);
    const at = /at position (\d+)/.exec(message);
    const start = offset + (at === null ? 0 : Math.min(Number(at[1]), slice.length));
    bag.report('DirectoryUnreadable', { file, start, end: start + 1 }, `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/, '').replace(/^./, (c) => c.toLowerCase())}`);
    return { ok: false };
  }
}

/** A YAML list: cut before each `-` at column 0 when the document is such a list, else parsed whole. */
function yamlList(text: string, file: string, bag: DiagnosticBag, limits: Limits, docs: Map<DirectoryEntry, { doc: Document.Parsed; prefix: PathSegment[] }>): DirectoryEntry[] | undefined {
  const starts = topLevelItems(text);
  if (starts === undefined) {
    const parsed = parseYamlFile(file, text, bag, limits);
    if (parsed === undefined) return undefined;
    if (!Array.isArray(parsed.value)) {
      bag.report('DirectoryUnreadable', { file, start: 0, end: 1 }, `${tick(file)} must hold a list of users`, { help: 'write each user as an item of a list: `- id: u1`' });
      return undefined;
    }
    // positions come from the one document: every entry spans the file, its path starts at its index
    return parsed.value.map((value, i) => {
      const entry: DirectoryEntry = { value, start: 0, end: text.length };
      docs.set(entry, { doc: parsed.doc, prefix: [i] });
      return entry;
    });
  }
  const entries: DirectoryEntry[] = [];
  let ok = true;
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k]!;
    const end = starts[k + 1] ?? text.length;
    const local = new DiagnosticBag();
    const parsed = parseYamlFile(file, text.slice(start, end), local, limits);
    for (const d of local.items) {
      if (d.code === 'PC1007') continue;
      bag.items.push({ ...d, start: d.start + start, end: d.end + start, related: d.related.map((r) => ({ ...r, start: r.start + start, end: r.end + start })) });
    }
    if (parsed === undefined || !Array.isArray(parsed.value) || parsed.value.length !== 1) {
      // as in a policy file, the first YAML error is the only one: later ones may follow from it
      ok = false;
      break;
    }
    const entry: DirectoryEntry = { value: parsed.value[0], start, end };
    docs.set(entry, { doc: parsed.doc, prefix: [0] });
    entries.push(entry);
  }
  return ok ? entries : undefined;
}

/**
 * Where each item of a top-level block sequence starts, or `undefined` when the text is not one
 * (a line at column 0 that is neither `-`, a comment nor blank: a mapping, `---`, a directive).
 */
function topLevelItems(text: string): number[] | undefined {
  const starts: number[] = [];
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; ) {
    const c = text[i];
    if (c === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n' || text[i + 1] === '\r' || i + 1 === text.length)) starts.push(i);
    else if (c !== '#' && c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') return undefined;
    const nl = text.indexOf('\n', i);
    if (nl < 0) break;
    i = nl + 1;
  }
  return starts.length > 0 ? starts : undefined;
}
