/**
 * Query-plan filters of CEL conditions that read the record (issue 7): JavaScript that builds,
 * when the plan is made, the filter of the records on which the condition is `true`.
 *
 * Each part is planned for both outcomes, because CEL has three (true, false, an error):
 * `!a` holds where `a` is false, `a && b` is false where either side is, `c ? a : b` is `a` where
 * `c` holds and `b` where it is false; a record on which a part is an error is in neither set.
 * Parts that do not read `resource` are evaluated when the plan is made (`planBool`). The record
 * is read through comparisons of one attribute (or its size) with a value known when the plan is
 * made; any other use (arithmetic, `matches`, macros, two attributes compared) has no filter: it
 * is planned as "any record" (`planUnknown`) for both outcomes, so the filter keeps every record
 * the condition may allow — a superset that `can` must recheck — and {@link filterOf} lists
 * those parts.
 */
import { children, type BinaryOperator, type Expr } from './ast.ts';
import { jsString } from './emit.ts';

/** The declared type of a record attribute, as far as filters compare it. */
export type AttributeType = 'string' | 'number' | 'boolean' | 'list';

export interface FilterNames {
  /** The type of a record attribute, or undefined for one that filters cannot compare (a record, say). */
  readonly attributeType: (name: string) => AttributeType | undefined;
  /** JavaScript evaluating an expression that does not read the record. */
  readonly emit: (e: Expr) => string;
  /** The runtime's CEL support module (`cel.planEq`, …) and the plan helpers `and`, `or` in scope. */
  readonly runtime: string;
}

/** Whether `e` reads the variable `name` anywhere (a comprehension variable of that name counts too: conservative). */
export function readsVariable(e: Expr, name: string): boolean {
  return e.kind === 'ident' ? e.name === name : children(e).some((c) => readsVariable(c, name));
}

export interface PlannedFilter {
  /** JavaScript building the filter of the records on which the condition is `true` (a superset when `unplannable` is not empty). */
  readonly code: string;
  /** The parts of the condition that no filter expresses, planned as "any record". */
  readonly unplannable: readonly Expr[];
}

/** The filter of the records on which `e` is `true`, and the parts of `e` that no filter expresses. */
export function filterOf(e: Expr, names: FilterNames): PlannedFilter {
  const unplannable = new Set<Expr>();
  const code = planned(e, true, names, unplannable);
  return { code, unplannable: [...unplannable] };
}

/** Comparisons with the attribute on the left: `3 < resource.n` is `resource.n > 3`. */
const FLIPPED: Partial<Record<BinaryOperator, BinaryOperator>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
const COMPARISON: Partial<Record<BinaryOperator, string>> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq' };
const TEXT: Readonly<Record<string, string>> = { startsWith: 'startsWith', endsWith: 'endsWith', contains: 'includes' };

/** JavaScript building the filter of the records on which `e` is `want`; a part no filter expresses is added to `unplannable`. */
function planned(e: Expr, want: boolean, names: FilterNames, unplannable: Set<Expr>): string {
  const { emit, runtime: cel } = names;
  if (!readsVariable(e, 'resource')) return `${cel}.planBool(${emit(e)}, ${want})`;
  const sub = (x: Expr, w: boolean) => planned(x, w, names, unplannable);
  const no = () => {
    unplannable.add(e);
    return `${cel}.planUnknown()`;
  };
  // a record attribute read directly: `resource.f`, ``resource.`f` `` or `resource["f"]`
  const attribute = (x: Expr): { name: string; type: AttributeType } | undefined => {
    if ((x.kind !== 'select' && x.kind !== 'index') || x.operand.kind !== 'ident' || x.operand.name !== 'resource') return undefined;
    const field = x.kind === 'select' ? x.field : x.index.kind === 'literal' && x.index.literal.type === 'string' ? x.index.literal.value : undefined;
    const type = field === undefined ? undefined : names.attributeType(field);
    return field === undefined || type === undefined ? undefined : { name: jsString(field), type };
  };
  // `size(resource.f)` or `resource.f.size()` of a string or list attribute
  const sized = (x: Expr): { name: string; type: AttributeType } | undefined => {
    if (x.kind !== 'call' || x.fn !== 'size') return undefined;
    const of = x.target === undefined ? (x.args.length === 1 ? x.args[0] : undefined) : x.args.length === 0 ? x.target : undefined;
    const a = of === undefined ? undefined : attribute(of);
    return a?.type === 'string' || a?.type === 'list' ? a : undefined;
  };
  const free = (x: Expr) => !readsVariable(x, 'resource');
  switch (e.kind) {
    case 'unary':
      return e.op === '!' ? sub(e.operand, !want) : no();
    case 'conditional':
      // `then` where the test holds, `otherwise` where it is false
      return `or(and(${sub(e.test, true)}, ${sub(e.then, want)}), and(${sub(e.test, false)}, ${sub(e.otherwise, want)}))`;
    case 'has':
      return e.operand.kind === 'ident' && e.operand.name === 'resource' ? `${cel}.planHas(${jsString(e.field)}, ${want})` : no();
    case 'select':
    case 'index': {
      const a = attribute(e);
      return a?.type === 'boolean' ? `${cel}.planEq(${a.name}, "boolean", true, ${want})` : no();
    }
    case 'call': {
      const a = e.target === undefined ? undefined : attribute(e.target);
      const op = TEXT[e.fn];
      if (a?.type !== 'string' || op === undefined || e.args.length !== 1 || !free(e.args[0]!)) return no();
      return `${cel}.planText(${a.name}, "${op}", ${emit(e.args[0]!)}, ${want})`;
    }
    case 'binary':
      break;
    default:
      return no();
  }
  const { op, left, right } = e;
  // `a && b` is true where both are, false where either is; `||` the other way round
  if (op === '&&' || op === '||') return `${(op === '&&') === want ? 'and' : 'or'}(${sub(left, want)}, ${sub(right, want)})`;
  if (op === 'in') {
    const a = attribute(left);
    if (a !== undefined && a.type !== 'list' && free(right)) return `${cel}.planIn(${a.name}, "${a.type}", ${emit(right)}, ${want})`;
    const list = attribute(right);
    if (list?.type === 'list' && free(left)) return `${cel}.planContains(${list.name}, ${emit(left)}, ${want})`;
    return no();
  }
  // a comparison of one attribute, or its size, with a value known when the plan is made, either way round
  const measured = (x: Expr) => attribute(x) ?? sized(x);
  const [side, other, cmp] = measured(left) !== undefined && free(right) ? [left, right, op] : [right, left, FLIPPED[op]];
  const size = sized(side);
  const a = size ?? attribute(side);
  const compare = cmp === undefined ? undefined : COMPARISON[cmp === '!=' ? '==' : cmp];
  if (a === undefined || compare === undefined || !free(other)) return no();
  const polarity = cmp === '!=' ? !want : want;
  if (size !== undefined) return `${cel}.planSize(${a.name}, "${a.type}", "${compare}", ${emit(other)}, ${polarity})`;
  if (a.type === 'list') return no();
  if (compare === 'eq') return `${cel}.planEq(${a.name}, "${a.type}", ${emit(other)}, ${polarity})`;
  return a.type === 'number' ? `${cel}.planCompare(${a.name}, "${compare}", ${emit(other)}, ${want})` : no();
}
