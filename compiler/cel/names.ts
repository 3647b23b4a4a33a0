import type { Expr } from './ast.ts';

/**
 * Qualified names: `a.b.c` may name a variable `a.b.c`, a field `c` of a variable `a.b`, or …
 * CEL resolves the longest declared prefix. Returns the dotted parts of a select chain over
 * an identifier, or `undefined` when the chain has other nodes.
 */
export function dottedParts(e: Expr): string[] | undefined {
  if (e.kind === 'ident') return [e.name];
  if (e.kind === 'select') {
    const inner = dottedParts(e.operand);
    return inner ? [...inner, e.field] : undefined;
  }
  return undefined;
}
