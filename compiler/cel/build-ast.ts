/**
 * CST → AST: decodes literals (64-bit ints, escapes, raw and triple-quoted strings), folds
 * operator chains left-associatively, recognises macros (`has`, `all`, `exists`, `exists_one`,
 * `map`, `filter`) and reports what policyc does not support (uint, bytes, messages, optionals).
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { BinaryOperator, CelProblem, Expr, Macro } from './ast.ts';

const MAX_INT = 2n ** 63n - 1n;

const RESERVED = new Set(['as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

const OPERATORS: Record<string, BinaryOperator> = {
  EqEq: '==',
  NotEq: '!=',
  Less: '<',
  LessEq: '<=',
  Greater: '>',
  GreaterEq: '>=',
  In: 'in',
  Plus: '+',
  Minus: '-',
  Star: '*',
  Slash: '/',
  Percent: '%',
  AndAnd: '&&',
  OrOr: '||',
};

const MACROS: Record<string, { macro: Macro; arities: readonly number[] }> = {
  all: { macro: 'all', arities: [2] },
  exists: { macro: 'exists', arities: [2] },
  exists_one: { macro: 'exists_one', arities: [2] },
  map: { macro: 'map', arities: [2, 3] },
  filter: { macro: 'filter', arities: [2] },
};

/** Thrown only inside this module and turned into a problem: the first error stops the build. */
class Problem {
  constructor(readonly problem: CelProblem) {}
}

const fail = (code: string, offset: number, length: number, message: string, help?: string): never => {
  throw new Problem(help === undefined ? { code, offset, length, message } : { code, offset, length, message, help });
};
const syntax = (offset: number, length: number, message: string): never => fail('PC5001', offset, length, message);
/** `what` is a plural noun phrase: "… are not supported in conditions". */
const unsupported = (offset: number, length: number, what: string): never => fail('PC5004', offset, length, `${what} are not supported in conditions`);

function nodes(node: CstNode, name: string): CstNode[] {
  return (node.children[name] as CstNode[] | undefined) ?? [];
}
function tokens(node: CstNode, name: string): IToken[] {
  return (node.children[name] as IToken[] | undefined) ?? [];
}
function node(n: CstNode, name: string): CstNode {
  const found = nodes(n, name)[0];
  if (!found) throw new Error(`CST: ${n.name} has no ${name}`);
  return found;
}
function isToken(e: CstElement): e is IToken {
  return 'image' in e;
}
/** All tokens of a node's children, in text order (operators of a chain interleave with operands). */
function operatorTokens(n: CstNode, names: readonly string[]): IToken[] {
  return names.flatMap((name) => tokens(n, name)).sort((a, b) => a.startOffset - b.startOffset);
}

function end(e: Expr): number {
  return e.offset + e.length;
}
function span(from: number, to: number): { offset: number; length: number } {
  return { offset: from, length: to - from };
}

export function buildAst(cst: CstNode): { ast: Expr; problems: [] } | { ast: undefined; problems: CelProblem[] } {
  try {
    return { ast: expr(node(cst, 'expr')), problems: [] };
  } catch (e) {
    if (e instanceof Problem) return { ast: undefined, problems: [e.problem] };
    throw e;
  }
}

function expr(n: CstNode): Expr {
  const [test, then] = nodes(n, 'conditionalOr').map(chain);
  const otherwise = nodes(n, 'expr')[0];
  if (!test) throw new Error('CST: empty expr');
  if (!then || !otherwise) return test;
  const e = expr(otherwise);
  return { kind: 'conditional', test, then, otherwise: e, ...span(test.offset, end(e)) };
}

const CHAINS: Record<string, { child: string; ops: readonly string[] }> = {
  conditionalOr: { child: 'conditionalAnd', ops: ['OrOr'] },
  conditionalAnd: { child: 'relation', ops: ['AndAnd'] },
  relation: { child: 'addition', ops: ['EqEq', 'NotEq', 'Less', 'LessEq', 'Greater', 'GreaterEq', 'In'] },
  addition: { child: 'multiplication', ops: ['Plus', 'Minus'] },
  multiplication: { child: 'unary', ops: ['Star', 'Slash', 'Percent'] },
};

function chain(n: CstNode): Expr {
  const rule = CHAINS[n.name];
  if (!rule) return unary(n);
  const operands = nodes(n, rule.child).map(chain);
  const ops = operatorTokens(n, rule.ops);
  let left = operands[0]!;
  ops.forEach((op, i) => {
    const right = operands[i + 1]!;
    left = { kind: 'binary', op: OPERATORS[op.tokenType.name]!, left, right, ...span(left.offset, end(right)) };
  });
  return left;
}

