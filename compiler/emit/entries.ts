import { StructureKind, type CodeBlockWriter, type FunctionDeclarationStructure } from 'ts-morph';
import type { PolicyModel, ResourceModel } from '../ir/model.ts';
import { lit } from './literal.ts';
import { principalKey } from './reach.ts';

/**
 * A kind's actions and the function deciding each (`can_lead_edit`); `role`: whether that function
 * takes the principal's role as its fourth argument (a role switch of its own).
 */
export type ActionCells = readonly { readonly action: string; readonly fn: string; readonly role: boolean }[];

/** Module-level names the entries use; `emitChecker` keeps them out of its identifier pool. */
export const ENTRY_NAMES = ['rare', 'entry', 'role', 'commonRole', 'EXHAUSTED', 'PROBE', 'Probed', 'isPlain', 'withEntries', 'INVALID_PRINCIPAL', 'INVALID_RESOURCE', 'INVALID_RECORD', 'INVALID_CONTEXT', 'NO_CONTEXT'];

/**
 * A kind's action switch (`actions_lead`), written once and called by `check` (also for the runtime's
 * per-kind entries) and both generated entries. `role`: the principal's role when an entry read it, for the cells that
 * switch on it (a second read of a getter may answer another role).
 */
export function actionSwitch(resource: ResourceModel, name: string, actions: ActionCells): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name,
    docs: [`${lit(resource.name)}: the cell deciding each action`],
    parameters: [{ name: 'p', type: 'Principal' }, { name: 'action', type: 'string' }, { name: 'r', type: 'Resource' }, { name: 'c', type: 'Context' }, { name: 'role', type: 'string', hasQuestionToken: true }],
    returnType: 'Decision',
    statements: (w) => {
      w.write('switch (action)').block(() => {
        for (const { action, fn, role } of actions) w.writeLine(`case ${lit(action)}: return ${fn}(p, r, c${role ? ', role' : ''});`);
        w.writeLine('default: return policy.unknownAction;');
      });
    },
  };
}

/** `switch (kind)` calling each kind's {@link actionSwitch} with `args`. */
export function kindSwitch(w: CodeBlockWriter, kind: string, actionFns: ReadonlyMap<ResourceModel, { readonly name: string }>, args: string): void {
  w.write(`switch (${kind})`).block(() => {
    for (const [resource, { name }] of actionFns) w.writeLine(`case ${lit(resource.name)}: return ${name}(${args});`);
    w.writeLine('default: return policy.unknownResource;');
  });
}

/**
 * The principal of the common request, checked once for every entry: its `roles` and `profile`
 * (the common `undefined` goes on, any value to `rare`: `withRoles`, the profile guard and
 * switch), then its id and role, valid only when read from a plain object and not from
 * `Object.prototype`. Answers the role, the denial of a malformed principal, or `undefined` for
 * `rare`. `roles` and `profile` are read together, first: measured with one checker in the
 * process, ~6 ns less per check than the profile read after the record's checks. The role, read
 * once, is the one the cells switch on. Small enough for V8 to inline into each entry.
 */
export function commonRole(model: PolicyModel): FunctionDeclarationStructure {
  const id = principalKey(model, 'id');
  const role = principalKey(model, 'role');
  return {
    kind: StructureKind.Function,
    name: 'commonRole',
    docs: ['The role of a common request\'s principal; the denial of a malformed one; `undefined` for `rare` (several `roles`, a `profile`, not a plain object, `Object.prototype` polluted)'],
    parameters: [{ name: 'principal', type: 'Principal' }],
    returnType: 'string | Decision | undefined',
    statements: [
      'if (typeof principal !== "object" || principal === null) return INVALID_PRINCIPAL;',
      `if (principal["roles"] !== undefined || principal["profile"] !== undefined || !isPlain(principal) || ${lit(id)} in Object.prototype || ${lit(role)} in Object.prototype) return undefined;`,
      `if (typeof principal[${lit(id)}] !== "string") return INVALID_PRINCIPAL;`,
      `const role = principal[${lit(role)}];`,
      'return typeof role === "string" ? role : INVALID_PRINCIPAL;',
    ],
  };
}

