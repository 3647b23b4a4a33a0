import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';

/** One policy file: its text, its YAML tree (for positions) and its plain value. */
export interface PolicyFile {
  /** Path relative to the policy set folder, with `/` separators. */
  readonly path: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly value: unknown;
}

export type PathSegment = string | number;

export interface LoadedSet {
  readonly name: string;
  readonly files: readonly PolicyFile[];
  readonly sources: ReadonlyMap<string, string>;
  /** sha256 (hex) over every file's path and text, in path order. */
  readonly hash: string;
}

const SKIPPED_DIRS = new Set(['generated', 'node_modules', 'dist']);

export function isPolicyFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !isTestFileName(name);
}

/** Policy test files: `*_test.yaml` beside the policies. */
export function isTestFileName(name: string): boolean {
  return /_test\.ya?ml$/i.test(name);
}

/** Policy file paths below `dir`, relative and sorted; folders like `generated/` are skipped. */
export function listPolicyFiles(dir: string, accept: (name: string) => boolean = isPolicyFileName): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(full);
      } else if (entry.isFile() && accept(entry.name)) {
        found.push(relative(dir, full).split(sep).join('/'));
      }
    }
  };
  walk(dir);
  return found.sort();
}

/** Reads a policy set folder. Unreadable files are reported, never thrown. */
export function readPolicyDir(dir: string, bag: DiagnosticBag): { path: string; text: string }[] {
  const span: Span = { file: '.', start: 0, end: 0 };
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    bag.report('UnreadableFile', span, `policy folder \`${dir}\` does not exist`);
    return [];
  }
  if (!stat.isDirectory()) {
    bag.report('UnreadableFile', span, `\`${dir}\` is not a folder`, { help: 'pass the folder that holds the policy YAML files' });
    return [];
  }
  const texts: { path: string; text: string }[] = [];
  for (const path of listPolicyFiles(dir)) {
    try {
      texts.push({ path, text: readFileSync(join(dir, path), 'utf8') });
    } catch (error) {
      bag.report('UnreadableFile', { file: path, start: 0, end: 0 }, `cannot read \`${path}\`: ${(error as Error).message}`);
    }
  }
  if (texts.length === 0 && !bag.hasErrors) {
    bag.report('NoPolicyFiles', span, `no policy files (\`*.yaml\`) in \`${dir}\``);
  }
  return texts;
}

/** Parses the texts of a policy set; YAML errors are reported with their exact span. */
export function parsePolicyFiles(name: string, texts: readonly { path: string; text: string }[], bag: DiagnosticBag): LoadedSet {
  const sorted = [...texts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  const files: PolicyFile[] = [];
  const sources = new Map<string, string>();
  for (const { path, text } of sorted) {
    hash.update(`${path}\u0000${text.length}\u0000${text}`);
    sources.set(path, text);
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
    for (const error of doc.errors) {
      const [start, end] = error.pos;
      if (error.code === 'DUPLICATE_KEY') {
        const key = /^[^:\n]*/.exec(text.slice(start))![0].trim();
        bag.report('YamlDuplicateKey', { file: path, start, end: start + Math.max(1, key.length) }, `key \`${key}\` appears twice in this mapping`, {
          help: 'merge the two entries: YAML keeps only one of them',
        });
      } else {
        bag.report('YamlSyntax', { file: path, start, end: Math.max(end, start + 1) }, firstLine(error.message));
      }
    }
    if (doc.errors.length > 0) continue;
    // toJS reports anchors that are aliased; only then look for the aliases' positions
    // (an alias bomb makes toJS throw: that too is an alias)
    let aliased = false;
    let value: unknown;
    try {
      value = doc.toJS({ onAnchor: () => void (aliased = true) });
    } catch {
      aliased = true;
    }
    if (aliased) {
      visit(doc, {
        Alias(_, node) {
          const range = node.range ?? [0, 0];
          bag.report('YamlAlias', { file: path, start: range[0], end: range[1] }, 'YAML aliases are not accepted in policy files', {
            help: 'write the value out: every grant should be visible where it applies',
          });
        },
      });
      continue;
    }
    files.push({ path, text, doc, value });
  }
  return { name, files, sources, hash: hash.digest('hex') };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.charAt(0).toLowerCase() + line.slice(1).replace(/\.$/, '');
}

/**
 * The span of the node at `path` in a file: its key (`'key'`) or its value (`'value'`).
 * Falls back to the nearest existing ancestor, so a diagnostic always has a place.
 */
export function spanAt(file: PolicyFile, path: readonly PathSegment[], part: 'key' | 'value' = 'value'): Span {
  let node: unknown = file.doc.contents;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = pairsOf(node).get(String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
    } else break;
  }
  const target = part === 'key' && keyNode !== undefined ? keyNode : isAlias(node) || node === null ? keyNode : (node as Node | undefined);
  const range = target?.range ?? keyNode?.range ?? [0, 0];
  return { file: file.path, start: range[0], end: Math.max(range[1], range[0] + 1) };
}

const pairIndex = new WeakMap<object, Map<string, Pair>>();

/** A mapping's pairs by key, built once per mapping: large policies look up thousands of spans. */
function pairsOf(map: YAMLMap): Map<string, Pair> {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) if (isPair(pair) && isScalar(pair.key) && !index.has(String(pair.key.value))) index.set(String(pair.key.value), pair);
    pairIndex.set(map, index);
  }
  return index;
}
