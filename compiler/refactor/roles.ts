/**
 * Role lifecycle refactors (issue 5, R-Z12): `policyc rename-role` and `policyc delete-role`.
 *
 * Both compute the new file texts without writing anything, check that the result still
 * compiles, and hand back before/after texts; {@link applyRefactor} writes them all or none.
 *
 * Edits are splices of the original text at the source ranges the `yaml` Document API gives
 * for each node, so everything but the edited tokens (comments, alignment of trailing comments,
 * flow-collection spacing, quoting) stays byte-for-byte: `String(doc)` re-renders the whole file
 * and would realign comments and respace `[a, b]`. The Document API is used only where a
 * text splice cannot express the edit (removing an entry of a flow-style `roles: { … }` map).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, parseDocument, type Document, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { DiagnosticBag, diagnostic, sortDiagnostics, tick, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import { checkSources, policyName } from '../index.ts';
import type { PolicyModel, RoleModel } from '../ir/model.ts';
import { isTestFileName, listPolicyFiles, parsePolicyFiles } from '../load/load.ts';
import { validateFiles } from '../validate/validate.ts';
import { replaceFiles } from '../write.ts';
import { type ReferenceContext, findReferences } from './references.ts';
import { type Edit, applyEdits, replaceScalar, blockEntryRange, listItemRange } from './text-edits.ts';


export interface FileChange {
  /** Path relative to the policy set folder, with `/` separators. */
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

export interface RefactorResult {
  /** False when the refactor is refused; then nothing may be written. */
  readonly ok: boolean;
  /** The files the refactor changes (only those whose text differs). */
  readonly files: FileChange[];
  /** When ok: warnings of the new policy set. When refused after rewriting: the would-be result's
   * diagnostics (positions in `sources`). When refused before: the reason, where it has a place. */
  readonly diagnostics: Diagnostic[];
  /** Texts the diagnostics' positions refer to, by path. */
  readonly sources: Map<string, string>;
  /** One line: what was done, or why it was refused. */
  readonly message?: string;
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

interface Loaded {
  readonly name: string;
  readonly files: { readonly path: string; readonly text: string; readonly kind: 'policy' | 'test'; readonly doc: Document.Parsed }[];
  readonly model: PolicyModel;
  readonly context: ReferenceContext;
}

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, strict: true } as const;

/** Reads the policy set and its test files; refuses a set that has errors today. */
function load(dir: string): Loaded | RefactorResult {
  let policyPaths: string[];
  let testPaths: string[];
  try {
    policyPaths = listPolicyFiles(dir);
    testPaths = listPolicyFiles(dir, isTestFileName);
  } catch (error) {
    return refused(`cannot read the policy folder \`${dir}\`: ${(error as Error).message}`);
  }
  const read = (path: string) => ({ path, text: readFileSync(join(dir, path), 'utf8') });
  const policies = policyPaths.map(read);
  const tests = testPaths.map(read);
  const name = policyName(dir);
  const checked = verify(name, policies, tests);
  if (checked.errors) {
    return refused(`the policy set has errors today; fix them first (nothing was changed)`, checked.diagnostics, checked.sources);
  }
  const model = checked.model!;
  const ownerRoleAttribute = new Map<string, string>();
  for (const resource of model.resources) if (resource.ownerRole !== undefined) ownerRoleAttribute.set(resource.name, resource.ownerRole);
  const files = [
    ...policies.map((f) => ({ ...f, kind: 'policy' as const, doc: parseDocument(f.text, PARSE_OPTIONS) })),
    ...tests.map((f) => ({ ...f, kind: 'test' as const, doc: parseDocument(f.text, PARSE_OPTIONS) })),
  ];
  return { name, files, model, context: { ownerRoleAttribute } };
}

