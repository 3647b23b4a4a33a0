import { createRequire } from 'node:module';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import policySchema from '../../schemas/policy.schema.json' with { type: 'json' };
import testSchema from '../../schemas/test.schema.json' with { type: 'json' };
import { policy as acceptsPolicy, test as acceptsTest } from './generated/validators.ts';
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import { spanAt, type PathSegment, type PolicyFile } from '../load/load.ts';

const SCHEMA_IDS = { policy: policySchema.$id, test: testSchema.$id } as const;

/**
 * The schemas compiled ahead of time (scripts/schema-validators.mjs): they only accept or reject.
 * Most files are valid, so ajv itself — compiling the schemas takes a fifth of `policyc check` —
 * is loaded only to report the errors of a file they reject.
 */
const ACCEPTS: Readonly<Record<keyof typeof SCHEMA_IDS, (data: unknown) => boolean>> = { policy: acceptsPolicy, test: acceptsTest };

/**
 * Two reporting validators of the same schemas: one collects every error, one stops at the first.
 * Ajv copies its error list at each sub-schema call, so collecting every error takes time in the
 * square of their number (10,000 bad grants: 14 s); a large file is checked to its first error.
 */
type Mode = 'all' | 'first';
const reporting: Partial<Record<Mode, Ajv>> = {};
function ajv(mode: Mode): Ajv {
  let instance = reporting[mode];
  if (instance === undefined) {
    const Ajv = (createRequire(import.meta.url)('ajv') as { default: new (options: object) => Ajv }).default;
    instance = new Ajv({ allErrors: mode === 'all', verbose: true, strict: true });
    instance.addSchema(policySchema);
    instance.addSchema(testSchema);
    reporting[mode] = instance;
  }
  return instance;
}
/** Characters of a file above which it is reported to its first error only (the largest bundled example has under 10,000). */
const LARGE_FILE = 65_536;

/** `/roles/a~1b/grants` → ['roles', 'a/b', 'grants'] */
function pathOf(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${tick(value)}`;
  return `${typeof value === 'number' ? 'the number' : 'the boolean'} \`${String(value)}\``;
}

function titleOf(error: ErrorObject): string {
  const s = error.parentSchema as { title?: string } | undefined;
  return s?.title ?? 'value';
}

const ARTICLE = (noun: string): string => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

/**
 * Checks each file against `schemas/policy.schema.json` (or `test.schema.json` for policy
 * test files); every error lands on the exact key or value and is phrased for a policy
 * author, not in JSON Schema terms. Returns true when every file is valid.
 */
export function validateFiles(files: readonly PolicyFile[], bag: DiagnosticBag, schema: keyof typeof SCHEMA_IDS = 'policy'): boolean {
  let ok = true;
  for (const file of files) {
    if (file.value === null || file.value === undefined) continue; // an empty file is valid
    if (ACCEPTS[schema](file.value)) continue;
    const mode: Mode = file.text.length > LARGE_FILE ? 'first' : 'all';
    const validateFile = validatorAt(`${SCHEMA_IDS[schema]}#`, mode);
    if (validateFile(file.value)) throw new Error('policyc internal error: the precompiled schema and ajv disagree; rebuild (npm run build)');
    ok = false;
    for (const error of selectErrors(validateFile.errors ?? [])) report(file, error, bag, mode);
  }
  return ok;
}

type Schema = { $ref?: string; type?: string; enum?: unknown[]; anyOf?: Schema[]; title?: string; description?: string };

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? 'number' : typeof value === 'object' ? 'object' : typeof value;
}

const validators = new Map<string, ValidateFunction>();

/** Full id (`<schema $id>#<JSON pointer>`) of every sub-schema object, to find an `anyOf`'s branches. */
const pointers = new Map<unknown, string>();
function walk(node: unknown, pointer: string): void {
  if (node === null || typeof node !== 'object') return;
  pointers.set(node, pointer);
  for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`);
}
walk(policySchema, `${policySchema.$id}#`);
walk(testSchema, `${testSchema.$id}#`);

/** The validator of a sub-schema by its full id, e.g. `https://…/policy.schema.json#/definitions/level`. */
function validatorAt(id: string, mode: Mode = 'all'): ValidateFunction {
  let validate = validators.get(`${mode} ${id}`);
  if (!validate) {
    validate = ajv(mode).getSchema(id);
    if (!validate) throw new Error(`policyc internal error: no schema at ${id}`);
    validators.set(`${mode} ${id}`, validate);
  }
  return validate;
}

/** A branch with its `$ref` (relative to the schema document `doc`) resolved. */
function resolve(schema: Schema, doc: string): Schema {
  return schema.$ref === undefined ? schema : (validatorAt(doc + schema.$ref).schema as Schema);
}

function branchType(branch: Schema, doc: string): string | undefined {
  const s = resolve(branch, doc);
  return s.type ?? (s.enum !== undefined ? jsonType(s.enum[0]) : undefined);
}

/**
 * `anyOf` (a grant may be a level, a list or a map) makes JSON Schema report one error per
 * branch. Instead, pick the branch whose type the author wrote and report only its errors;
 * when no branch has that type, report one "expected …" error.
 */
function reportAnyOf(file: PolicyFile, e: ErrorObject, bag: DiagnosticBag, mode: Mode): void {
  const parent = e.parentSchema as Schema;
  const at = pointers.get(parent) ?? '#';
  const doc = at.slice(0, at.indexOf('#'));
  const index = (parent.anyOf ?? []).findIndex((b) => branchType(b, doc) === jsonType(e.data));
  if (index < 0) {
    bag.report('InvalidShape', spanAt(file, pathOf(e.instancePath)), `expected ${parent.title ?? 'another shape'}, found ${describe(e.data)}`);
    return;
  }
  const validateBranch = validatorAt(`${at}/anyOf/${index}`, mode);
  if (validateBranch(e.data)) return;
  for (const inner of selectErrors(validateBranch.errors ?? [])) {
    report(file, { ...inner, instancePath: e.instancePath + inner.instancePath }, bag, mode);
  }
}

/** Drops what an enclosing `anyOf` explains better (see {@link reportAnyOf}). */
function selectErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  // a set and a walk up each path, not each error against each `anyOf`: 20,000 bad grants took minutes
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const underAnyOf = (path: string): boolean => {
    for (let at = path; ; at = at.slice(0, at.lastIndexOf('/'))) {
      if (anyOfPaths.has(at)) return true;
      if (at === '') return false;
    }
  };
  return errors.filter((e) => e.keyword === 'anyOf' || !underAnyOf(e.instancePath));
}

