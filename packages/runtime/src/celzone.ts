import { civilFromDays, daysFromCivil, type CelTimestamp } from './celtime.js';

/**
 * Time zones and the calendar fields of timestamps in them (`getHours("Europe/Warsaw")`). IANA
 * zones go through `Intl.DateTimeFormat` (one formatter per zone, offsets cached per 15-minute
 * bucket of UTC time in a direct-mapped table); fixed offsets (`+11:00`, `-02:30`) are computed
 * directly.
 */

const FIXED_OFFSET = /^([+-]?)(\d{2}):(\d{2})$/;

/**
 * What is known about a zone name: a fixed offset, or a formatter and its offsets by 15-minute
 * bucket of UTC time, in a direct-mapped cache (slot = bucket mod {@link SLOTS}, the bucket
 * stored beside its offset): a hit costs two array reads, no hashing.
 */
interface Zone {
  readonly fixed: number | undefined;
  readonly format: Intl.DateTimeFormat | undefined;
  buckets: Float64Array | undefined;
  offsets: Int32Array | undefined;
}
/** 21 days of 15-minute buckets per zone (24 KB, allocated on the zone's first IANA lookup). */
const SLOTS = 2048;
const zones = /* @__PURE__ */ new Map<string, Zone | null>();
/** The zone looked up last: a condition names one zone, so most lookups skip the map. */
let lastName: string | undefined;
let lastZone: Zone | null = null;

function zoneOf(name: string): Zone | null {
  if (name === lastName) return lastZone;
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = newZone(name);
    if (zones.size > 256) zones.clear();
    zones.set(name, zone);
  }
  lastName = name;
  lastZone = zone;
  return zone;
}

function newZone(name: string): Zone | null {
  const fixed = FIXED_OFFSET.exec(name);
  if (fixed) {
    const off = Number(fixed[2]) * 3600 + Number(fixed[3]) * 60;
    return { fixed: fixed[1] === '-' ? -off : off, format: undefined, buckets: undefined, offsets: undefined };
  }
  if (name === 'UTC' || name === 'Z') return { fixed: 0, format: undefined, buckets: undefined, offsets: undefined };
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    return { fixed: undefined, format, buckets: undefined, offsets: undefined };
  } catch {
    return null;
  }
}

/** Whether `name` is a zone this runtime knows (an IANA name of its ICU data, a fixed offset or `UTC`). */
export function knownZone(name: string): boolean {
  return zoneOf(name) !== null;
}

/**
 * The offset from UTC in seconds of `zone` at `seconds`, or `undefined` for an unknown zone.
 * IANA offsets are cached per 15-minute bucket of UTC time: every transition of the current
 * tz database falls on such a boundary (historical local-mean-time offsets before ~1900 may not).
 */
export function zoneOffset(name: string, seconds: number): number | undefined {
  const zone = zoneOf(name);
  return zone === null ? undefined : offsetIn(zone, seconds);
}

/**
 * {@link zoneOffset} of a known zone. The cache hit is kept small enough to inline into compiled
 * conditions: two typed-array reads, no closure, no allocation (a miss is {@link offsetFromIntl}).
 */
function offsetIn(zone: Zone, seconds: number): number {
  if (zone.fixed !== undefined) return zone.fixed;
  const bucket = Math.floor(seconds / 900);
  const slot = bucket & (SLOTS - 1);
  const buckets = zone.buckets;
  if (buckets !== undefined && buckets[slot] === bucket) return zone.offsets![slot]!;
  return offsetFromIntl(zone, bucket, slot);
}

/** The offset at the start of `bucket`, from the wall-clock fields Intl gives, stored in its slot. */
function offsetFromIntl(zone: Zone, bucket: number, slot: number): number {
  if (zone.buckets === undefined || zone.offsets === undefined) {
    zone.buckets = new Float64Array(SLOTS).fill(NaN);
    zone.offsets = new Int32Array(SLOTS);
  }
  const at = bucket * 900;
  const parts = zone.format!.formatToParts(new Date(at * 1000));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const wall = daysFromCivil(year, get('month'), get('day')) * 86400 + get('hour') * 3600 + get('minute') * 60 + get('second');
  const offset = wall - at;
  zone.buckets[slot] = bucket;
  zone.offsets[slot] = offset;
  return offset;
}

export type TimePart = 'FullYear' | 'Month' | 'Date' | 'DayOfMonth' | 'DayOfWeek' | 'DayOfYear' | 'Hours' | 'Minutes' | 'Seconds' | 'Milliseconds';

/** A calendar field of a timestamp in a zone (UTC by default), or `undefined` for an unknown zone. */
export function timestampPart(t: CelTimestamp, part: TimePart, zone: string | undefined): number | undefined {
  return partAt(t.seconds, t.nanos, part, zone);
}

/**
 * {@link timestampPart} of the timestamp of a JS time (milliseconds since the epoch, inside
 * years 1–9999), for the fast paths of compiled conditions: no timestamp is allocated. NaN for
 * an unknown zone.
 */
export function localPart(ms: number, part: TimePart, zone?: string): number {
  const seconds = Math.floor(ms / 1000);
  let offset = 0;
  if (zone !== undefined) {
    const known = zoneOf(zone);
    if (known === null) return NaN; // generated code checks `knownZone` first
    offset = offsetIn(known, seconds);
  }
  return localField(seconds + offset, ms - seconds * 1000, part);
}

function partAt(seconds: number, nanos: number, part: TimePart, zone: string | undefined): number | undefined {
  const offset = zone === undefined ? 0 : zoneOffset(zone, seconds);
  return offset === undefined ? undefined : localField(seconds + offset, Math.floor(nanos / 1e6), part);
}

/** A calendar field of the local time `local` (seconds since the epoch, as on the zone's clocks) plus `ms` milliseconds. */
function localField(local: number, ms: number, part: TimePart): number {
  const days = Math.floor(local / 86400);
  const rest = local - days * 86400;
  switch (part) {
    case 'Hours':
      return Math.floor(rest / 3600);
    case 'Minutes':
      return Math.floor(rest / 60) % 60;
    case 'Seconds':
      return rest % 60;
    case 'Milliseconds':
      return Math.floor(ms);
    case 'DayOfWeek':
      return (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; Sunday is 0
    default:
      return calendarField(days, part);
  }
}

/** The fields that need the civil date (an array): out of the hot path of hours and weekdays. */
function calendarField(days: number, part: TimePart): number {
  const [y, m, d] = civilFromDays(days);
  switch (part) {
    case 'FullYear':
      return y;
    case 'Month':
      return m - 1; // CEL months are 0-based
    case 'Date':
      return d; // 1-based
    case 'DayOfMonth':
      return d - 1; // 0-based
    default:
      return days - daysFromCivil(y, 1, 1); // DayOfYear, 0-based
  }
}
