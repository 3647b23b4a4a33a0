/**
 * Working hours (R-Z10, docs/conditions.md) decided without the CEL runtime: a `duringShift`
 * grant's condition is CEL text the compiler writes (`compiler/analyze/conditions.ts`
 * `duringShift`), and this module returns what that text's compiled code returns, for every
 * request, from the policy's shifts as data. A checker whose only condition is working hours
 * then loads none of `cel.ts` (issue 17: import and first decision within 5 ms).
 *
 * The text is `has(principal.shift) ? (principal.shift == "a" && (in a) || …) : (in the role's
 * shift)`. Request data is read as its compiled code reads it — directly where the code's fast
 * paths do, else by the own-data rule through `sel` and `has` (own.ts) — so the same values count
 * and the same values are errors; a read that throws (a getter, a Proxy trap) makes the condition
 * an error here as there, and only where the text reads: `principal.shift` always, `now` only when
 * a shift is consulted (a principal naming a shift the policy lacks is outside every shift, whatever
 * `now` is). One difference: the compiled text reads a value up to six times, this module once,
 * so a getter answering differently on each read may be answered differently.
 */
import { CelTimestamp } from './celtime.js';
import { CelError, has, sel } from './celvalue.js';
import { knownZone, localPart, timestampPart } from './celzone.js';

/**
 * A shift as a checker's data: its name, the days it starts on (bit 0 = Sunday … bit 6 =
 * Saturday), its start and end in minutes of the day (an end before the start is the next
 * morning), its time zone (an IANA name or a fixed offset such as `+11:00`).
 */
export type Shift = readonly [name: string, days: number, start: number, end: number, zone: string];

/** The `Date`s a CEL timestamp holds, 0001-01-01 to 9999-12-31 (celtime.ts `MIN_SECONDS`, `MAX_SECONDS`). */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

const OBJECT_PROTOTYPE = Object.prototype as Readonly<Record<string, unknown>>;

/**
 * Whether `context.now` is within the principal's shift — its own `shift` when it has one, else
 * the role's (`roleShift`, an index into `shifts`; -1 for a role without a shift): `true`,
 * `false`, or `undefined` when the condition cannot be evaluated (no `now`, a `now` that is no
 * timestamp, a zone unknown to this runtime, a read that threw). Never throws.
 */
export function duringShift(p: object, c: object | undefined, shifts: readonly Shift[], roleShift: number): boolean | undefined {
  try {
    return principalShift(p, c, shifts, roleShift);
  } catch {
    return undefined;
  }
}

function principalShift(p: object, c: object | undefined, shifts: readonly Shift[], roleShift: number): boolean | undefined {
  const shift = (p as Record<string, unknown>)['shift'];
  // `has(principal.shift)`: read directly while Object.prototype has no `shift` to lend
  if (shift === undefined || (OBJECT_PROTOTYPE['shift'] !== undefined && has(p, 'shift') !== true)) {
    const own = roleShift < 0 ? undefined : shifts[roleShift];
    return own === undefined ? false : within(own, c);
  }
  const name = typeof shift === 'string' && (shift !== OBJECT_PROTOTYPE['shift'] || OBJECT_PROTOTYPE['shift'] === undefined) ? shift : sel(p, 'shift');
  if (typeof name === 'string') {
    for (const s of shifts) if (s[0] === name) return within(s, c);
    return false;
  }
  // a value of another type equals no shift's name
  if (!(name instanceof CelError)) return false;
  // `error && in(s)` is `false` where `in(s)` is, else an error: so the whole `||` unless `now` is outside every shift
  for (const s of shifts) if (within(s, c) !== false) return undefined;
  return false;
}

/** Whether `context.now` falls within `shift`: the days it starts on, and for a night shift the morning after. */
function within(shift: Shift, c: object | undefined): boolean | undefined {
  const [, days, start, end, zone] = shift;
  const now = (c as Record<string, unknown> | undefined)?.['now'];
  let day: number;
  let minute: number;
  if (
    now instanceof Date &&
    now.getTime() >= MIN_MS &&
    now.getTime() <= MAX_MS &&
    (now !== OBJECT_PROTOTYPE['now'] || OBJECT_PROTOTYPE['now'] === undefined) &&
    Object.getPrototypeOf(c) === Object.prototype &&
    knownZone(zone)
  ) {
    // the common request: a `Date` of a plain context
    const ms = now.getTime();
    day = localPart(ms, 'DayOfWeek', zone);
    minute = localPart(ms, 'Hours', zone) * 60 + localPart(ms, 'Minutes', zone);
  } else {
    // any other context, by the own-data rule, as CEL's `timePart` reads it: a zone this runtime
    // does not know is an error, and so is a part that is no integer (an application's own
    // timestamp of `NaN` seconds), where `timePart` throws — the same outcome: not evaluated
    const at = sel(c, 'now');
    if (!(at instanceof CelTimestamp)) return undefined;
    const weekday = timestampPart(at, 'DayOfWeek', zone);
    if (weekday === undefined || !Number.isInteger(weekday)) return undefined;
    day = weekday;
    minute = timestampPart(at, 'Hours', zone)! * 60 + timestampPart(at, 'Minutes', zone)!;
  }
  if (start < end) return startsOn(days, day) && minute >= start && minute < end;
  return (startsOn(days, day) && minute >= start) || (startsOn(days, (day + 6) % 7) && minute < end);
}

/** Whether `day` (0 = Sunday) is one of the days of a shift's bit set. */
function startsOn(days: number, day: number): boolean {
  return ((days >> day) & 1) === 1;
}
