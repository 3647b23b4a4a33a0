/**
 * Total functions at the edge of the call stack (issue 13, "Total functions"): an application may
 * call a checker deep in its own recursion, where any call can overflow the stack. A JavaScript
 * function cannot answer when the overflow happens on its own entry, before its first statement;
 * but once an entry has started reading the request it must answer: its `catch` hands the failure
 * to a call (`failure`, the runtime's checker) that overflows again, and then the answer is a
 * constant denial (`EXHAUSTED`, code `error`), never an exception.
 *
 * Each entry is called at every depth near the edge (a recursion down to the overflow, calling
 * the entry on the way back up, at the depths nearest the edge), with a principal that notes when
 * it is first read.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDir } from '../compiler/index.ts';
import type { Checker, Decision, Organisation, QueryPlan, RoleManagement } from '../packages/runtime/src/index.ts';
import { importBundle } from './helpers/policy.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Descents to the stack's edge per entry; each calls the entry once at each of the {@link NEAR} depths nearest the edge. */
const DESCENTS = 12;
/** Depths above the edge at which the entry is called: an entry's own calls nest a few dozen deep. */
const NEAR = 2000;

/** Whether the request was read since the flag was last cleared. */
let read = false;
/** The principal as a Proxy that notes its first read (a plain object's prototype: the common path takes it). */
const watched = <T extends object>(o: T): T =>
  new Proxy(o, {
    get(target, key, receiver) {
      read = true;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });

interface EdgeRun {
  /** Calls that threw after the entry had read the request. */
  readonly escapedAfterReading: number;
  /** Calls that answered, and how many of those answers were `error` denials (the edge reached inside). */
  readonly answered: number;
  readonly errors: number;
  /** Answers that are not a decision, plan or guard result with a code and a reason. */
  readonly malformed: number;
}

/** A decision, a plan or a guard's answer: a code and a one-line reason. */
const decided = (a: unknown): boolean => typeof a === 'object' && a !== null && typeof (a as Decision).code === 'string' && typeof (a as Decision).reason === 'string';
/** A field mask or a redacted record: an object (empty when the check failed). */
const anObject = (a: unknown): boolean => typeof a === 'object' && a !== null;

/** Calls `call` at every depth near the stack's edge, {@link DESCENTS} times over; `valid` tells an answer. */
function atTheEdge(call: () => unknown, valid: (answer: unknown) => boolean = decided): EdgeRun {
  let escapedAfterReading = 0;
  let answered = 0;
  let errors = 0;
  let malformed = 0;
  /** Returns the depth above the edge it was called at. */
  const descend = (): number => {
    let height = 0;
    try {
      height = descend() + 1;
    } catch {
      // the edge: from here up, each depth calls the entry once
    }
    if (height > NEAR) return height;
    read = false;
    let answer: unknown;
    try {
      answer = call();
    } catch {
      if (read) escapedAfterReading++;
      return height;
    }
    answered++;
    if ((answer as Partial<Decision & QueryPlan> | undefined)?.code === 'error') errors++;
    if (!valid(answer)) malformed++;
    return height;
  };
  for (let i = 0; i < DESCENTS; i++) descend();
  return { escapedAfterReading, answered, errors, malformed };
}

async function load(set: string): Promise<{ module: Record<string, unknown>; role: string; kind: string; action: string }> {
  const result = await compileDir(join(root, 'policies', set));
  const model = result.model!;
  const resource = model.resources.find((r) => r.parent === undefined)!;
  return { module: await importBundle(result.output!.bundle), role: model.roles[0]!.name, kind: resource.name, action: resource.actions[0]! };
}

describe.each(['kommo-crm', 'zoho-hierarchy'])('issue 13: the %s checker at the edge of the call stack', (set) => {
  let module: Record<string, unknown>;
  let request: { role: string; kind: string; action: string };
  beforeAll(async () => {
    const loaded = await load(set);
    module = loaded.module;
    request = loaded;
  });

  it('no entry throws once it has read the request; every answer is a denial or decision with a code and a reason', () => {
    const checker = module['checker'] as Checker;
    const can = module['can'] as Checker['can'];
    const { role, kind, action } = request;
    const principal = (): { id: string; role: string; groups: string[] } => watched({ id: 'u1', role, groups: ['g1'] });
    const record = { kind, responsible: 'u2', team: 'g1' };
    const entries: Record<string, [() => unknown, (answer: unknown) => boolean]> = {
      'checker.can': [() => checker.can(principal(), action, record), decided],
      'can (the export)': [() => can(principal(), action, record), decided],
      'checker.can, several roles': [() => checker.can(watched({ id: 'u1', role, roles: [role, role] }), action, record), decided],
      [`checker.kinds.${kind}.can`]: [() => checker.kinds[kind]!.can(principal(), action, record), decided],
      'checker.plan': [() => checker.plan(principal(), action, kind), (p) => decided({ code: '', ...(p as object) }) && ['always', 'never', 'filter'].includes((p as QueryPlan).result)],
      'checker.fields': [() => checker.fields(principal(), record), anObject],
      'checker.redact': [() => checker.redact(principal(), record), anObject],
      'checker.canWrite': [() => checker.canWrite(principal(), record, { team: 'g2' }), decided],
    };
    if (set === 'zoho-hierarchy') {
      const roles = module['roleManagement'] as RoleManagement;
      entries['roleManagement.createRole'] = [() => roles.createRole(principal(), 'Regional Lead', role), decided];
    }
    const runs = Object.entries(entries).map(([name, [call, valid]]) => ({ name, ...atTheEdge(call, valid) }));
    for (const run of runs) {
      expect(run, run.name).toMatchObject({ escapedAfterReading: 0, malformed: 0 });
      expect(run.answered, run.name).toBeGreaterThan(0);
    }
    // the edge was reached inside the entries, not only on their way in
    expect(runs.reduce((n, r) => n + r.errors, 0)).toBeGreaterThan(0);
  });
});

describe('issue 13: organisation guards at the edge of the call stack', () => {
  it('R-O2 a guard that has read its member answers, whatever depth it is called at', async () => {
    const { module } = await load('org-admin');
    const organisation = module['organisation'] as Organisation;
    const member = (): { id: string; role: string } => watched({ id: 'u1', role: 'Admin' });
    for (const [name, call, valid] of [
      ['has', () => organisation.has(member(), 'billing.view'), decided],
      ['addUser', () => organisation.addUser(member(), 'Member'), decided],
      ['seat', () => organisation.seat(member()), (seat: unknown) => anObject(seat) && typeof (seat as { reason?: unknown }).reason === 'string'],
    ] as const) {
      const run = atTheEdge(call, valid);
      expect(run, name).toMatchObject({ escapedAfterReading: 0, malformed: 0 });
    }
  });
});
