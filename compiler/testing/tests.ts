/**
 * `policyc test`: decision tables (`*_test.yaml`) beside the policies, run against the compiled
 * checker itself, with coverage of the role × resource × action matrix and of the rules.
 */
import { principalRows } from '../review/principals.ts';
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { DEFAULT_LIMITS } from '../diagnostics/limits.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { PolicyModel } from '../ir/model.ts';
import { parsePolicyFiles, readPolicyFolder, spanAt, type LoadedSet, type PolicyFile } from '../load/load.ts';
import { conditionLabel, overridesOf } from '../review/conditions.ts';
import { validateFiles } from '../validate/validate.ts';

type Decision = { readonly allow: boolean; readonly code: string; readonly reason: string; readonly rule?: { readonly id: number } | undefined };
/** Decides one request; `context` is the test's context (its `now` a `Date`), when it has one. */
export type Decide = (principal: unknown, action: string, resource: unknown, context: Readonly<Record<string, unknown>> | undefined) => Decision;
/** The field mask of the compiled checker (`checker.fields`). */
export type FieldsOf = (principal: unknown, resource: unknown) => Readonly<Record<string, string>>;

export interface Expectation {
  /** Where the expectation is written (the value of `expect.<action>`). */
  readonly span: Span;
  readonly action: string;
  readonly expected: string;
  readonly actual: Decision;
  readonly passed: boolean;
  /** Set for an expected field access (`fields.<field>`): `actual.code` is the access found. */
  readonly field?: string;
}

export interface TestResult {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly expectations: readonly Expectation[];
  readonly passed: boolean;
  /** The instant the test was decided at (`context.now`, ISO), when it has one. */
  readonly now?: string;
}

export interface Coverage {
  /**
   * Cells (`role · resource · action`) of the matrix that some expectation exercised, and the
   * conditional cells (`role · resource · action [stage \`won\`]`, one per stage or pipeline
   * override, R-K5) that decided some expectation.
   */
  readonly cells: { readonly covered: number; readonly total: number; readonly uncovered: readonly string[] };
  /** The conditional cells alone (included in `cells`). */
  readonly conditional: { readonly covered: number; readonly total: number };
  /** Rules that decided at least one expectation. */
  readonly rules: { readonly covered: number; readonly total: number };
}

export interface TestRun {
  readonly results: readonly TestResult[];
  readonly coverage: Coverage;
}

export interface TestSpec {
  readonly file: PolicyFile;
  readonly index: number;
  readonly name: string;
  readonly principal: unknown;
  readonly resource: unknown;
  readonly expect: ReadonlyMap<string, string>;
  /** Field → expected access (R-K6, R-Z9). */
  readonly fields: ReadonlyMap<string, string>;
  /** The context passed to `can`: the test's `context:`, with `now` (the test's or the file's) as a `Date`. */
  readonly context: Readonly<Record<string, unknown>> | undefined;
}

/** An ISO 8601 date and time with a UTC offset (`Z` or `±hh:mm`): a pinned `now` means the same instant everywhere. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant an ISO timestamp names, or undefined when it is not one (checked, not guessed: `Date.parse` alone accepts too much). */
export function parseTimestamp(text: string): Date | undefined {
  if (!ISO_TIMESTAMP.test(text)) return undefined;
  const [, month, day, hour, minute, second] = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text)!.map(Number);
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || (second !== undefined && !Number.isNaN(second) && second > 59)) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: require the written date back
  const offset = /(Z|[+-]\d{2}:\d{2})$/.exec(text)![1]!;
  const minutes = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + minutes * 60_000);
  if (local.getUTCMonth() + 1 !== month || local.getUTCDate() !== day) return undefined;
  return new Date(ms);
}

type Raw = Record<string, unknown>;
const entries = (v: unknown): [string, unknown][] => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Raw) : []);