/** Compiles the policy files (load → validate → analyze) and reads and validates the test files. */
function verify(name: string, policies: readonly { path: string; text: string }[], tests: readonly { path: string; text: string }[]) {
  const checked = checkSources(name, policies);
  const bag = new DiagnosticBag();
  const testSet = parsePolicyFiles('tests', tests, bag);
  validateFiles(testSet.files, bag, 'test');
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...bag.items]);
  const sources = new Map([...checked.sources, ...testSet.sources]);
  return { diagnostics, sources, model: checked.model, errors: diagnostics.some((d) => d.severity === 'error') || checked.model === undefined };
}

function refused(message: string, diagnostics: readonly Diagnostic[] = [], sources: ReadonlyMap<string, string> = new Map()): RefactorResult {
  return { ok: false, files: [], diagnostics: [...diagnostics], sources: new Map(sources), message };
}

// ---------------------------------------------------------------------------------------------
// Rename
// ---------------------------------------------------------------------------------------------

interface RoleEntry {
  readonly fileIndex: number;
  readonly map: YAMLMap;
  readonly index: number;
  readonly pair: Pair;
  readonly key: Scalar;
}

function findRoleEntry(loaded: Loaded, role: string): RoleEntry | undefined {
  for (const [fileIndex, file] of loaded.files.entries()) {
    if (file.kind !== 'policy' || !isMap(file.doc.contents)) continue;
    const roles = file.doc.contents.get('roles', true);
    if (!isMap(roles)) continue;
    const index = roles.items.findIndex((p) => isScalar(p.key) && p.key.value === role);
    const pair = roles.items[index];
    if (pair && isPair(pair) && isScalar(pair.key)) return { fileIndex, map: roles, index, pair, key: pair.key };
  }
  return undefined;
}

function unknownRole(model: PolicyModel, name: string, what: string): RefactorResult {
  const hint = didYouMean(name, model.roles.map((r) => r.name));
  return refused(`${what} ${tick(name)} is not a role of this policy set${hint ? `; ${hint}` : ''}`);
}

function roleSpan(role: RoleModel, sources: ReadonlyMap<string, string>) {
  const text = sources.get(role.source.file) ?? '';
  let offset = 0;
  for (let line = 1; line < role.source.line; line++) offset = text.indexOf('\n', offset) + 1;
  const start = offset + role.source.column - 1;
  return { file: role.source.file, start, end: start + Math.max(1, role.name.length) };
}

/** Renames a role and every reference to it. Reads the folder; writes nothing. */
export function renameRole(dir: string, oldName: string, newName: string): RefactorResult {
  const loaded = load(dir);
  if (!('model' in loaded)) return loaded;
  const { model } = loaded;
  if (oldName === newName) return refused(`the old and new names are the same (${tick(oldName)}); nothing to rename`);
  const role = model.roles.find((r) => r.name === oldName);
  if (!role) return unknownRole(model, oldName, 'role');
  const clash = model.roles.find((r) => r.name !== oldName && r.name.toLowerCase() === newName.toLowerCase());
  if (clash) {
    const sources = new Map(loaded.files.map((f) => [f.path, f.text]));
    const message =
      clash.name === newName
        ? `role ${tick(newName)} already exists; pick another name, or delete it first (\`policyc delete-role\`)`
        : `${tick(newName)} clashes with role ${tick(clash.name)}: role names are compared case-insensitively`;
    return refused(message, [diagnostic('DuplicateName', roleSpan(clash, sources), `role ${tick(clash.name)} is defined here`)], sources);
  }
  const entry = findRoleEntry(loaded, oldName);
  if (!entry) return refused(`policyc internal error: role ${tick(oldName)} has no entry under \`roles:\``);

  const edits = loaded.files.map((): Edit[] => []);
  edits[entry.fileIndex]!.push(replaceScalar(loaded.files[entry.fileIndex]!.text, entry.key, newName));
  let count = 0;
  for (const [i, file] of loaded.files.entries()) {
    for (const ref of findReferences(file.doc, file.kind, loaded.context)) {
      if (ref.scalar.value !== oldName) continue;
      edits[i]!.push(replaceScalar(file.text, ref.scalar, newName));
      count++;
    }
  }
  return finish(dir, loaded, edits, new Map(), `renamed role ${tick(oldName)} to ${tick(newName)} and ${count} reference${count === 1 ? '' : 's'}`, (m) =>
    m.roles.some((r) => r.name === newName) && !m.roles.some((r) => r.name === oldName),
  );
}

