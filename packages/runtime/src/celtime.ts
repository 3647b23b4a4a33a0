/**
 * Timestamps and durations of CEL conditions: exact to the nanosecond, calendar arithmetic
 * without `Date` (proleptic Gregorian, years 1–9999). Time zones and calendar fields are in
 * celzone.ts.
 */

/** A point in time: whole seconds since the Unix epoch plus nanoseconds (0 … 999 999 999). */
export class CelTimestamp {
  constructor(
    readonly seconds: number,
    readonly nanos: number,
  ) {}
}

/** A signed span of time: seconds and nanoseconds with the same sign. */
export class CelDuration {
  constructor(
    readonly seconds: number,
    readonly nanos: number,
  ) {}
}

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range CEL accepts. */
export const MIN_SECONDS = -62135596800;
export const MAX_SECONDS = 253402300799;
/** ±(2^63 − 1) ns, about 292 years: the range of durations in cel-go. */
const MAX_DURATION_SECONDS = 9223372036;
const MAX_DURATION_NANOS = 854775807;

/** Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number since 1970-01-01. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

/** A timestamp, or `undefined` when outside years 1–9999. */
export function timestampOf(seconds: number, nanos: number): CelTimestamp | undefined {
  if (nanos < 0 || nanos >= 1e9) {
    const carry = Math.floor(nanos / 1e9);
    seconds += carry;
    nanos -= carry * 1e9;
  }
  return seconds < MIN_SECONDS || seconds > MAX_SECONDS || !Number.isFinite(seconds) ? undefined : new CelTimestamp(seconds, nanos);
}

/** A duration normalised so seconds and nanos share a sign, or `undefined` when out of range. */
export function durationOf(seconds: number, nanos: number): CelDuration | undefined {
  if (nanos <= -1e9 || nanos >= 1e9) {
    const carry = Math.trunc(nanos / 1e9);
    seconds += carry;
    nanos -= carry * 1e9;
  }
  if (seconds > 0 && nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  } else if (seconds < 0 && nanos > 0) {
    seconds += 1;
    nanos -= 1e9;
  }
  const tooLong = Math.abs(seconds) > MAX_DURATION_SECONDS || (Math.abs(seconds) === MAX_DURATION_SECONDS && Math.abs(nanos) > MAX_DURATION_NANOS);
  return tooLong || !Number.isFinite(seconds) ? undefined : new CelDuration(seconds, nanos);
}

/** Converts an application `Date` (milliseconds) to a timestamp. */
export function timestampFromDate(date: Date): CelTimestamp | undefined {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return timestampOf(seconds, (ms - seconds * 1000) * 1e6);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 timestamp (`2026-03-29T01:30:00Z`, `…+02:00`, up to nine fraction digits). */
export function parseTimestamp(text: string): CelTimestamp | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  if (civilFromDays(daysFromCivil(y, mo, d))[2] !== d) return undefined;
  let seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  if (m[9] !== undefined) seconds -= (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  return timestampOf(seconds, nanos);
}

function fraction(nanos: number): string {
  if (nanos === 0) return '';
  return '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
}

/** RFC 3339 in UTC with as many fraction digits as needed (as cel-go prints timestamps). */
export function formatTimestamp(t: CelTimestamp): string {
  const days = Math.floor(t.seconds / 86400);
  const rest = t.seconds - days * 86400;
  const [y, m, d] = civilFromDays(days);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(y).padStart(4, '0')}-${two(m)}-${two(d)}T${two(Math.floor(rest / 3600))}:${two(Math.floor(rest / 60) % 60)}:${two(rest % 60)}${fraction(t.nanos)}Z`;
}

/** Seconds with a fraction and an `s` (`1.5s`, `-0.000000001s`), the JSON form of a duration. */
export function formatDuration(d: CelDuration): string {
  const negative = d.seconds < 0 || d.nanos < 0;
  return `${negative ? '-' : ''}${Math.abs(d.seconds)}${fraction(Math.abs(d.nanos))}s`;
}

const UNIT_NANOS: Record<string, number> = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6, us: 1e3, 'µs': 1e3, 'μs': 1e3, ns: 1 };
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|μs|ns)/y;

/** Parses a Go-style duration (`1h30m`, `-1.5s`, `300ms`). */
export function parseDuration(text: string): CelDuration | undefined {
  let i = 0;
  let sign = 1;
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (text.slice(i) === '0') return new CelDuration(0, 0);
  if (i >= text.length) return undefined;
  let total = 0n;
  while (i < text.length) {
    DURATION_PART.lastIndex = i;
    const m = DURATION_PART.exec(text);
    if (!m) return undefined;
    const [whole = '', frac = ''] = m[1]!.split('.');
    const unit = BigInt(UNIT_NANOS[m[2]!]!);
    total += BigInt(whole || '0') * unit;
    if (frac) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    i = DURATION_PART.lastIndex;
  }
  if (sign < 0) total = -total;
  return durationOf(Number(total / 1000000000n), Number(total % 1000000000n));
}

/** Total nanoseconds of a duration (exact), for arithmetic with range checks. */
export function durationNanos(d: CelDuration): bigint {
  return BigInt(d.seconds) * 1000000000n + BigInt(d.nanos);
}

export function durationFromNanos(n: bigint): CelDuration | undefined {
  return durationOf(Number(n / 1000000000n), Number(n % 1000000000n));
}