/** Reads and validates the test files of a policy set folder; fixture names are checked. */
export function loadTests(dir: string, bag: DiagnosticBag): { set: LoadedSet; tests: TestSpec[] } {
  // read as policy files are: symbolic links followed or reported, UTF-8 checked
  const texts = readPolicyFolder(dir, bag, DEFAULT_LIMITS, 'test').texts;
  const set = parsePolicyFiles('tests', texts, bag);
  if (!validateFiles(set.files, bag, 'test')) return { set, tests: [] };

  const principals = new Map<string, { value: unknown; file: PolicyFile }>();
  const resources = new Map<string, { value: unknown; file: PolicyFile }>();
  for (const file of set.files) {
    for (const [section, fixtures] of [['principals', principals], ['resources', resources]] as const) {
      for (const [name, value] of entries((file.value as Raw | null)?.[section])) {
        const first = fixtures.get(name);
        if (first) {
          bag.report('DuplicateFixture', spanAt(file, [section, name], 'key'), `${section === 'principals' ? 'principal' : 'resource'} ${tick(name)} is defined twice`, {
            related: [{ ...spanAt(first.file, [section, name], 'key'), message: 'first defined here' }],
          });
        } else fixtures.set(name, { value, file });
      }
    }
  }

  const tests: TestSpec[] = [];
  for (const file of set.files) {
    /** A `now:` as a Date; a diagnostic at `path` when it is not an ISO timestamp with an offset. */
    const timestamp = (value: unknown, path: readonly (string | number)[]): Date | undefined => {
      if (typeof value !== 'string') return undefined; // the schema reports other types
      const date = parseTimestamp(value);
      if (date === undefined) {
        bag.report('InvalidTimestamp', spanAt(file, path), `${tick(value)} is not an ISO 8601 timestamp`, {
          help: 'write a date, a time and an offset, such as `2026-03-02T10:30:00Z` or `2026-03-02T11:30:00+01:00`',
        });
      }
      return date;
    };
    const fileNow = timestamp((file.value as Raw | null)?.now, ['now']);
    const list = ((file.value as Raw | null)?.tests ?? []) as Raw[];
    list.forEach((test, index) => {
      const fixture = (section: 'principal' | 'resource', known: Map<string, { value: unknown }>): unknown => {
        const ref = test[section];
        if (typeof ref !== 'string') return ref;
        const found = known.get(ref);
        if (!found) {
          bag.report('UnknownFixture', spanAt(file, ['tests', index, section]), `no ${section} named ${tick(ref)}`, {
            help: didYouMean(ref, known.keys()) ?? `define it under \`${section}s:\` in a test file of this folder`,
          });
        }
        return found?.value;
      };
      if (test.expect === undefined && test.fields === undefined) {
        bag.report('MissingKey', spanAt(file, ['tests', index, 'name'], 'key'), `test ${tick(String(test.name))} expects nothing`, {
          help: 'add `expect:` (action → decision) or `fields:` (field → access)',
        });
      }
      const written = test.context !== null && typeof test.context === 'object' && !Array.isArray(test.context) ? (test.context as Raw) : undefined;
      if (written?.now !== undefined && test.now !== undefined) {
        bag.report('InvalidTimestamp', spanAt(file, ['tests', index, 'context', 'now'], 'key'), `test ${tick(String(test.name))} gives \`now\` twice`, {
          help: 'keep either the test\'s `now:` or `context: { now: … }`',
        });
      }
      const now = written?.now !== undefined ? timestamp(written.now, ['tests', index, 'context', 'now']) : test.now !== undefined ? timestamp(test.now, ['tests', index, 'now']) : fileNow;
      const { now: _written, ...attributes } = written ?? {};
      const context = written === undefined && now === undefined ? undefined : { ...attributes, ...(now === undefined ? {} : { now }) };
      tests.push({
        file,
        index,
        context,
        name: String(test.name),
        principal: fixture('principal', principals),
        resource: fixture('resource', resources),
        expect: new Map(entries(test.expect) as [string, string][]),
        fields: new Map(entries(test.fields) as [string, string][]),
      });
    });
  }
  return { set, tests };
}

function meets(expected: string, actual: Decision): boolean {
  if (expected === 'allow') return actual.allow;
  if (expected === 'deny') return !actual.allow;
  return actual.code === expected;
}

