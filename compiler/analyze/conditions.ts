/**
 * Conditions on rules (issue 3): `when:` conditions written in CEL, pipeline-stage and pipeline
 * overrides (R-K5) and working hours (R-Z10) — all compiled to one mechanism, a
 * {@link ConditionModel} on a rule. CEL text goes through `compiler/cel` (the only user of
 * chevrotain); its problems are reported at their line and column inside the YAML file.
 */
import { DEFAULT_BUDGET } from '@policyc/runtime/cel';
import { estimateCost } from '../cel/cost.ts';
import { filterOf, readsVariable, type AttributeType } from '../cel/filter.ts';
import { checkCondition, emitCondition, emitExpression, parseExpression, t, TS_PROTOTYPE, type CelProblem, type CelType, type Declarations as CelDeclarations } from '../cel/index.ts';
import type { CodeName } from '../diagnostics/codes.ts';
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { ConditionModel, ShiftModel } from '../ir/model.ts';
import { spanAt, type PolicyFile } from '../load/load.ts';
import { spanOf, type Declarations, type ResourceSpec, type RoleSpec, type Where } from './declarations.ts';

const CEL_CODES: Readonly<Record<string, CodeName>> = {
  PC5001: 'ConditionSyntax',
  PC5002: 'ConditionUnknownName',
  PC5003: 'ConditionType',
  PC5004: 'ConditionUnsupported',
  PC5005: 'ConditionInvalidLiteral',
  PC5006: 'ConditionNotPlannable',
  PC5007: 'ConditionUnboundedCost',
};

const BUDGET_PATH = ['limits', 'conditionBudget'] as const;

/**
 * The steps each evaluation of a condition may spend (docs/conditions.md, "Cost budget"):
 * `limits: { conditionBudget: N }` in one file of the set, else the runtime's default. With a
 * bag, a second setting is reported.
 */
