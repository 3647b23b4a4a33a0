/**
 * Requests for test/working-hours.test.ts (R-Z10, issue 17): how a principal carries `shift` and a
 * context `now` — plainly, through a class, a polluted `Object.prototype`, a Proxy, a Map, a
 * throwing getter, or as a value of the wrong type — at instants a shift's answer turns on.
 */
import fc from 'fast-check';
import { polluted } from './pollution.ts';

/** The shifts of the test's policy, a name no shift has, and names an object has of its own accord. */
export const SHIFT_NAMES = ['warsaw_office', 'sydney_night', 'weekend_late', 'warsaw_dawn', 'night', '__proto__', 'constructor', ''];

/** Instants a shift's answer turns on: local midnights, shift edges, Warsaw's DST changes of 2026 (29 March, 25 October, 01:00 UTC). */
const ANCHORS = [
  '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-03-29T00:30:00Z', '2026-10-25T00:30:00Z',
  '2026-03-23T07:00:00Z', '2026-03-23T16:00:00Z', '2026-03-22T23:00:00Z', // Warsaw 08:00, 17:00, midnight (CET)
  '2026-03-23T11:00:00Z', '2026-03-23T19:00:00Z', '2026-03-27T13:00:00Z', // +11:00 22:00, 06:00, midnight
  '2026-03-28T22:30:00Z', '2026-03-29T04:30:00Z', '2026-03-30T02:30:00Z', // -02:30 20:00, 02:00, midnight
  '2026-07-05T23:00:00Z', '2026-12-31T23:00:00Z',
  '2026-03-24T10:00:00Z', '2026-07-08T12:00:00Z', '2026-03-25T15:00:00Z', // within the office and the night shifts
].map((t) => Date.parse(t));

export const instant = fc.oneof(
  fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -150, max: 150 })).map(([t, minutes]) => t + minutes * 60_000),
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
);

/** How the principal carries `shift`. */
export const principalShift = fc.oneof(
  { arbitrary: fc.constant({ how: 'none' as const }), weight: 3 },
  { arbitrary: fc.record({ how: fc.constant('own' as const), name: fc.constantFrom('warsaw_office', 'sydney_night', 'weekend_late', 'warsaw_dawn') }), weight: 3 },
  fc.record({ how: fc.constantFrom('own' as const, 'class' as const, 'prototype' as const, 'own and prototype' as const), name: fc.constantFrom(...SHIFT_NAMES) }),
  fc.record({ how: fc.constant('value' as const), value: fc.constantFrom<unknown>(null, 42, true, ['warsaw_office'], { name: 'warsaw_office' }, new Date(0), new Date(NaN), () => 'warsaw_office', Symbol('shift')) }),
  fc.constant({ how: 'throws' as const }),
  fc.constant({ how: 'proxy' as const }),
);

/** How the context carries `now`. */
export const contextNow = fc.oneof(
  { arbitrary: fc.record({ how: fc.constant('date' as const), at: instant }), weight: 6 },
  fc.record({ how: fc.constantFrom('date' as const, 'class' as const, 'proxy' as const, 'map' as const, 'null prototype' as const, 'prototype' as const, 'string' as const, 'number' as const), at: instant }),
  fc.record({ how: fc.constantFrom('array' as const, 'map class' as const, 'trap' as const), at: instant }),
  fc.constantFrom({ how: 'no context' as const }, { how: 'no now' as const }, { how: 'invalid' as const }, { how: 'year 10000' as const }, { how: 'year 0' as const }, { how: 'throws' as const }),
);

/** Mostly `true`: the `when:` holds, so that the shift decides. */
export const likely = fc.integer({ min: 0, max: 3 }).map((n) => n > 0);

export type PrincipalShift = typeof principalShift extends fc.Arbitrary<infer T> ? T : never;
export type ContextNow = typeof contextNow extends fc.Arbitrary<infer T> ? T : never;

/** A request with its pollution, made fresh for each side (getters and Proxies are not shared). */
export function request(role: string, shift: PrincipalShift, now: ContextNow, channel: boolean, night: boolean): { principal: object; context: object | undefined; pollute: [string, unknown][] } {
  const base = { id: 'u1', role, groups: night ? ['night'] : [] };
  const pollute: [string, unknown][] = [];
  let principal: object = base;
  switch (shift.how) {
    case 'own':
      principal = { ...base, shift: shift.name };
      break;
    case 'class': {
      const name = shift.name;
      principal = Object.assign(new (class User { get shift(): string { return name; } })(), base);
      break;
    }
    case 'prototype':
      pollute.push(['shift', shift.name]);
      break;
    case 'own and prototype':
      principal = { ...base, shift: shift.name };
      pollute.push(['shift', shift.name]);
      break;
    case 'value':
      principal = { ...base, shift: shift.value };
      break;
    case 'throws':
      principal = Object.defineProperty({ ...base }, 'shift', { get: () => { throw new Error('no shift'); }, enumerable: true });
      break;
    case 'proxy':
      principal = new Proxy({ ...base, shift: 'warsaw_office' }, {});
      break;
  }
  const extra = channel ? { channel: 'web' } : {};
  let context: object | undefined;
  switch (now.how) {
    case 'no context':
      context = undefined;
      break;
    case 'no now':
      context = { ...extra };
      break;
    case 'date':
      context = { ...extra, now: new Date(now.at) };
      break;
    case 'class': {
      const at = now.at;
      context = Object.assign(new (class RequestContext { get now(): Date { return new Date(at); } })(), extra);
      break;
    }
    case 'proxy':
      context = new Proxy({ ...extra, now: new Date(now.at) }, {});
      break;
    case 'map':
      context = new Map<string, unknown>([['now', new Date(now.at)], ...Object.entries(extra)]);
      break;
    case 'null prototype':
      context = Object.assign(Object.create(null) as object, extra, { now: new Date(now.at) });
      break;
    case 'array':
      // `now` of a list, or of a built-in's subclass, is not read: no such field
      context = Object.assign([], extra, { now: new Date(now.at) });
      break;
    case 'map class': {
      const at = now.at;
      context = new (class Clock extends Map<string, unknown> { get now(): Date { return new Date(at); } })(Object.entries(extra));
      break;
    }
    case 'trap':
      context = new Proxy({ ...extra, now: new Date(now.at) }, { getPrototypeOf: () => { throw new Error('no prototype'); } });
      break;
    case 'prototype':
      context = { ...extra };
      pollute.push(['now', new Date(now.at)]);
      break;
    case 'string':
      context = { ...extra, now: new Date(now.at).toISOString() };
      break;
    case 'number':
      context = { ...extra, now: now.at };
      break;
    case 'invalid':
      context = { ...extra, now: new Date(NaN) };
      break;
    case 'year 10000':
      context = { ...extra, now: new Date(Date.UTC(10000, 0, 1)) };
      break;
    case 'year 0':
      context = { ...extra, now: new Date(Date.UTC(0, 11, 31, 23)) };
      break;
    case 'throws':
      context = Object.defineProperty({ ...extra }, 'now', { get: () => { throw new Error('no clock'); }, enumerable: true });
      break;
  }
  return { principal, context, pollute };
}

/** Runs `body` with Object.prototype polluted as the request says. */
export function withPollution<T>(pollute: readonly [string, unknown][], body: () => T): T {
  return pollute.reduceRight<() => T>((inner, [key, value]) => () => polluted(Object.prototype, key, value, inner), body)();
}