function report(file: PolicyFile, e: ErrorObject, bag: DiagnosticBag, mode: Mode): void {
  const path = pathOf(e.instancePath);
  const where = path.length === 0 ? 'at the top level' : `in ${ARTICLE(titleOf(e))}`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      bag.report('UnknownKey', spanAt(file, [...path, key], 'key'), `unknown key ${tick(key)} ${where}`, {
        help: didYouMean(key, allowed) ?? `expected one of ${allowed.map((k) => tick(k)).join(', ')}`,
      });
      return;
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      bag.report('MissingKey', spanAt(file, path, 'key'), `${ARTICLE(titleOf(e))} needs ${tick(missing)}`);
      return;
    }
    case 'type': {
      const expected = String((e.params as { type: string }).type).replace('object', 'mapping').replace('array', 'list');
      bag.report('WrongType', spanAt(file, path), `expected ${ARTICLE(expected)}, found ${describe(e.data)}`);
      return;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const got = typeof e.data === 'string' ? tick(e.data) : describe(e.data);
      bag.report('InvalidValue', spanAt(file, path), `${got} is not ${ARTICLE(titleOf(e))}`, {
        help: (typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined) ?? `expected one of ${allowed.join(', ')}`,
      });
      return;
    }
    case 'propertyNames':
      return; // reported through the name's own error below
    case 'minLength':
    case 'maxLength': {
      const name = (e as ErrorObject & { propertyName?: string }).propertyName;
      const span = name === undefined ? spanAt(file, path) : spanAt(file, [...path, name], 'key');
      bag.report('InvalidValue', span, e.keyword === 'minLength' ? 'a name cannot be empty' : 'a name is longer than 200 characters');
      return;
    }
    case 'minItems':
    case 'minProperties':
      bag.report('InvalidValue', spanAt(file, path), `${tick(String(path[path.length - 1] ?? 'list'))} needs at least one entry`);
      return;
    case 'maxProperties':
    case 'maxItems': {
      // a limit of the language (R-Z10: at most 30 shifts): said in its words, on the first entry past it
      const limit = (e.params as { limit: number }).limit;
      const data = e.data as Record<string, unknown> | unknown[];
      const found = Array.isArray(data) ? data.length : Object.keys(data).length;
      const extra = Array.isArray(data) ? limit : Object.keys(data)[limit]!;
      const what = String(path[path.length - 1] ?? 'entries');
      const message = limit === 1 ? `${tick(what)} takes one entry, found ${found}` : `at most ${limit} ${what}, found ${found}`;
      bag.report('InvalidValue', spanAt(file, [...path, extra], Array.isArray(data) ? 'value' : 'key'), message, { help: limit === 1 ? 'keep one of them' : `remove ${found - limit} of them` });
      return;
    }
    case 'anyOf':
      reportAnyOf(file, e, bag, mode);
      return;
    case 'dependencies': {
      // R-K7: `requires` is written on a child record, next to its `parent`
      const { property, missingProperty } = e.params as { property: string; missingProperty: string };
      bag.report('MissingKey', spanAt(file, [...path, property], 'key'), `${tick(property)} needs ${tick(missingProperty)} next to it`, {
        help: property === 'requires' ? 'a capability is required on top of access to a parent record: declare the `parent`' : undefined,
      });
      return;
    }
    case 'pattern':
      if (['capability', 'permission'].includes(String(path[path.length - 1]))) {
        bag.report('InvalidValue', spanAt(file, path), `${typeof e.data === 'string' ? tick(e.data) : describe(e.data)} is not \`<module>.<permission>\``, { help: 'for example `capabilities.media_access`' });
        return;
      }
      bag.report('InvalidShape', spanAt(file, path), `${e.message ?? 'invalid value'}`);
      return;
    case 'minimum':
      bag.report('InvalidValue', spanAt(file, path), `${describe(e.data)} is below the smallest allowed, ${String((e.params as { limit: number }).limit)}`);
      return;
    default:
      bag.report('InvalidShape', spanAt(file, path), `${e.message ?? 'invalid value'}`);
  }
}