// ---------------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------------

/**
 * Deletes a role: the roles that report to it report to `transferTo`, `extends` entries naming it
 * name `transferTo` (dropped when the list already names it), test principals and `ownerRole`
 * values move to `transferTo`, then the role's entry (with its leading comments) is removed.
 * Reads the folder; writes nothing.
 */
export function deleteRole(dir: string, role: string, transferTo: string | undefined): RefactorResult {
  if (transferTo === undefined || transferTo === '') {
    return refused(`deleting role ${tick(role)} needs a role to transfer its sub-roles, users and references to (\`--transfer-to <role>\`)`);
  }
  const loaded = load(dir);
  if (!('model' in loaded)) return loaded;
  const { model } = loaded;
  const deleted = model.roles.find((r) => r.name === role);
  if (!deleted) return unknownRole(model, role, 'role');
  const target = model.roles.find((r) => r.name === transferTo);
  if (!target) return unknownRole(model, transferTo, 'target role');
  if (target.name === deleted.name) return refused(`cannot transfer role ${tick(role)} to itself; pick another target role`);
  if (deleted.top) return refused(`${tick(role)} is the top role, above every other role; make another role the top (\`top: true\`) before deleting it`);
  if (deleted.subordinates.includes(target.name)) {
    const chain = [target.name];
    for (let at = target.reportsTo; at !== undefined && at !== role; at = model.roles.find((r) => r.name === at)?.reportsTo) chain.push(at);
    chain.push(role);
    return refused(
      `target ${tick(transferTo)} is below ${tick(role)} (reportsTo ${chain.map(tick).join(' → ')}): ` +
        `${tick(role)}'s sub-roles would report to a role below themselves, a cycle; ` +
        `pick a target that is not below ${tick(role)}, or move ${tick(transferTo)} elsewhere first`,
    );
  }
  if (target.extends.includes(role)) {
    return refused(
      `target ${tick(transferTo)} extends ${tick(role)}: moving ${tick(role)}'s references to it would make it extend itself; ` +
        `remove ${tick(role)} from ${tick(transferTo)}'s \`extends\` first, or pick another target`,
    );
  }
  const entry = findRoleEntry(loaded, role);
  if (!entry) return refused(`policyc internal error: role ${tick(role)} has no entry under \`roles:\``);
  const entryFile = loaded.files[entry.fileIndex]!;
  const top = entryFile.doc.contents as YAMLMap;
  const onlyRole = entry.map.items.length === 1;
  // the last role of a file takes its `roles:` section with it
  const rolesIndex = top.items.findIndex((p) => isScalar(p.key) && p.key.value === 'roles');
  const removal = onlyRole ? blockEntryRange(entryFile.text, top, rolesIndex, false) : blockEntryRange(entryFile.text, entry.map, entry.index);
  // references inside the removed entry go with it
  const entryStart = removal?.start ?? entry.key.range![0];
  const entryEnd = removal?.end ?? (entry.pair.value as Scalar | null)?.range?.[2] ?? entry.key.range![2];

  const edits = loaded.files.map((): Edit[] => []);
  let count = 0;
  for (const [i, file] of loaded.files.entries()) {
    for (const ref of findReferences(file.doc, file.kind, loaded.context)) {
      if (ref.scalar.value !== role) continue;
      const at = ref.scalar.range![0];
      if (i === entry.fileIndex && at >= entryStart && at < entryEnd) continue; // removed with the role
      count++;
      const list = ref.list;
      if (ref.reference.list && list && list.items.some((item) => isScalar(item) && item.value === transferTo)) {
        const range = listItemRange(file.text, list, list.items.indexOf(ref.scalar));
        if (range) {
          edits[i]!.push({ ...range, text: '' });
          continue;
        }
        return refused(`cannot remove ${tick(role)} from the \`extends\` list in \`${file.path}\`: unusual layout; edit it by hand first`);
      }
      edits[i]!.push(replaceScalar(file.text, ref.scalar, transferTo));
    }
  }
  const structural = new Map<number, (text: string) => string>();
  if (removal) edits[entry.fileIndex]!.push({ ...removal, text: '' });
  else structural.set(entry.fileIndex, (text) => deleteWithDocument(text, role, onlyRole));
  return finish(dir, loaded, edits, structural, `deleted role ${tick(role)}; moved ${count} reference${count === 1 ? '' : 's'} to ${tick(transferTo)}`, (m) =>
    !m.roles.some((r) => r.name === role),
  );
}

