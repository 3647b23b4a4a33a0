import { CelError, type V } from './celvalue.js';

/**
 * The cost budget of a condition (docs/conditions.md, "Cost budget"). A condition with a
 * comprehension or `matches` creates a {@link Meter} each time it runs — a counter on that one
 * evaluation, never a global — and its comprehensions and string and list work spend steps from
 * it. Over the budget every metered operation stops at once, and the whole condition is the
 * {@link CelBudgetExceeded} error whatever `&&`, `||` or a macro would have absorbed: the check
 * denies with code `condition`.
 */

/** Steps a condition may spend when the policy set does not say (`limits: { conditionBudget: N }`). */
export const DEFAULT_BUDGET = 100_000;

/** The steps one evaluation of a condition has left. */
export interface Meter {
  left: number;
  readonly budget: number;
}

/** The error of a condition that went over its budget. */
export class CelBudgetExceeded extends CelError {
  constructor(readonly budget: number) {
    super(`the condition went over its cost budget of ${budget} steps (\`limits.conditionBudget\`)`);
  }
}

/** A fresh meter for one evaluation. */
export function meter(budget: number): Meter {
  return { left: budget, budget };
}

/** Spends `steps`; the error once the meter is over its budget (then every later charge fails too). */
export function charge(m: Meter, steps: number): CelBudgetExceeded | undefined {
  m.left -= steps;
  return m.left < 0 ? new CelBudgetExceeded(m.budget) : undefined;
}

/** The value of a metered condition: its own, unless the meter went over (then nothing absorbs the error). */
export function spent(m: Meter, v: V): V {
  return m.left < 0 ? new CelBudgetExceeded(m.budget) : v;
}

/** Whether a condition's value is the budget's error (checkers name the budget in their reason). */
export function isOverBudget(v: V): v is CelBudgetExceeded {
  return v instanceof CelBudgetExceeded;
}