/** Runs the tests whose name contains `filter` (all when undefined). */
export function runTests(model: PolicyModel, tests: readonly TestSpec[], decide: Decide, filter?: string, fieldsOf?: FieldsOf): TestRun {
  const cellsHit = new Set<string>();
  const rulesHit = new Set<number>();
  const results: TestResult[] = [];
  for (const test of tests) {
    if (filter !== undefined && !test.name.includes(filter)) continue;
    const expectations: Expectation[] = [];
    for (const [action, expected] of test.expect) {
      const actual = decide(test.principal, action, test.resource, test.context);
      expectations.push({ span: spanAt(test.file, ['tests', test.index, 'expect', action]), action, expected, actual, passed: meets(expected, actual) });
      const { role, profile } = (test.principal as { role?: unknown; profile?: unknown } | null) ?? {};
      const kind = (test.resource as { kind?: unknown } | null)?.kind;
      // R-Z2: a role's users carrying another profile than its own are cells of their own
      const variant = typeof profile === 'string' && model.roles.find((r) => r.name === role)?.profile !== profile ? profile : '';
      if (typeof role === 'string' && typeof kind === 'string') cellsHit.add(JSON.stringify([role, variant, kind, action]));
      if (actual.rule !== undefined) rulesHit.add(actual.rule.id);
    }
    if (test.fields.size > 0) expectations.push(...fieldExpectations(model, test, fieldsOf));
    const line = spanAt(test.file, ['tests', test.index]).start;
    results.push({
      file: test.file.path,
      line: lineOf(test.file.text, line),
      name: test.name,
      expectations,
      passed: expectations.every((e) => e.passed),
      ...(test.context?.now instanceof Date ? { now: test.context.now.toISOString() } : {}),
    });
  }
  const uncovered: string[] = [];
  let total = 0;
  let conditional = 0;
  let conditionalUncovered = 0;
  // each role as written, then for each other profile its users may carry (R-Z2)
  for (const { role, profile, label } of principalRows(model)) {
    for (const resource of model.resources) {
      for (const action of resource.actions) {
        total++;
        const cell = `${label} · ${resource.name} · ${action}`;
        if (!cellsHit.has(JSON.stringify([role.name, profile ?? '', resource.name, action]))) uncovered.push(cell);
        // each stage or pipeline override is a cell of its own: covered when it decided
        for (const rule of overridesOf(model, role, resource.name, action)) {
          total++;
          conditional++;
          if (rulesHit.has(rule.id)) continue;
          conditionalUncovered++;
          uncovered.push(`${cell} [${conditionLabel(model, resource.name, rule.condition!)}]`);
        }
      }
    }
  }
  return {
    results,
    coverage: {
      cells: { covered: total - uncovered.length, total, uncovered },
      conditional: { covered: conditional - conditionalUncovered, total: conditional },
      rules: { covered: [...rulesHit].filter((id) => id < model.rules.length).length, total: model.rules.length },
    },
  };
}

/** Expected field access, checked against `checker.fields`; the reason names the field rule. */
function fieldExpectations(model: PolicyModel, test: TestSpec, fieldsOf: FieldsOf | undefined): Expectation[] {
  const mask = fieldsOf?.(test.principal, test.resource) ?? {};
  const role = (test.principal as { role?: unknown } | null)?.role;
  const kind = (test.resource as { kind?: unknown } | null)?.kind;
  return [...test.fields].map(([field, expected]) => {
    const access = Object.prototype.hasOwnProperty.call(mask, field) ? mask[field]! : 'not a field';
    const id = typeof role === 'string' && typeof kind === 'string' ? model.fields.masks.get(role)?.get(kind)?.get(field) : undefined;
    const rule = id === undefined ? undefined : model.fields.rules[id];
    const reason =
      access === 'not a field'
        ? `${tick(field)} is not a field of the record's kind`
        : rule === undefined
          ? `field ${tick(field)} is ${access}`
          : rule.access !== access
            ? `field ${tick(field)} is ${access}: the principal may not view the record (the role's rule, ${rule.access}, is at ${rule.source.file}:${rule.source.line}:${rule.source.column})`
            : `field ${tick(field)} is ${access} for role ${tick(rule.role)} (${rule.kind === 'field' ? 'field rule' : rule.kind}${rule.declaredIn === rule.role ? '' : `, inherited from ${tick(rule.declaredIn)}`}) at ${rule.source.file}:${rule.source.line}:${rule.source.column}`;
    const actual: Decision = { allow: access !== 'hidden' && access !== 'not a field', code: access, reason };
    return { span: spanAt(test.file, ['tests', test.index, 'fields', field]), action: `field ${field}`, expected, actual, passed: access === expected, field };
  });
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Failed expectations as diagnostics (`PC4003`), for the CI formats (annotations, SARIF). */
export function failuresAsDiagnostics(run: TestRun, bag: DiagnosticBag): void {
  for (const r of run.results) {
    for (const e of r.expectations.filter((x) => !x.passed)) {
      const got = e.field !== undefined ? e.actual.code : `${e.actual.allow ? 'allow' : 'deny'} (${e.actual.code})`;
      bag.report('TestFailed', e.span, `test ${tick(r.name)}: ${e.field !== undefined ? `field ${tick(e.field)}` : tick(e.action)} expected ${e.expected}, got ${got}`, {
        help: e.actual.reason,
      });
    }
  }
}
