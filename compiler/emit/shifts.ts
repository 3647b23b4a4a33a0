/**
 * Working hours (R-Z10) in generated code: the policy's shifts as one table of data, and the body
 * of a `duringShift` grant's condition function, which calls the runtime's `duringShift` on that
 * table instead of running the CEL the analysis wrote for the condition (`condition.js` spells out
 * every shift: zoho-hierarchy's was 6 KB of a 71 KB `checker.js`, and it loaded the CEL runtime,
 * issue 17). The CEL text stays the condition's meaning: the reference interpreter, explain and
 * reviews read it, and test/working-hours.test.ts holds the two to the same answers.
 */
import type { ConditionModel, ShiftModel } from '../ir/model.ts';
import { lit } from './literal.ts';

/** The name of the table of shifts in generated code (reserved in emit/checker.ts). */
export const SHIFTS = 'SHIFTS';

type CelCondition = Extract<ConditionModel, { kind: 'cel' }>;

/** Whether a condition is a `duringShift` grant's, which the runtime's shift test decides. */
export function isShiftCondition(condition: ConditionModel): condition is CelCondition & { duringShift: NonNullable<CelCondition['duringShift']> } {
  return condition.kind === 'cel' && condition.duringShift !== undefined;
}

/** Whether the generated function of a condition calls the CEL runtime (`cel.*`). */
export function usesCel(condition: ConditionModel): boolean {
  return condition.kind === 'cel' && (condition.duringShift === undefined || condition.duringShift.when !== undefined);
}

/** The statement declaring the table of shifts: one row per shift, in the model's order (by name). */
export function shiftTable(shifts: readonly ShiftModel[]): string {
  const rows = shifts.map((s) => `[${lit(s.name)}, ${s.days.reduce((bits, day) => bits | (1 << day), 0)}, ${s.start}, ${s.end}, ${lit(s.timeZone)}]`);
  return [
    '/** Working hours (R-Z10): each shift\'s name, the days it starts on (bit 0 = Sunday), its start and end minute of the day, its time zone. */',
    `const ${SHIFTS}: readonly Shift[] = [${rows.join(', ')}];`,
  ].join('\n');
}

/**
 * The body of the function of a `duringShift` condition (parameters `p`, `r`, `c`): the shift test
 * alone, or the `when:` compiled alone joined to it as CEL's `&&` joins its sides — `false` on
 * either side wins, then an error; over its budget the `when:` is the whole condition's error.
 * The shift test spends none of the `when:`'s budget: it does constant work (the CEL text it
 * replaces charged a step to compare an object-valued `principal.shift` with each name), and it
 * is not run once the `when:` is over its budget (the text's would have, and a throwing getter
 * in it made the condition an error rather than over budget; both deny with code `condition`).
 */
export function shiftConditionBody(condition: CelCondition & { duringShift: NonNullable<CelCondition['duringShift']> }, shifts: readonly ShiftModel[]): string[] {
  const { roleShift } = condition.duringShift;
  const index = roleShift === undefined ? -1 : shifts.findIndex((s) => s.name === roleShift);
  if (roleShift !== undefined && index < 0) throw new Error(`policyc internal error: the role's shift ${JSON.stringify(roleShift)} is not in the model`);
  const test = `duringShift(p, c, ${SHIFTS}, ${index}${roleShift === undefined ? '' : ` /* ${roleShift.replace(/\*\//g, '* /').replace(/[\r\n\u2028\u2029]/g, ' ')} */`})`;
  // the stack's edge may fail the call itself: not evaluable then, as any condition that threw
  if (condition.duringShift.when === undefined) return ['try {', `  return ${test};`, '} catch {', '  return undefined;', '}'];
  const alone = condition.whenAlone;
  if (alone === undefined) throw new Error('policyc internal error: a `duringShift` grant with `when:` compiled without its `when:` alone');
  return [
    'try {',
    ...(alone.temps.length === 0 ? [] : [`  let ${alone.temps.map((t) => `${t}: any`).join(', ')};`]),
    `  const w: unknown = ${alone.js};`,
    `  const v: unknown = w === false || cel.isOverBudget(w) ? w : cel.and(w, ${test} ?? cel.error("the shift cannot be evaluated"));`,
    '  return v === true ? true : v === false ? false : cel.isOverBudget(v) ? null : undefined;',
    '} catch {',
    '  return undefined;',
    '}',
  ];
}
