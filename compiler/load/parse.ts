/**
 * Parsing policy texts with `yaml` (issue 14): linear in the size of the text, bounded in depth,
 * and one error per root cause.
 *
 * - `yaml`'s own duplicate-key check compares every key with every other key of a mapping
 *   (40,000 attributes took 10 s), so it is off and {@link duplicateKeys} keeps one set per mapping.
 * - `yaml`'s parser is iterative but its composer recurses, so a few thousand nested mappings
 *   overflowed the stack; the nesting of the token tree is measured first ({@link tooDeep}).
 * - Only the first YAML error of a file is reported: the parser's later errors follow from it.
 */
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Parser, visit, YAMLParseError, type CST, type Document, type ErrorCode, type Node } from 'yaml';
import type { CodeName } from '../diagnostics/codes.ts';
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { count, DEFAULT_LIMITS, type Limits } from '../diagnostics/limits.ts';
import { fastParseYaml } from './fast-yaml.ts';

/** The code and help of each kind of YAML error; the rest are PC1003. */
const SYNTAX: Partial<Record<ErrorCode, { name: CodeName; help: string }>> = {
  BAD_INDENT: { name: 'YamlIndentation', help: 'indent an entry with spaces, deeper than the key it belongs to and level with its siblings' },
  TAB_AS_INDENT: { name: 'YamlIndentation', help: 'indent with spaces: YAML does not accept tabs for indentation' },
  BLOCK_AS_IMPLICIT_KEY: { name: 'YamlIndentation', help: 'indent an entry with spaces, deeper than the key it belongs to and level with its siblings' },
  MULTILINE_IMPLICIT_KEY: { name: 'YamlIndentation', help: 'write a key on one line, followed by `:`; check the indentation of the lines above' },
  MISSING_CHAR: { name: 'YamlUnclosed', help: 'close each `[`, `{` and quote, and separate entries with `,`' },
  BAD_DQ_ESCAPE: { name: 'YamlUnclosed', help: 'inside double quotes write `\\\\` for a backslash, or use single quotes' },
  MULTIPLE_DOCS: { name: 'YamlMultipleDocuments', help: 'write one document per file: remove the `---` line or split the file' },
};

const ALIAS_ERRORS = new Set<ErrorCode>(['BAD_ALIAS', 'ALIAS_PROPS', 'MULTIPLE_ANCHORS', 'MULTIPLE_TAGS', 'TAG_RESOLVE_FAILED']);

/**
 * Parses one file. Returns the document and its plain value, or undefined after reporting why
 * not (a syntax error, a duplicate key, too deep, an alias).
 */
export function parseYamlFile(path: string, text: string, bag: DiagnosticBag, limits: Limits = DEFAULT_LIMITS): { doc: Document.Parsed; value: unknown } | undefined {
  const fast = fastParseYaml(text, limits.maxYamlDepth);
  if (fast !== undefined) return fast;
  const tokens = [...new Parser().parse(text)];
  const deep = tooDeep(tokens, limits.maxYamlDepth);
  if (deep !== undefined) {
    bag.report('YamlTooDeep', { file: path, start: deep, end: deep + 1 }, `mappings and lists are nested more than ${count(limits.maxYamlDepth)} levels deep here`, {
      help: 'a policy needs a few levels; flatten the structure (or raise the limit `maxYamlDepth`)',
    });
    return undefined;
  }
  const doc = firstDocument(tokens, text);
  const first = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (first !== undefined) {
    const [start, end] = first.pos;
    const span = { file: path, start, end: Math.max(end, start + 1) };
    if (ALIAS_ERRORS.has(first.code)) {
      bag.report('YamlAlias', span, firstLine(first.message), { help: 'write the value out: policy files use plain YAML' });
    } else {
      // yaml calls a flow collection left open inside a block one an indentation error
      const unclosed = /end with a [\]}]$/.test(first.message);
      const kind = unclosed ? SYNTAX.MISSING_CHAR : SYNTAX[first.code];
      const opened = unclosed ? openedBefore(tokens, start) : undefined;
      bag.report(kind?.name ?? 'YamlSyntax', span, firstLine(first.message), {
        ...(kind === undefined ? {} : { help: kind.help }),
        ...(opened === undefined ? {} : { related: [{ file: path, start: opened.offset, end: opened.offset + 1, message: `the \`${opened.source}\` left open` }] }),
      });
    }
    return undefined;
  }
  if (duplicateKeys(doc, path, bag)) return undefined;
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
    // one error, at the first alias: the others are the same choice made again
    const aliases: Node[] = [];
    visit(doc, { Alias: (_, node) => void aliases.push(node) });
    const range = aliases[0]?.range ?? [0, 0, 0];
    const more = aliases.length > 1 ? ` (${count(aliases.length)} in this file)` : '';
    bag.report('YamlAlias', { file: path, start: range[0], end: range[1] }, `YAML aliases are not accepted in policy files${more}`, {
      help: 'write the value out: every grant should be visible where it applies',
    });
    return undefined;
  }
  if (doc.contents === null) {
    bag.report('EmptyFile', { file: path, start: 0, end: 0 }, `${tick(path)} is empty`, {
      severity: 'warning',
      help: 'write the policy in it, or delete the file',
    });
  }
  return { doc, value };
}

