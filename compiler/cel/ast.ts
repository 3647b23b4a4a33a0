/**
 * The AST of a CEL condition: plain data, every node with its span (0-based `offset` and
 * `length` inside the expression text). Produced by `build-ast.ts` from the parser's CST,
 * read by the checker and the emitter.
 */

export interface Span {
  readonly offset: number;
  readonly length: number;
}

export type Literal =
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'null'; readonly value: null };

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%' | '&&' | '||';

export type Macro = 'all' | 'exists' | 'exists_one' | 'map' | 'filter';

export type Expr =
  | (Span & { readonly kind: 'literal'; readonly literal: Literal })
  | (Span & { readonly kind: 'ident'; readonly name: string })
  /** `operand.field`; `fieldOffset` is where the field name starts. */
  | (Span & { readonly kind: 'select'; readonly operand: Expr; readonly field: string; readonly fieldOffset: number })
  | (Span & { readonly kind: 'index'; readonly operand: Expr; readonly index: Expr })
  /** `fn(args)` or `target.fn(args)`; `nameOffset` is where the function name starts. */
  | (Span & { readonly kind: 'call'; readonly fn: string; readonly target: Expr | undefined; readonly args: readonly Expr[]; readonly nameOffset: number })
  | (Span & { readonly kind: 'unary'; readonly op: '!' | '-'; readonly operand: Expr })
  | (Span & { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: Expr; readonly right: Expr })
  | (Span & { readonly kind: 'conditional'; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr })
  | (Span & { readonly kind: 'list'; readonly items: readonly Expr[] })
  | (Span & { readonly kind: 'map'; readonly entries: readonly { readonly key: Expr; readonly value: Expr }[] })
  /** `has(operand.field)` */
  | (Span & { readonly kind: 'has'; readonly operand: Expr; readonly field: string })
  /**
   * `range.all(x, predicate)`, `exists`, `exists_one`, `filter`, `range.map(x, transform)` and
   * `range.map(x, predicate, transform)`.
   */
  | (Span & {
      readonly kind: 'comprehension';
      readonly macro: Macro;
      readonly range: Expr;
      readonly variable: string;
      readonly predicate: Expr | undefined;
      readonly transform: Expr | undefined;
    });

/** A problem found in a condition, placed inside the expression text. */
export interface CelProblem extends Span {
  /** A PC5xxx code of `compiler/diagnostics/codes.ts`. */
  readonly code: string;
  /** One line, lowercase, no final period. */
  readonly message: string;
  readonly help?: string;
}

/** The direct subexpressions of `e`. */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'literal':
    case 'ident':
      return [];
    case 'select':
    case 'has':
    case 'unary':
      return [e.operand];
    case 'index':
      return [e.operand, e.index];
    case 'call':
      return e.target ? [e.target, ...e.args] : e.args;
    case 'binary':
      return [e.left, e.right];
    case 'conditional':
      return [e.test, e.then, e.otherwise];
    case 'list':
      return e.items;
    case 'map':
      return e.entries.flatMap((entry) => [entry.key, entry.value]);
    case 'comprehension':
      return [e.range, ...(e.predicate ? [e.predicate] : []), ...(e.transform ? [e.transform] : [])];
  }
}