export function conditionBudget(files: readonly PolicyFile[], bag?: DiagnosticBag): number {
  let first: PolicyFile | undefined;
  for (const file of files) {
    const limits = (file.value as { limits?: { conditionBudget?: unknown } } | null)?.limits;
    if (typeof limits?.conditionBudget !== 'number') continue;
    if (first === undefined) first = file;
    else bag?.report('DuplicateName', spanAt(file, BUDGET_PATH, 'key'), '`limits.conditionBudget` is set twice', { related: [{ ...spanAt(first, BUDGET_PATH, 'key'), message: 'first set here' }] });
  }
  return (first?.value as { limits: { conditionBudget: number } } | undefined)?.limits.conditionBudget ?? DEFAULT_BUDGET;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const CEL_TYPE: Readonly<Record<string, CelType>> = {
  string: t.string,
  number: t.double,
  boolean: t.bool,
  'string[]': t.list(t.string),
  record: t.dyn,
  timestamp: t.timestamp,
};

/** Record attribute types that query-plan filters compare (issue 7). */
const FILTER_TYPE: Readonly<Record<string, AttributeType>> = { string: 'string', number: 'number', boolean: 'boolean', 'string[]': 'list' };

/** What `principal` offers a condition besides declared attributes (`BUILT_IN_PRINCIPAL`). */
const PRINCIPAL: Readonly<Record<string, CelType>> = {
  id: t.string,
  role: t.string,
  groups: t.list(t.string),
  organisation: t.string,
  technical: t.bool,
  shift: t.string,
  reports: t.list(t.string),
};

export interface Conditions {
  /** The `when:` condition of a grant on `resource` (compiled once; problems reported by {@link checkConditions}). */
  when(text: string, resource: ResourceSpec): ConditionModel;
  /** The condition "now is within the principal's shift": `principal.shift`, else the role's. */
  duringShift(role: RoleSpec): ConditionModel;
  readonly shifts: readonly ShiftModel[];
}

type Kind = Pick<ResourceSpec['model'], 'name' | 'attributes'>;

/** Names a CEL condition can see for a grant on `resource`. */
/** The attributes declared under `context:` and `principal:`. */
type Declared = Pick<Declarations, 'context' | 'principal'>;

function celDeclarations(resource: Kind, { context, principal }: Declared): CelDeclarations {
  const declared = (attributes: Declared['context']) => [...attributes].map(([name, a]) => [name, CEL_TYPE[a.type] ?? t.dyn] as const);
  return {
    principal: t.object('principal', Object.fromEntries([...Object.entries(PRINCIPAL), ...declared(principal)])),
    resource: t.object(resource.name, Object.fromEntries(resource.attributes.map((a) => [a.name, CEL_TYPE[a.type] ?? t.dyn]))),
    context: t.object('context', Object.fromEntries([['now', t.timestamp], ...declared(context)])),
  };
}

/** Minutes since midnight of `HH:MM`. */
const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `zone` is a time zone the runtime's accessors accept: a fixed offset or an IANA name. */
function validZone(zone: string): boolean {
  if (/^[+-](0\d|1[0-4]):[0-5]\d$/.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return !zone.startsWith('+') && !zone.startsWith('-');
  } catch {
    return false;
  }
}

/** CEL text of "`now` is within shift `s`": the days it starts on, and before midnight or after it for one crossing midnight. */
function shiftText(s: ShiftModel): string {
  const zone = JSON.stringify(s.timeZone);
  const day = `context.now.getDayOfWeek(${zone})`;
  const minute = `(context.now.getHours(${zone}) * 60 + context.now.getMinutes(${zone}))`;
  const days = (list: readonly number[]) => `[${list.join(', ')}]`;
  if (s.start < s.end) return `${day} in ${days(s.days)} && ${minute} >= ${s.start} && ${minute} < ${s.end}`;
  const next = s.days.map((d) => (d + 1) % 7);
  return `(${day} in ${days(s.days)} && ${minute} >= ${s.start}) || (${day} in ${days(next)} && ${minute} < ${s.end})`;
}

/**
 * Checks every condition of the policy set and reports problems at their place: CEL `when:`
 * conditions, stage and pipeline overrides (their resource must say which attribute holds the
 * stage or pipeline), shifts (time zone, times) and the shifts roles name.
 */
export function checkConditions(declarations: Declarations, sources: ReadonlyMap<string, string>, bag: DiagnosticBag, files: readonly PolicyFile[]): void {
  const { resources, shifts } = declarations;
  const budget = conditionBudget(files, bag);
  for (const shift of shifts.values()) {
    if (!validZone(shift.timeZone)) {
      bag.report('ConditionInvalidLiteral', spanOf(shift.origin, ['timeZone'], 'value'), `${tick(shift.timeZone)} is not a time zone`, {
        help: 'write an IANA name such as `Europe/Warsaw`, or a fixed offset such as `+11:00`',
      });
    }
    if (shift.start === shift.end) {
      bag.report('ConditionInvalidLiteral', spanOf(shift.origin, ['end'], 'value'), `shift ${tick(shift.name)} starts and ends at ${shift.start}`, {
        help: 'a shift of 24 hours is not a limit: remove `duringShift` instead',
      });
    }
  }
  for (const group of declarations.groups.values()) {
    for (const resourceName of group.pipelines.keys()) {
      const resource = resources.get(resourceName);
      const at = spanOf(group.origin, ['pipelines', resourceName]);
      if (resource === undefined || resource.model.kind === 'module') {
        bag.report('UnknownResource', at, resource ? `${tick(resourceName)} is a module: it has no pipelines` : `unknown resource ${tick(resourceName)}`, {
          help: resource ? undefined : didYouMean(resourceName, resources.keys()),
        });
      } else if (resource.model.pipeline === undefined) {
        bag.report('UnknownAttribute', at, `${tick(resourceName)} declares no \`pipeline\` attribute`, { help: `add \`pipeline: <attribute>\` to ${tick(resourceName)}` });
      } else {
        for (const pipeline of group.pipelines.get(resourceName)!.keys()) declared(resource, 'pipeline', pipeline, spanOf(group.origin, ['pipelines', resourceName, pipeline]), bag);
      }
    }
  }
  // R-K7: the condition under which a child record requires a capability
  for (const resource of resources.values()) {
    const when = resource.requires?.when;
    if (when === undefined) continue;
    const { problems, notices } = compileCel(when, resource.model, declarations, budget);
    for (const problem of problems) report(bag, problem, spanOf(resource.origin, ['requires', 'when'], 'value'), when, sources);
    for (const notice of notices) report(bag, notice, spanOf(resource.origin, ['requires', 'when'], 'value'), when, sources, 'warning');
  }
  for (const role of [...declarations.roles.values(), ...declarations.profiles.values()]) {
    if (role.shift !== undefined && !shifts.has(role.shift)) {
      bag.report('UnknownShift', spanOf(role.origin, ['shift'], 'value'), `unknown shift ${tick(role.shift)}`, { help: didYouMean(role.shift, shifts.keys()) ?? 'declare it under `shifts`' });
    }
    for (const [resourceName, byAction] of role.conditions) {
      const resource = resources.get(resourceName);
      if (resource === undefined) continue; // reported with the grant
      for (const [action, c] of byAction) {
        if (c.duringShift && shifts.size === 0) {
          bag.report('UnknownShift', spanOf(role.origin, ['grants', resourceName, action, 'duringShift']), '`duringShift` needs working hours, but the policy declares no `shifts`', {
            help: 'declare the shifts under `shifts`, and give the role a `shift`',
          });
        }
        if (c.when === undefined) continue;
        const span = spanOf(role.origin, ['grants', resourceName, action, 'when'], 'value');
        const { problems, notices } = compileCel(c.when, resource.model, declarations, budget);
        for (const problem of problems) report(bag, problem, span, c.when, sources);
        for (const notice of notices) report(bag, notice, span, c.when, sources, 'warning');
      }
    }
    for (const [key, kind] of [['stages', 'stage'], ['pipelines', 'pipeline']] as const) {
      for (const [resourceName, byValue] of role[key]) {
        const resource = resources.get(resourceName);
        const at = spanOf(role.origin, [key, resourceName]);
        if (resource === undefined || resource.model.kind === 'module') {
          bag.report('UnknownResource', at, resource ? `${tick(resourceName)} is a module: it has no ${kind}s` : `unknown resource ${tick(resourceName)}`, {
            help: resource ? undefined : didYouMean(resourceName, resources.keys()),
          });
          continue;
        }
        if (resource.model[kind] === undefined) {
          bag.report('UnknownAttribute', at, `${tick(resourceName)} declares no \`${kind}\` attribute`, { help: `add \`${kind}: <attribute>\` to ${tick(resourceName)}` });
          continue;
        }
        for (const value of byValue.keys()) declared(resource, kind, value, spanOf(role.origin, [key, resourceName, value]), bag);
        if (key === 'stages') {
          for (const [stage, levels] of byValue as ReadonlyMap<string, string | ReadonlyMap<string, string>>) {
            if (typeof levels === 'string') continue;
            for (const action of levels.keys()) {
              if (action !== '*' && !resource.model.actions.includes(action)) {
                bag.report('UnknownAction', spanOf(role.origin, [key, resourceName, stage, action]), `${tick(resourceName)} has no action ${tick(action)}`, {
                  help: didYouMean(action, resource.model.actions) ?? `its actions are ${resource.model.actions.map(tick).join(', ')}`,
                });
              }
            }
          }
        }
      }
    }
  }
}

/**
 * R-K5: a stage or pipeline a rule names must be declared under the resource's `pipelines`, when
 * it declares them — a typo would otherwise compile and silently never match.
 */
function declared(resource: ResourceSpec, kind: 'stage' | 'pipeline', value: string, at: Span, bag: DiagnosticBag): void {
  const pipelines = resource.model.pipelines;
  if (pipelines === undefined) return;
  const known = kind === 'pipeline' ? [...pipelines.keys()] : [...new Set([...pipelines.values()].flat())];
  if (known.includes(value)) return;
  bag.report('UnknownStage', at, `${tick(resource.model.name)} declares no ${kind} ${tick(value)}`, {
    help: didYouMean(value, known) ?? `its ${kind}s are ${known.map(tick).join(', ')}`,
  });
}

/**
 * Compiles a condition: its problems (errors), and notices (warnings) for the parts that read the
 * record in a way no query-plan filter expresses, so that plans of its grant must be rechecked,
 * and for comprehensions whose cost grows with the product of request sizes.
 */
function compileCel(text: string, resource: Kind, declared: Declared, budget: number): { problems: readonly CelProblem[]; notices: readonly CelProblem[]; model: ConditionModel | undefined } {
  const parsed = parseExpression(text);
  if (!parsed.ok) return { problems: parsed.errors, notices: [], model: undefined };
  const checked = checkCondition(parsed.ast, celDeclarations(resource, declared));
  if (checked.problems.length > 0) return { problems: checked.problems, notices: [], model: undefined };
  // `can` passes the principal and the record as ordinary objects (own.ts), and the checker is TypeScript
  const names = { variables: { principal: 'p', resource: 'r', context: 'c' }, runtime: 'cel', budget, ordinary: ['principal', 'resource'], prototype: TS_PROTOTYPE };
  const { code: js, temps } = emitCondition(parsed.ast, names, checked);
  const readsResource = readsVariable(parsed.ast, 'resource');
  const attributeType = (name: string) => FILTER_TYPE[resource.attributes.find((a) => a.name === name)?.type ?? ''];
  const planned = readsResource ? filterOf(parsed.ast, { attributeType, emit: (e) => emitExpression(e, names, checked), runtime: 'cel' }) : undefined;
  const model: ConditionModel = { kind: 'cel', text, js, temps, readsResource, ...(planned === undefined ? {} : { planFilter: { code: planned.code, exact: planned.unplannable.length === 0 } }) };
  const costly = estimateCost(parsed.ast, new Set(['principal', 'resource', 'context']), checked).unbounded.map(
    ({ offset, length }): CelProblem => ({
      code: 'PC5007',
      offset,
      length,
      message: `the cost of ${tick(text.slice(offset, offset + length))} grows with the product of request list sizes: a check spends up to ${budget} steps on it and is denied beyond`,
      help: 'compare with a list of known size, or let the application compute the answer into one attribute; `limits.conditionBudget` sets the budget',
    }),
  );
  const notices = (planned?.unplannable ?? []).map(
    ({ offset, length }): CelProblem => ({
      code: 'PC5006',
      offset,
      length,
      message: `no query-plan filter expresses ${tick(text.slice(offset, offset + length))}: plans keep every record the rest of the condition allows, marked \`recheck\``,
      help: 'check each record such a plan returns with `can`, or compare one attribute with a value of the principal or the context (`==`, `<`, `in`, `startsWith`, `has`, …)',
    }),
  );
  return { problems: [], notices: [...notices, ...costly], model };
}

/** Reports a CEL problem at its line and column inside the YAML scalar (or on the scalar, when it is written with escapes). */
function report(bag: DiagnosticBag, problem: CelProblem, span: Span, text: string, sources: ReadonlyMap<string, string>, severity: 'error' | 'warning' = 'error'): void {
  const raw = sources.get(span.file)?.slice(span.start, span.end) ?? '';
  const base = raw === text ? span.start : (raw.startsWith('"') || raw.startsWith("'")) && raw.slice(1, -1) === text ? span.start + 1 : undefined;
  const at: Span = base === undefined ? span : { file: span.file, start: base + problem.offset, end: base + problem.offset + Math.max(problem.length, 1) };
  bag.report(CEL_CODES[problem.code] ?? 'ConditionSyntax', at, problem.message, { help: problem.help, severity });
}

/** Compiles conditions for the model; `checkConditions` has reported every problem before. */
export function conditions(declarations: Declarations, where: Where, files: readonly PolicyFile[]): Conditions {
  const budget = conditionBudget(files);
  const shifts: ShiftModel[] = [...declarations.shifts.values()]
    .map((s) => ({
      name: s.name,
      days: s.days.map((d) => DAYS.indexOf(d)).sort(),
      start: minutes(s.start),
      end: minutes(s.end),
      timeZone: s.timeZone,
      source: where(spanOf(s.origin)),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cache = new Map<string, ConditionModel>();
  const compiled = (key: string, text: string, resource: Kind): ConditionModel => {
    let model = cache.get(key);
    if (model === undefined) {
      model = compileCel(text, resource, declarations, budget).model;
      if (model === undefined) throw new Error(`policyc internal error: condition ${JSON.stringify(text)} was not checked`);
      cache.set(key, model);
    }
    return model;
  };
  return {
    shifts,
    when: (text, resource) => compiled(`${resource.model.name}\u0000${text}`, text, resource.model),
    duringShift(role) {
      // the user's own shift if the request names one, else the role's; outside any shift: not met
      const of = (name: string) => shifts.find((s) => s.name === name)!;
      const own = shifts.map((s) => `(principal.shift == ${JSON.stringify(s.name)} && (${shiftText(s)}))`);
      const fallback = role.shift === undefined ? 'false' : shiftText(of(role.shift));
      const text = `has(principal.shift) ? (${own.join(' || ') || 'false'}) : (${fallback})`;
      return compiled(`\u0000shift\u0000${text}`, text, { name: 'resource', attributes: [] });
    },
  };
}