/** Fallback for layouts a text splice cannot handle (a flow-style `roles: { … }`): the Document
 * API removes the entry and re-renders that one file. */
function deleteWithDocument(text: string, role: string, onlyRole: boolean): string {
  const doc = parseDocument(text, PARSE_OPTIONS);
  if (onlyRole) doc.delete('roles');
  else doc.deleteIn(['roles', role]);
  return String(doc);
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

function finish(
  dir: string,
  loaded: Loaded,
  edits: readonly Edit[][],
  structural: ReadonlyMap<number, (text: string) => string>,
  done: string,
  expected: (model: PolicyModel) => boolean,
): RefactorResult {
  const after = loaded.files.map((file, i) => {
    let text = applyEdits(file.text, edits[i]!);
    const step = structural.get(i);
    if (step) text = step(text);
    return { path: file.path, kind: file.kind, before: file.text, text };
  });
  const checked = verify(
    loaded.name,
    after.filter((f) => f.kind === 'policy').map(({ path, text }) => ({ path, text })),
    after.filter((f) => f.kind === 'test').map(({ path, text }) => ({ path, text })),
  );
  const files = after.filter((f) => f.text !== f.before).map((f) => ({ path: f.path, before: f.before, after: f.text }));
  if (checked.errors) {
    const errors = checked.diagnostics.filter((d) => d.severity === 'error').length;
    return {
      ok: false,
      files,
      diagnostics: checked.diagnostics,
      sources: checked.sources,
      message: `refused: the result would not compile (${errors} error${errors === 1 ? '' : 's'}); nothing was changed in \`${dir}\``,
    };
  }
  if (!expected(checked.model!)) return refused('policyc internal error: the rewritten policy set does not have the expected roles');
  return { ok: true, files, diagnostics: checked.diagnostics, sources: checked.sources, message: done };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/**
 * Writes the changed files of an accepted refactor: every new text goes to a temporary file in
 * the same folder first, and only when all are written are they renamed over the originals.
 * Throws (writing nothing) when the result was refused or a file changed since it was read.
 * Returns the paths written.
 */
export function applyRefactor(dir: string, result: RefactorResult): string[] {
  if (!result.ok) throw new Error(`policyc: refusing to write a refused refactor: ${result.message ?? 'not ok'}`);
  for (const file of result.files) {
    let current: string;
    try {
      current = readFileSync(join(dir, file.path), 'utf8');
    } catch (error) {
      throw new Error(`policyc: cannot read \`${file.path}\`: ${(error as Error).message}; nothing was written`);
    }
    if (current !== file.before) throw new Error(`policyc: \`${file.path}\` changed since the refactor was computed; nothing was written`);
  }
  try {
    replaceFiles(result.files.map((f) => ({ path: join(dir, f.path), text: f.after, previous: f.before })));
  } catch (error) {
    throw new Error(`policyc: ${(error as Error).message}`);
  }
  return result.files.map((f) => f.path);
}
