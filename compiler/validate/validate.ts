import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../schemas/policy.schema.json' with { type: 'json' };
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import { spanAt, type PathSegment, type PolicyFile } from '../load/load.ts';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
const validateFile = ajv.compile(schema);

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
 * Checks each file against `schemas/policy.schema.json`; every error lands on the exact
 * key or value and is phrased for a policy author, not in JSON Schema terms.
 * Returns true when every file is valid.
 */
export function validateFiles(files: readonly PolicyFile[], bag: DiagnosticBag): boolean {
  let ok = true;
  for (const file of files) {
    if (file.value === null || file.value === undefined) continue; // an empty file is valid
    if (validateFile(file.value)) continue;
    ok = false;
    for (const error of selectErrors(validateFile.errors ?? [])) report(file, error, bag);
  }
  return ok;
}

/**
 * An `anyOf` reports one error per branch. Keep the errors of branches that got past the
 * type test (the author clearly meant that shape); when none did, keep the `anyOf` itself.
 */
function selectErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const kept: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf') {
      const branches = errors.filter((b) => b !== e && isInside(b, e));
      const meaningful = branches.filter((b) => b.keyword !== 'type' || b.instancePath !== e.instancePath);
      if (meaningful.length === 0) kept.push(e);
      continue;
    }
    const underAnyOf = [...anyOfPaths].some((p) => e.schemaPath.includes('/anyOf/') && (e.instancePath === p || e.instancePath.startsWith(p + '/')));
    if (underAnyOf && e.keyword === 'type' && anyOfPaths.has(e.instancePath)) continue;
    kept.push(e);
  }
  // the same message twice (for example from two branches) is noise
  const seen = new Set<string>();
  return kept.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isInside(branch: ErrorObject, anyOf: ErrorObject): boolean {
  return (
    branch.schemaPath.startsWith(anyOf.schemaPath.replace(/\/anyOf$/, '/anyOf/')) &&
    (branch.instancePath === anyOf.instancePath || branch.instancePath.startsWith(anyOf.instancePath + '/'))
  );
}

function report(file: PolicyFile, e: ErrorObject, bag: DiagnosticBag): void {
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
      bag.report('InvalidValue', spanAt(file, path), `${tick(String(path[path.length - 1] ?? 'list'))} needs at least one entry`);
      return;
    case 'anyOf': {
      const description = (e.parentSchema as { description?: string }).description ?? '';
      bag.report('InvalidShape', spanAt(file, path), `${describe(e.data)} is not ${ARTICLE(titleOf(e))}`, {
        help: description.length > 0 ? `expected ${description.charAt(0).toLowerCase()}${description.slice(1).replace(/\.$/, '')}` : undefined,
      });
      return;
    }
    default:
      bag.report('InvalidShape', spanAt(file, path), `${e.message ?? 'invalid value'}`);
  }
}