function unary(n: CstNode): Expr {
  const ops = operatorTokens(n, ['Bang', 'Minus']);
  const memberNode = node(n, 'member');
  let operand = member(memberNode);
  const bareLiteral = nodes(memberNode, 'memberSuffix').length === 0 && nodes(node(memberNode, 'primary'), 'literal').length > 0;
  // `-9223372036854775808` is a literal: fold one minus into an int literal before range checks
  let last = ops.length;
  const innermost = ops[last - 1];
  if (innermost?.image === '-' && bareLiteral && operand.kind === 'literal' && (operand.literal.type === 'int' || operand.literal.type === 'double')) {
    const negated = operand.literal.type === 'int' ? ({ type: 'int', value: -operand.literal.value } as const) : ({ type: 'double', value: -operand.literal.value } as const);
    operand = { kind: 'literal', literal: negated, ...span(innermost.startOffset, end(operand)) };
    last--;
  }
  if (operand.kind === 'literal' && operand.literal.type === 'int' && (operand.literal.value > MAX_INT || operand.literal.value < -MAX_INT - 1n)) {
    syntax(operand.offset, operand.length, 'integer literal out of range');
  }
  for (let i = last - 1; i >= 0; i--) {
    const op = ops[i]!;
    operand = { kind: 'unary', op: op.image === '!' ? '!' : '-', operand, ...span(op.startOffset, end(operand)) };
  }
  return operand;
}

function member(n: CstNode): Expr {
  let e = primary(node(n, 'primary'));
  for (const suffix of nodes(n, 'memberSuffix')) e = memberSuffix(e, suffix);
  return e;
}

function args(n: CstNode | undefined): Expr[] {
  return n ? nodes(n, 'expr').map(expr) : [];
}
function closeOf(n: CstNode | undefined, fallback: number): number {
  const close = n ? tokens(n, 'RParen')[0] : undefined;
  return close ? close.startOffset + 1 : fallback;
}

function memberSuffix(operand: Expr, n: CstNode): Expr {
  const name = tokens(n, 'Identifier')[0] ?? tokens(n, 'QuotedIdentifier')[0];
  if (name) {
    if (tokens(n, 'Question')[0]) unsupported(operand.offset, name.startOffset + name.image.length - operand.offset, 'optional field selections');
    const call = nodes(n, 'callArgs')[0];
    const nameEnd = name.startOffset + name.image.length;
    if (!call) {
      // reserved words are field names after a dot; `a.\`b-c\`` quotes any field name
      const field = name.tokenType.name === 'QuotedIdentifier' ? name.image.slice(1, -1) : name.image;
      return { kind: 'select', operand, field, fieldOffset: name.startOffset, ...span(operand.offset, nameEnd) };
    }
    const list = args(call);
    const whole = span(operand.offset, closeOf(call, nameEnd));
    const macro = MACROS[name.image];
    if (macro && macro.arities.includes(list.length)) return comprehension(macro.macro, operand, list, whole);
    return { kind: 'call', fn: name.image, target: operand, args: list, nameOffset: name.startOffset, ...whole };
  }
  const open = tokens(n, 'LBracket')[0];
  if (open) {
    if (tokens(n, 'Question')[0]) unsupported(open.startOffset, 2, 'optional indexes');
    const close = tokens(n, 'RBracket')[0]!;
    return { kind: 'index', operand, index: expr(node(n, 'expr')), ...span(operand.offset, close.startOffset + 1) };
  }
  const brace = tokens(n, 'RBrace')[0]!;
  return unsupported(operand.offset, brace.startOffset + 1 - operand.offset, 'message constructions');
}

function comprehension(macro: Macro, range: Expr, list: Expr[], whole: { offset: number; length: number }): Expr {
  const variable = list[0]!;
  if (variable.kind !== 'ident') return syntax(variable.offset, variable.length, `the first argument of \`${macro}\` must be a variable name`);
  const three = list.length === 3;
  return {
    kind: 'comprehension',
    macro,
    range,
    variable: variable.name,
    predicate: macro === 'map' && !three ? undefined : list[1],
    transform: macro === 'map' ? list[three ? 2 : 1] : undefined,
    ...whole,
  };
}

