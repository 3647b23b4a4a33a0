import { createHash } from 'node:crypto';
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { DEFAULT_LIMITS, type Limits } from '../diagnostics/limits.ts';
import { parseYamlFile } from './parse.ts';

export { isPolicyFileName, isTestFileName, listPolicyFiles, readPolicyDir, readPolicyFolder } from './read.ts';

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

/** Parses the texts of a policy set; YAML errors are reported with their exact span. */
export function parsePolicyFiles(name: string, texts: readonly { path: string; text: string }[], bag: DiagnosticBag, limits: Limits = DEFAULT_LIMITS): LoadedSet {
  const sorted = [...texts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  const files: PolicyFile[] = [];
  const sources = new Map<string, string>();
  for (const { path, text } of sorted) {
    hash.update(`${path}\u0000${text.length}\u0000${text}`);
    sources.set(path, text);
    const parsed = parseYamlFile(path, text, bag, limits);
    if (parsed !== undefined) files.push({ path, text, ...parsed });
  }
  return { name, files, sources, hash: hash.digest('hex') };
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
