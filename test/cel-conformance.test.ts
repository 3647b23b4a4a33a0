/**
 * The official CEL conformance cases (`@bufbuild/cel-spec`, cel-spec v0.25.1) for the sections
 * policyc's condition language covers. Cases that need what conditions leave out — protobuf
 * messages, uint, bytes, optionals — are skipped by the explicit filter `outOfScope` and counted;
 * every other case must pass, or be listed in `DEPARTURES` with its reason (the same list is in
 * docs/conditions.md). A listed departure that starts passing fails the test, so the list stays true.
 */
import { tests } from '@bufbuild/cel-spec/testdata/conformance.js';
import { afterAll, describe, expect, it } from 'vitest';
import { compileExpression, t, type CelType, type Declarations } from '../compiler/cel/index.ts';
import { CelError, CelType as CelTypeValue } from '../packages/runtime/src/cel.ts';

const SECTIONS = ['basic', 'comparisons', 'conversions', 'fields', 'fp_math', 'integer_math', 'lists', 'logic', 'macros', 'parse', 'plumbing', 'string', 'timestamps'];

/** `section/suite/name` → why policyc deliberately differs from CEL there. */
export const DEPARTURES: Readonly<Record<string, string>> = {};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** Why a case is outside the condition language, or undefined when it is in scope. */
function outOfScope(c: Obj): string | undefined {
  const expr = String(c.expr);
  const data = JSON.stringify([c.value ?? null, c.bindings ?? null, c.typeEnv ?? null]);
  if (/\b(?:0[xX][0-9a-fA-F]+|\d+)[uU]\b|\buint\(|"UINT64"|uint64Value/.test(expr + data)) return 'uint';
  if (/(?:^|[\s(\[{,:!=<>+*/%?|&-])(?:[bB][rR]?|[rR][bB])['"]|\bbytes\(/.test(expr) || /"BYTES"|bytesValue/.test(data)) return 'bytes';
  if (/\.\?|\[\?|\{\?|\boptional\b/.test(expr)) return 'optionals';
  if (c.container !== undefined || /objectValue|messageType/.test(data) || /\b[A-Z]\w*\s*\{|google\.protobuf\.(?!Timestamp\b|Duration\b)|\bproto[23]?\b|TestAllTypes|\.Value\b/.test(expr)) {
    return 'protobuf messages';
  }
  return undefined;
}

function typeOf(json: Json): CelType {
  const o = json as Obj;
  if (o.primitive) return { INT64: t.int, DOUBLE: t.double, STRING: t.string, BOOL: t.bool }[String(o.primitive)] ?? t.dyn;
  if ('null' in o) return t.null;
  if (o.listType) return t.list(typeOf((o.listType as Obj).elemType!));
  if (o.mapType) return t.map(typeOf((o.mapType as Obj).keyType!), typeOf((o.mapType as Obj).valueType!));
  return t.dyn;
}

function valueOf(json: Json): unknown {
  const o = json as Obj;
  if ('int64Value' in o) return BigInt(String(o.int64Value));
  if ('doubleValue' in o) return Number(o.doubleValue);
  if ('stringValue' in o) return o.stringValue;
  if ('boolValue' in o) return o.boolValue;
  if ('nullValue' in o) return null;
  if ('listValue' in o) return (((o.listValue as Obj).values ?? []) as Json[]).map(valueOf);
  if ('mapValue' in o) return new Map((((o.mapValue as Obj).entries ?? []) as Obj[]).map((e) => [valueOf(e.key!), valueOf(e.value!)]));
  if ('typeValue' in o) return new CelTypeValue(String(o.typeValue));
  throw new Error(`value not handled: ${JSON.stringify(json)}`);
}

/** Exact equality: same kinds (an int is not a double), NaN equals NaN, maps in any order. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return Object.is(a, b) || a === b;
  if (typeof a !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    return [...a].every(([k, v]) => b.has(k) && same(v, b.get(k)));
  }
  if (a instanceof CelTypeValue) return b instanceof CelTypeValue && a.name === b.name;
  return false;
}

function show(v: unknown): string {
  if (v instanceof CelError) return `error(${v.message})`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${show(k)}: ${show(x)}`).join(', ')}}`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof CelTypeValue) return `type(${v.name})`;
  return JSON.stringify(v) ?? String(v);
}

type Outcome = 'passed' | 'departure' | 'out of scope' | 'failed';

/** Runs one case: the outcome, and what went wrong for a failure. */
function run(c: Obj): { outcome: Outcome; detail?: string } {
  const reason = outOfScope(c);
  if (reason) return { outcome: 'out of scope', detail: reason };
  const declarations: Record<string, CelType> = {};
  for (const decl of (c.typeEnv ?? []) as Obj[]) declarations[String(decl.name)] = typeOf((decl.ident as Obj).type!);
  for (const name of Object.keys((c.bindings ?? {}) as Obj)) declarations[name] ??= t.dyn;
  const compiled = compileExpression(String(c.expr), declarations as Declarations, { check: c.disableCheck !== true });
  const expectError = c.evalError !== undefined;
  const bindings: Record<string, unknown> = {};
  for (const [name, b] of Object.entries((c.bindings ?? {}) as Obj)) bindings[name] = valueOf((b as Obj).value!);
  if (!compiled.ok) {
    if (!expectError) return { outcome: 'failed', detail: `compile error: ${compiled.errors.map((e) => `${e.code} ${e.message}`).join('; ')}` };
    // rejected at compile time (an invalid literal): evaluating it unchecked must be an error too
    const unchecked = compileExpression(String(c.expr), declarations as Declarations, { check: false });
    if (process.env.CEL_SHOW_COMPILE_ERRORS) console.log(`${String(c.name)}: ${String(c.expr)} → ${compiled.errors.map((e) => e.message).join('; ')}`);
    if (!unchecked.ok) return { outcome: 'passed' };
    const value = unchecked.evaluate(bindings);
    return value instanceof CelError ? { outcome: 'passed' } : { outcome: 'failed', detail: `rejected by the checker, but evaluates to ${show(value)}` };
  }
  const result = compiled.evaluate(bindings);
  if (expectError) return result instanceof CelError ? { outcome: 'passed' } : { outcome: 'failed', detail: `expected an error, got ${show(result)} from ${compiled.source}` };
  const want = valueOf(c.value ?? { boolValue: true });
  return same(result, want) ? { outcome: 'passed' } : { outcome: 'failed', detail: `expected ${show(want)}, got ${show(result)} from ${compiled.source}` };
}

const counts: Record<string, Record<Outcome, number>> = {};

describe('CEL conformance (@bufbuild/cel-spec)', () => {
  for (const section of tests.suites ?? []) {
    if (!SECTIONS.includes(section.name)) continue;
    it(`section ${section.name}`, () => {
      const tally: Record<Outcome, number> = { passed: 0, departure: 0, 'out of scope': 0, failed: 0 };
      counts[section.name] = tally;
      const failures: string[] = [];
      const stale: string[] = [];
      for (const suite of section.suites ?? []) {
        for (const test of suite.tests ?? []) {
          const c = test.original as Obj;
          const id = `${section.name}/${suite.name}/${String(c.name)}`;
          const { outcome, detail } = run(c);
          const departure = Object.hasOwn(DEPARTURES, id);
          if (outcome === 'failed' && departure) tally.departure++;
          else if (outcome === 'failed') {
            tally.failed++;
            failures.push(`${id}: ${String(c.expr)} — ${detail ?? ''}`);
          } else {
            if (departure) stale.push(id);
            tally[outcome]++;
          }
        }
      }
      expect(failures).toEqual([]);
      expect(stale, 'listed departures that now pass').toEqual([]);
    });
  }
});

afterAll(() => {
  const rows = Object.entries(counts).map(([name, c]) => `${name.padEnd(14)} ${String(c.passed).padStart(4)} passed  ${String(c.departure).padStart(3)} departures  ${String(c['out of scope']).padStart(4)} out of scope  ${c.failed} failed`);
  console.log(`CEL conformance per section:\n${rows.join('\n')}`);
});
