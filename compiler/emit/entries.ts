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
export const ENTRY_NAMES = ['rare', 'entry', 'role', 'PROBE', 'Probed', 'isPlain', 'withEntries', 'INVALID_PRINCIPAL', 'INVALID_RESOURCE', 'INVALID_RECORD', 'INVALID_CONTEXT', 'NO_CONTEXT', 'failure'];

/**
 * `checker.<kind>.can`: one function that decides the common request in one frame — the
 * argument checks, one plain read of each principal key, the kind's action switch — and hands
 * any other request to the runtime's checker `rare` (packages/runtime/src/entries.ts says which,
 * and why the plain reads are the own-data rule's there).
 */
export function kindEntry(model: PolicyModel, resource: ResourceModel, actions: ActionCells, name: string): FunctionDeclarationStructure {
  const rare = `rare.kinds[${lit(resource.name)}]!.can(principal, action, record as Resource, context)`;
  return entryFunction(name, `\`checker.kinds[${lit(resource.name)}].can\`: ${lit(resource.name)} records, whatever their \`kind\` says`, { name: 'record', type: 'object' }, (w) => {
    principalChecks(model, w, rare);
    w.writeLine('if (typeof record !== "object" || record === null) return INVALID_RECORD;');
    // a read of a key no record has (a private symbol: no getter runs): V8 then knows the record's map, and
    // `isPlain` costs nothing; a Proxy whose trap throws at it goes to `rare`, which never asks it for that key
    w.writeLine('let plain = false;');
    w.writeLine('try {');
    w.indent(() => w.writeLine('plain = (record as Probed)[PROBE] === undefined && isPlain(record);'));
    w.writeLine('} catch {}');
    w.writeLine(`if (!plain) return ${rare};`);
    contextCheck(w, rare);
    w.writeLine('const r = record as Resource;');
    actionSwitch(w, actions);
  });
}

/** `checker.can`: as {@link kindEntry}, with the switch on the record's `kind` first. */
export function anyEntry(model: PolicyModel, dispatch: ReadonlyMap<ResourceModel, ActionCells>): FunctionDeclarationStructure {
  const rare = 'rare.can(principal, action, resource as Resource, context)';
  return entryFunction('entry', '`checker.can`', { name: 'resource', type: 'object' }, (w) => {
    principalChecks(model, w, rare);
    w.writeLine('if (typeof resource !== "object" || resource === null) return INVALID_RESOURCE;');
    w.writeLine('const kind = (resource as Resource).kind;');
    w.writeLine(`if (!isPlain(resource) || "kind" in Object.prototype) return ${rare};`);
    w.writeLine('if (typeof kind !== "string") return INVALID_RESOURCE;');
    contextCheck(w, rare);
    w.writeLine('const r = resource as Resource;');
    w.write('switch (kind)').block(() => {
      for (const [resource, actions] of dispatch) {
        w.writeLine(`case ${lit(resource.name)}:`);
        w.indent(() => actionSwitch(w, actions));
      }
      w.writeLine('default: return policy.unknownResource;');
    });
  });
}

function entryFunction(name: string, about: string, target: { name: string; type: string }, body: (w: CodeBlockWriter) => void): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name,
    docs: [`${about}: the common request decided here, any other by \`rare\` (packages/runtime/src/entries.ts)`],
    parameters: [{ name: 'principal', type: 'Principal' }, { name: 'action', type: 'string' }, target, { name: 'context', type: 'Context', hasQuestionToken: true }],
    returnType: 'Decision',
    statements: (w) => {
      // everything inside the `try`: a getter or a Proxy trap may throw
      w.writeLine('try {');
      w.indent(() => body(w));
      w.writeLine('} catch (error) {');
      w.indent(() => w.writeLine('return failure(error);'));
      w.writeLine('}');
    },
  };
}

/**
 * The principal, read in the order of the runtime's checker (a throwing getter fails the same
 * request there and here): `roles` — the common `undefined` goes on, any value to `rare`
 * (`withRoles`) — then its id and role, valid only when read from a plain object and not from
 * `Object.prototype`. The role, read once, is the one the cells switch on: a second read of it
 * (the principals of an application have many shapes, so each read is a lookup) cost ~6 ns.
 */
function principalChecks(model: PolicyModel, w: CodeBlockWriter, rare: string): void {
  const id = principalKey(model, 'id');
  const role = principalKey(model, 'role');
  w.writeLine('if (typeof principal !== "object" || principal === null) return INVALID_PRINCIPAL;');
  // `roles` before anything else: a principal with `roles` is the runtime's, whatever its other keys do
  w.writeLine(`if (principal["roles"] !== undefined || !isPlain(principal) || ${lit(id)} in Object.prototype || ${lit(role)} in Object.prototype) return ${rare};`);
  // `role` is not read when the id is invalid, as in the runtime's checker (`hasIdAndRole`)
  w.writeLine(`if (typeof principal[${lit(id)}] !== "string") return INVALID_PRINCIPAL;`);
  w.writeLine(`const role = principal[${lit(role)}];`);
  w.writeLine('if (typeof role !== "string") return INVALID_PRINCIPAL;');
}

/** The context, then the principal's `profile`: any value goes to `rare` (the profile guard and switch). */
function contextCheck(w: CodeBlockWriter, rare: string): void {
  w.writeLine('if (context !== undefined && (typeof context !== "object" || context === null)) return INVALID_CONTEXT;');
  w.writeLine(`if (principal["profile"] !== undefined) return ${rare};`);
  w.writeLine('const p = principal, c = context ?? NO_CONTEXT;');
}

function actionSwitch(w: CodeBlockWriter, actions: ActionCells): void {
  w.write('switch (action)').block(() => {
    for (const { action, fn, role } of actions) w.writeLine(`case ${lit(action)}: return ${fn}(p, r, c${role ? ', role' : ''});`);
    w.writeLine('default: return policy.unknownAction;');
  });
}