function primary(n: CstNode): Expr {
  const name = tokens(n, 'Identifier')[0];
  if (name) {
    const dot = tokens(n, 'Dot')[0];
    if (dot) unsupported(dot.startOffset, name.startOffset + name.image.length - dot.startOffset, 'leading-dot (root namespace) names');
    if (RESERVED.has(name.image)) syntax(name.startOffset, name.image.length, `\`${name.image}\` is a reserved word`);
    const call = nodes(n, 'callArgs')[0];
    const nameEnd = name.startOffset + name.image.length;
    if (!call) return { kind: 'ident', name: name.image, ...span(name.startOffset, nameEnd) };
    const list = args(call);
    const whole = span(name.startOffset, closeOf(call, nameEnd));
    if (name.image === 'has' && list.length === 1) {
      const arg = list[0]!;
      if (arg.kind !== 'select') return syntax(arg.offset, arg.length, 'the argument of `has` must be a field selection like `a.b`');
      return { kind: 'has', operand: arg.operand, field: arg.field, ...whole };
    }
    return { kind: 'call', fn: name.image, target: undefined, args: list, nameOffset: name.startOffset, ...whole };
  }
  const paren = tokens(n, 'LParen')[0];
  if (paren) return expr(node(n, 'expr'));
  const bracket = tokens(n, 'LBracket')[0];
  if (bracket) {
    const items = nodes(n, 'items')[0];
    const close = tokens(n, 'RBracket')[0]!;
    return { kind: 'list', items: items ? nodes(items, 'expr').map(expr) : [], ...span(bracket.startOffset, close.startOffset + 1) };
  }
  const brace = tokens(n, 'LBrace')[0];
  if (brace) {
    const list = nodes(n, 'entries')[0];
    const close = tokens(n, 'RBrace')[0]!;
    const entries = (list ? nodes(list, 'entry') : []).map((entry) => {
      const question = tokens(entry, 'Question')[0];
      if (question) unsupported(question.startOffset, 1, 'optional map entries');
      const [key, value] = nodes(entry, 'expr').map(expr);
      return { key: key!, value: value! };
    });
    return { kind: 'map', entries, ...span(brace.startOffset, close.startOffset + 1) };
  }
  return literal(node(n, 'literal'));
}

function literal(n: CstNode): Expr {
  const token = Object.values(n.children).flat().find(isToken);
  if (!token) throw new Error('CST: empty literal');
  const at = { offset: token.startOffset, length: token.image.length };
  const text = token.image;
  switch (token.tokenType.name) {
    case 'Int': {
      const value = BigInt(text); // decimal or 0x…; BigInt accepts both
      return { kind: 'literal', literal: { type: 'int', value }, ...at };
    }
    case 'Double':
      return { kind: 'literal', literal: { type: 'double', value: Number(text) }, ...at };
    case 'UInt':
      return unsupported(at.offset, at.length, 'unsigned integers (uint)');
    case 'Bytes':
      return unsupported(at.offset, at.length, 'bytes literals');
    case 'True':
      return { kind: 'literal', literal: { type: 'bool', value: true }, ...at };
    case 'False':
      return { kind: 'literal', literal: { type: 'bool', value: false }, ...at };
    case 'Null':
      return { kind: 'literal', literal: { type: 'null', value: null }, ...at };
    case 'RawString': {
      const quote = text.slice(1, 4) === "'''" || text.slice(1, 4) === '"""' ? 3 : 1;
      return { kind: 'literal', literal: { type: 'string', value: text.slice(1 + quote, text.length - quote) }, ...at };
    }
    default: {
      const quote = text.startsWith("'''") || text.startsWith('"""') ? 3 : 1;
      const value = unescape(text.slice(quote, text.length - quote), token.startOffset + quote);
      return { kind: 'literal', literal: { type: 'string', value }, ...at };
    }
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?' };

/** Decodes CEL string escapes; `base` is the offset of `body` in the expression, for errors. */
function unescape(body: string, base: number): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    const hex = next === 'x' || next === 'X' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex > 0) {
      const digits = body.slice(i + 2, i + 2 + hex);
      const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === hex ? parseInt(digits, 16) : NaN;
      if (Number.isNaN(code) || code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) syntax(base + i, 2 + hex, 'invalid escape sequence');
      out += String.fromCodePoint(code);
      i += 1 + hex;
      continue;
    }
    if (/^[0-3][0-7][0-7]$/.test(body.slice(i + 1, i + 4))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
      continue;
    }
    syntax(base + i, 2, 'invalid escape sequence');
  }
  return out;
}
