/**
 * Conditions in the reference interpreter: `when:` through compiler/cel (whose semantics the CEL
 * conformance suite pins) and working hours (`duringShift`) computed here from the shift's days,
 * times and time zone.
 */
import { own } from '@policyc/runtime';
import { compileExpression, t, type CelType } from '../cel/index.ts';
import { isObject, type Kind, type Policy, type Role } from './read.ts';

const COMPILED = new Map<string, ReturnType<typeof compileExpression>>();

/**
 * Whether a conditional grant's condition holds: `true`, `false`, or `undefined` when it cannot
 * be evaluated. `when:` is CEL (compiled by compiler/cel, whose semantics the CEL conformance
 * suite pins); `duringShift` is computed here, from the shift's days, times and time zone.
 */
export function conditionMet(
  policy: Policy,
  kind: Kind,
  kindName: string,
  role: Role,
  condition: { when: string | undefined; duringShift: boolean },
  principal: Record<string, unknown>,
  resource: Record<string, unknown>,
  context: unknown,
): boolean | undefined {
  let met: boolean | undefined = condition.when === undefined ? true : celMet(policy, kind, kindName, condition.when, principal, resource, context);
  if (met === true && condition.duringShift === true) {
    // as for `when:` (docs/conditions.md): a value that throws when read means the condition cannot be evaluated
    try {
      met = inShift(policy, role, principal, context);
    } catch {
      met = undefined;
    }
  }
  return met;
}

/** A CEL condition over the request: `true`, `false`, or `undefined` when it cannot be evaluated. */
export function celMet(policy: Policy, kind: Kind, kindName: string, when: string, principal: Record<string, unknown>, resource: Record<string, unknown>, context: unknown): boolean | undefined {
  const CEL: Record<string, CelType> = { string: t.string, number: t.double, boolean: t.bool, 'string[]': t.list(t.string), record: t.dyn, timestamp: t.timestamp };
  const declarations = {
    principal: t.object('principal', {
      id: t.string, role: t.string, groups: t.list(t.string), organisation: t.string, technical: t.bool, shift: t.string, reports: t.list(t.string),
      ...Object.fromEntries([...policy.principal].map(([a, type]) => [a, CEL[type] ?? t.dyn])),
    }),
    resource: t.object(kindName, Object.fromEntries([...kind.attributes].map(([a, type]) => [a, CEL[type] ?? t.dyn]))),
    context: t.object('context', Object.fromEntries([['now', t.timestamp], ...[...policy.context].map(([a, type]) => [a, CEL[type] ?? t.dyn] as const)])),
  };
  // compiled once per text and declared attributes (a cache only: the same text and types compile the same)
  const key = JSON.stringify([when, kindName, [...kind.attributes], [...policy.context], [...policy.principal], policy.conditionBudget]);
  let compiled = COMPILED.get(key);
  if (compiled === undefined) {
    // over its budget a condition is an error: not met, a denial with code `condition`
    compiled = compileExpression(when, declarations, policy.conditionBudget === undefined ? {} : { budget: policy.conditionBudget });
    COMPILED.set(key, compiled);
  }
  if (!compiled.ok) throw new Error(`reference: condition does not compile: ${when}`);
  const result = compiled.test({ principal, resource, context: context ?? {} });
  return result === true ? true : result === false ? false : undefined;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Whether `context.now` falls in the principal's shift (its own `shift`, else its role's). Like
 * every request value, `now` and `shift` are read by the own-data rule (own or own-class
 * properties, docs/policy-language.md).
 */
function inShift(policy: Policy, role: Role, principal: Record<string, unknown>, context: unknown): boolean | undefined {
  // the shift first, then the time: a principal in no shift is outside it whatever `now` is
  const name = own(principal, 'shift') !== undefined ? own(principal, 'shift') : role.shift;
  const shift = typeof name === 'string' ? policy.shifts.get(name) : undefined;
  if (shift === undefined) return false;
  const now = isObject(context) ? own(context, 'now') : undefined;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) return undefined;
  const { day, minute } = localTime(now, shift.timeZone);
  const start = Number(shift.start.slice(0, 2)) * 60 + Number(shift.start.slice(3));
  const end = Number(shift.end.slice(0, 2)) * 60 + Number(shift.end.slice(3));
  const startsOn = (d: number) => shift.days.includes(WEEKDAYS[d]!);
  if (start < end) return startsOn(day) && minute >= start && minute < end;
  return (startsOn(day) && minute >= start) || (startsOn((day + 6) % 7) && minute < end);
}

/** Day of week (0 = Sunday) and minute of the day of `now` in a time zone: an IANA name or `±HH:MM`. */
function localTime(now: Date, zone: string): { day: number; minute: number } {
  const fixed = /^([+-])(\d\d):(\d\d)$/.exec(zone);
  if (fixed) {
    const shifted = new Date(now.getTime() + (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000);
    return { day: shifted.getUTCDay(), minute: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: WEEKDAYS.indexOf(part('weekday').toLowerCase().slice(0, 3)), minute: Number(part('hour')) * 60 + Number(part('minute')) };
}