/** What `parseDocument` does, on tokens already parsed: the first document, later ones an error. */
function firstDocument(tokens: readonly CST.Token[], text: string): Document.Parsed {
  const composer = new Composer({ uniqueKeys: false, strict: true });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, text.length)) {
    if (doc === undefined) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[0] + 1], 'MULTIPLE_DOCS', 'source contains more than one document'));
      break;
    }
  }
  return doc!;
}

/**
 * The offset of the first collection nested deeper than `limit` in the token tree, if any.
 * Walked with an explicit stack: the tree may be arbitrarily deep.
 */
export function tooDeep(tokens: readonly CST.Token[], limit: number): number | undefined {
  const stack: [CST.Token, number][] = tokens.map((t): [CST.Token, number] => [t, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token.type === 'document') {
      if (token.value) stack.push([token.value, depth]);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > limit) return token.offset;
      for (const item of token.items) {
        if ('key' in item && item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/** The last flow collection opened before `pos` that has no closing bracket: where the author forgot it. */
function openedBefore(tokens: readonly CST.Token[], pos: number): { offset: number; source: string } | undefined {
  let found: { offset: number; source: string } | undefined;
  const stack = [...tokens];
  while (stack.length > 0) {
    const token = stack.pop()!;
    if (token.type === 'document') {
      if (token.value) stack.push(token.value);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (token.type === 'flow-collection' && token.offset < pos && (found === undefined || token.offset > found.offset)) {
        const closer = token.start.source === '[' ? ']' : '}';
        if (!token.end.some((t) => t.source === closer)) found = { offset: token.offset, source: token.start.source };
      }
      for (const item of token.items) {
        if ('key' in item && item.key) stack.push(item.key);
        if (item.value) stack.push(item.value);
      }
    }
  }
  return found;
}

/** Reports keys written twice in one mapping (one set per mapping). True when there was one. */
function duplicateKeys(doc: Document.Parsed, path: string, bag: DiagnosticBag): boolean {
  let found = false;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          const earlier = seen.get(key);
          const range = pair.key.range ?? [0, 0];
          if (earlier !== undefined) {
            const first = earlier.range ?? [0, 0];
            bag.report('YamlDuplicateKey', { file: path, start: range[0], end: Math.max(range[1], range[0] + 1) }, `key ${tick(key)} appears twice in this mapping`, {
              help: 'merge the two entries: YAML keeps only one of them',
              related: [{ file: path, start: first[0], end: first[1], message: 'first written' }],
            });
            found = true;
          } else seen.set(key, pair.key);
        } else if (pair.key !== null && !isAlias(pair.key)) stack.push(pair.key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return found;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.charAt(0).toLowerCase() + line.slice(1).replace(/\.$/, '');
}
