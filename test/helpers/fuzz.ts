/**
 * The fuzz run (issue 13): random requests, hostile shapes included, against every example set's
 * checker, compared with the reference interpreter (compiler/reference/interpret.ts). A check
 * must never throw, and must agree with the reference on `allow` and `code`; when the reference
 * itself throws (a throwing getter or trap it read), the checker must deny with `error`.
 *
 * Used by `npm run fuzz` (scripts/fuzz.mjs bundles this file: 10^6 requests) and, small, by
 * test/fuzz.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { compileDir } from '../../compiler/index.ts';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.ts';
import { listPolicyFiles } from '../../compiler/load/load.ts';
import { decide, type ReferenceDecision } from '../../compiler/reference/interpret.ts';
import { loadTests } from '../../compiler/testing/tests.ts';
import type { PolicyModel } from '../../compiler/index.ts';
import type { Checker } from '../../packages/runtime/src/index.ts';
import { realize, requestArb, type HostileRequest, type Vocabulary } from './hostile.ts';
import { importBundle } from './policy.ts';
import { stringsIn } from './pollution.ts';

/** The example sets with resources to check (org-admin is guards and one on/off settings module). */
export const FUZZ_SETS = ['kommo-crm', 'zoho-hierarchy', 'zoho-reporting', 'gtg-marketing'] as const;

/** The words of a policy set: its roles, kinds, actions and attributes, and the strings of its tables. */
export function vocabularyOf(model: PolicyModel, dir: string): Vocabulary {
  const { tests } = loadTests(dir, new DiagnosticBag());
  const strings = [...stringsIn(tests.flatMap((t) => [t.principal, t.resource]))];
  return {
    roles: model.roles.map((r) => r.name),
    profiles: model.profiles,
    kinds: model.resources.map((r) => r.name),
    actions: [...new Set(model.resources.flatMap((r) => r.actions))],
    strings: strings.length > 0 ? strings : ['u1'],
    attributes: [...new Set(model.resources.flatMap((r) => [...r.attributes.map((a) => a.name), ...(r.parent ? [r.parent.attribute] : [])]))],
  };
}

export interface SetFigures {
  readonly set: string;
  readonly requests: number;
  readonly throws: number;
  readonly disagreements: number;
  readonly allowed: number;
  /** Requests the reference threw on (the checker denied them with `error`, or it is a disagreement). */
  readonly referenceThrew: number;
  readonly ms: number;
  /** The first few disagreements or throws, as text. */
  readonly examples: readonly string[];
}

/** A request as text for a report; hostile parts may throw even when printed. */
function show(recipe: unknown): string {
  try {
    return JSON.stringify(recipe, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' || typeof v === 'function' ? String(v) : v));
  } catch {
    return '(unprintable)';
  }
}

/** Fuzzes one example set with `requests` requests generated from `seed`. */
export async function fuzzSet(root: string, set: string, requests: number, seed: number): Promise<SetFigures> {
  const dir = join(root, 'policies', set);
  const result = await compileDir(dir);
  if (!result.output || !result.model) throw new Error(`${set} does not compile`);
  const checker = (await importBundle(result.output.bundle)).checker as Checker;
  const files = listPolicyFiles(dir).map((f) => parse(readFileSync(join(dir, f), 'utf8')) as unknown);
  const arb = requestArb(vocabularyOf(result.model, dir));
  const started = performance.now();
  let [throws, disagreements, allowed, referenceThrew] = [0, 0, 0, 0];
  const examples: string[] = [];
  const BATCH = 5_000;
  for (let done = 0; done < requests; done += BATCH) {
    const recipes = fc.sample(arb, { numRuns: Math.min(BATCH, requests - done), seed: seed + done });
    for (const recipe of recipes) {
      // each side gets objects of its own: a getter or Proxy may count its reads
      const forChecker = realize(recipe) as HostileRequest;
      const forReference = realize(recipe) as HostileRequest;
      let got;
      try {
        got = checker.can(forChecker.principal as never, forChecker.action as never, forChecker.resource as never, forChecker.context as never);
      } catch (error) {
        throws++;
        if (examples.length < 5) examples.push(`threw ${String(error)} on ${show(recipe)}`);
        continue;
      }
      let want: ReferenceDecision;
      let thrown = '';
      try {
        want = decide(files, forReference.principal, forReference.action as string, forReference.resource, forReference.context);
      } catch (error) {
        referenceThrew++;
        want = { allow: false, code: 'error' };
        try {
          thrown = error instanceof Error ? ` (${error.stack?.split('\n').slice(0, 4).join(' ← ') ?? error.message})` : '';
        } catch {
          thrown = ' (a hostile value)';
        }
      }
      if (got.allow) allowed++;
      if (got.allow !== want.allow || got.code !== want.code) {
        disagreements++;
        if (examples.length < 5) examples.push(`checker ${got.code} (${got.reason}), reference ${want.code}${thrown} on ${show(recipe)}`);
      }
    }
  }
  return { set, requests, throws, disagreements, allowed, referenceThrew, ms: performance.now() - started, examples };
}