/**
 * `checker.<kind>.can`: one function that decides the common request in one frame — the
 * argument checks, one plain read of each principal key, the kind's action switch — and hands
 * any other request to the runtime's checker `rare` (packages/runtime/src/entries.ts says which,
 * and why the plain reads are the own-data rule's there).
 */
export function kindEntry(resource: ResourceModel, actions: string, name: string): FunctionDeclarationStructure {
  const rare = `rare.kinds[${lit(resource.name)}]!.can(principal, action, record as Resource, context)`;
  return entryFunction(name, `\`checker.kinds[${lit(resource.name)}].can\`: ${lit(resource.name)} records, whatever their \`kind\` says`, { name: 'record', type: 'object' }, rare, (w) => {
    principalChecks(w, rare);
    w.writeLine('if (typeof record !== "object" || record === null) return INVALID_RECORD;');
    // a read of a key no record has (a private symbol: no getter runs) first, so that V8 knows the
    // record's map there and `isPlain` costs little
    w.writeLine(`if ((record as Probed)[PROBE] !== undefined || !isPlain(record)) return ${rare};`);
    contextCheck(w);
    w.writeLine(`return ${actions}(principal, action, record as Resource, context ?? NO_CONTEXT, role);`);
  });
}

/** `checker.can`: as {@link kindEntry}, with the switch on the record's `kind` first. */
export function anyEntry(actionFns: ReadonlyMap<ResourceModel, { readonly name: string }>): FunctionDeclarationStructure {
  const rare = 'rare.can(principal, action, resource as Resource, context)';
  return entryFunction('entry', '`checker.can`', { name: 'resource', type: 'object' }, rare, (w) => {
    principalChecks(w, rare);
    w.writeLine('if (typeof resource !== "object" || resource === null) return INVALID_RESOURCE;');
    w.writeLine('const kind = (resource as Resource).kind;');
    w.writeLine(`if (!isPlain(resource) || "kind" in Object.prototype) return ${rare};`);
    w.writeLine('if (typeof kind !== "string") return INVALID_RESOURCE;');
    contextCheck(w);
    kindSwitch(w, 'kind', actionFns, 'principal, action, resource as Resource, context ?? NO_CONTEXT, role');
  });
}

/**
 * The entry's frame: its body inside a `try` whose `catch` hands the request to `rare` — a getter or
 * a Proxy trap that throws here throws there too, read in the runtime's order, so the denial (and
 * its code) is the runtime's, whatever order the entry read the request in. Where that call itself
 * throws (the call stack exhausted), the denial is the runtime's `EXHAUSTED`.
 */
function entryFunction(name: string, about: string, target: { name: string; type: string }, rare: string, body: (w: CodeBlockWriter) => void): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name,
    docs: [`${about}: the common request decided here, any other by \`rare\` (packages/runtime/src/entries.ts)`],
    parameters: [{ name: 'principal', type: 'Principal' }, { name: 'action', type: 'string' }, target, { name: 'context', type: 'Context', hasQuestionToken: true }],
    returnType: 'Decision',
    statements: (w) => {
      w.writeLine('try {');
      w.indent(() => body(w));
      w.writeLine('} catch {');
      // at the very edge of the call stack `rare` overflows it again: a constant denial, no call
      w.indent(() => w.writeLine(`try { return ${rare}; } catch { return EXHAUSTED; }`));
      w.writeLine('}');
    },
  };
}

/** The entry's first step: the principal's role, or the answer for a malformed principal or `rare`. */
function principalChecks(w: CodeBlockWriter, rare: string): void {
  w.writeLine('const role = commonRole(principal);');
  w.writeLine(`if (typeof role !== "string") return role ?? ${rare};`);
}

function contextCheck(w: CodeBlockWriter): void {
  w.writeLine('if (context !== undefined && (typeof context !== "object" || context === null)) return INVALID_CONTEXT;');
}
