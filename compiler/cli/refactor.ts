/** `policyc rename-role` and `delete-role`: checked refactors that keep comments and formatting. */
import { relative, resolve } from 'node:path';
import { applyRefactor, deleteRole, renameRole, type RefactorResult } from '../refactor/roles.ts';
import { EXIT, type Io } from './io.ts';
import { report } from './report.ts';

/** Applies a checked refactor, or explains why it was refused; nothing is written when refused. */
function apply(dir: string, result: RefactorResult, io: Io): number {
  if (!result.ok) {
    io.err(`policyc: ${result.message ?? 'refused'}\n`);
    if (result.diagnostics.length > 0) report({ diagnostics: result.diagnostics, sources: result.sources }, dir, 'text', io);
    return EXIT.policyErrors;
  }
  const written = applyRefactor(resolve(io.cwd, dir), result);
  io.out(`${result.message ?? 'done'}\n${written.map((f) => `  rewrote ${relative(io.cwd, resolve(io.cwd, dir, f)) || f}\n`).join('')}`);
  return EXIT.ok;
}

export function renameRoleCommand(dir: string, oldName: string, newName: string, io: Io): number {
  return apply(dir, renameRole(resolve(io.cwd, dir), oldName, newName), io);
}

export function deleteRoleCommand(dir: string, role: string, transferTo: string, io: Io): number {
  return apply(dir, deleteRole(resolve(io.cwd, dir), role, transferTo), io);
}
