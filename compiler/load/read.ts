/**
 * Reading a policy set folder from disk (issue 14). Folders arrive in pull requests from many
 * hands, so nothing here may hang, throw or skip a file without a word: symbolic links inside the
 * folder are followed (a folder read twice is a loop), links leading outside it or nowhere are
 * reported, anything that is not a regular file (a FIFO would block a read forever) is reported,
 * and texts must be UTF-8 (a byte-order mark is dropped).
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { DiagnosticBag, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { count, DEFAULT_LIMITS, type Limits } from '../diagnostics/limits.ts';
import { decodeUtf8 } from './utf8.ts';

const SKIPPED_DIRS = new Set(['generated', 'node_modules', 'dist']);

export function isPolicyFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !isTestFileName(name);
}

/** Policy test files: `*_test.yaml` beside the policies. */
export function isTestFileName(name: string): boolean {
  return /_test\.ya?ml$/i.test(name);
}

const FOLDER: Span = { file: '.', start: 0, end: 0 };

/** The system's reason for a failed file operation, without Node's `ENOENT: …, stat '<path>'` wrapping. */
function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const text = (e.message ?? String(error)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return e.code === undefined ? text : `${text} (${e.code})`;
}

/**
 * Policy file paths below `dir`, relative with `/` separators and sorted; folders like
 * `generated/` and names starting with `.` are skipped. Problems (broken links, links leading
 * outside `dir`, loops, entries that are not regular files) go to `bag` when one is given.
 */
export function listPolicyFiles(dir: string, accept: (name: string) => boolean = isPolicyFileName, bag?: DiagnosticBag): string[] {
  const found: string[] = [];
  const root = realpathSync(dir);
  const walked = new Set<string>([root]);
  /** Real path of each file read → its path as listed: a file reached twice would define everything twice. */
  const files = new Map<string, string>();
  const inRoot = (real: string): string => relative(root, real).split(sep).join('/') || '.';
  const rel = (full: string): string => relative(dir, full).split(sep).join('/');
  const problem = (full: string, message: string, help?: string): void => {
    bag?.report('SymbolicLink', { file: rel(full), start: 0, end: 0 }, message, help === undefined ? {} : { help });
  };
  const walk = (at: string): void => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch (error) {
      bag?.report('UnreadableFile', { file: rel(at) || '.', start: 0, end: 0 }, `cannot read the folder ${tick(rel(at) || dir)}: ${reason(error)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(at, entry.name);
      let stat: Stats | undefined;
      let real = full;
      if (entry.isSymbolicLink()) {
        try {
          real = realpathSync(full);
          stat = statSync(real);
        } catch (error) {
          if (accept(entry.name)) problem(full, `the symbolic link ${tick(rel(full))} cannot be followed: ${reason(error)}`, 'point the link at an existing file inside the policy folder, or remove it');
          continue;
        }
        if (real !== root && !real.startsWith(root + sep)) {
          if (stat.isDirectory() || accept(entry.name)) {
            problem(full, `the symbolic link ${tick(rel(full))} leads outside the policy folder`, 'copy the file into the policy folder: a policy set is only what its folder holds');
          }
          continue;
        }
      }
      const isDir = stat ? stat.isDirectory() : entry.isDirectory();
      if (isDir) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        if (!entry.isSymbolicLink()) real = realpathSync(full);
        if (walked.has(real)) {
          const here = realpathSync(at);
          const loop = here === real || here.startsWith(real + sep);
          problem(full, `the symbolic link ${tick(rel(full))} leads to ${tick(inRoot(real))}, a folder read already${loop ? ': a loop' : ''}`, 'remove the link');
          continue;
        }
        walked.add(real);
        walk(full);
      } else if (accept(entry.name)) {
        if (stat ? stat.isFile() : entry.isFile()) {
          const file = stat ? real : realpathSync(full);
          const first = files.get(file);
          if (first === undefined) {
            files.set(file, rel(full));
            found.push(rel(full));
          } else problem(full, `${tick(rel(full))} and ${tick(first)} are the same file, through a symbolic link`, 'keep one of the two: every name in the file would be defined twice');
        } else bag?.report('UnreadableFile', { file: rel(full), start: 0, end: 0 }, `${tick(rel(full))} is not a regular file`, { help: 'policy files are plain files; remove or rename this one' });
      }
    }
  };
  walk(dir);
  return found.sort();
}

export interface ReadFolder {
  readonly texts: { path: string; text: string }[];
  /** Texts of every file read, also those with errors, for code frames. */
  readonly sources: Map<string, string>;
}

/**
 * Reads the policy files below `dir` (with `kind: 'test'`, its `*_test.yaml`, of which there may
 * be none). Unreadable files are reported, never thrown.
 */
export function readPolicyFolder(dir: string, bag: DiagnosticBag, limits: Limits = DEFAULT_LIMITS, kind: 'policy' | 'test' = 'policy'): ReadFolder {
  const accept = kind === 'policy' ? isPolicyFileName : isTestFileName;
  const texts: { path: string; text: string }[] = [];
  const sources = new Map<string, string>();
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    bag.report('UnreadableFile', FOLDER, `cannot read the policy folder ${tick(dir)}: ${reason(error)}`);
    return { texts, sources };
  }
  if (!stat.isDirectory()) {
    bag.report('UnreadableFile', FOLDER, `${tick(dir)} is not a folder`, { help: 'pass the folder that holds the policy YAML files' });
    return { texts, sources };
  }
  const paths = listPolicyFiles(dir, accept, bag);
  if (paths.length > limits.maxFiles) {
    bag.report('TooManyFiles', FOLDER, `the policy folder has ${count(paths.length)} policy files, more than the limit of ${count(limits.maxFiles)}`, {
      help: 'merge files, or raise the limit (`maxFiles`) if the policy set really is this large',
    });
    return { texts, sources };
  }
  let total = 0;
  for (const path of paths) {
    const span: Span = { file: path, start: 0, end: 0 };
    let bytes: Buffer;
    try {
      total += statSync(join(dir, path)).size;
      if (total > limits.maxBytes) {
        bag.report('TooManyFiles', span, `the policy files hold ${count(total)} bytes up to ${tick(path)}, more than the limit of ${count(limits.maxBytes)}`, {
          help: 'a policy set this large is generated, not written: check what produced it, or raise the limit (`maxBytes`)',
        });
        break;
      }
      bytes = readFileSync(join(dir, path));
    } catch (error) {
      bag.report('UnreadableFile', span, `cannot read ${tick(path)}: ${reason(error)}`);
      continue;
    }
    const decoded = decodeUtf8(bytes);
    sources.set(path, decoded.text);
    if (decoded.badByte !== undefined) {
      const at = decoded.badOffset;
      bag.report('InvalidUtf8', { file: path, start: at, end: at + 1 }, `${tick(path)} is not valid UTF-8: byte 0x${decoded.badByte.toString(16).padStart(2, '0')} cannot start or continue a character`, {
        help: decoded.utf16 ? 'the file is UTF-16: save it as UTF-8' : 'save the file as UTF-8',
      });
      continue;
    }
    texts.push({ path, text: decoded.text });
  }
  if (paths.length === 0 && kind === 'policy' && !bag.hasErrors) {
    bag.report('NoPolicyFiles', FOLDER, `no policy files (\`*.yaml\`) in ${tick(dir)}`);
  }
  return { texts, sources };
}

/** Reads a policy set folder's policy files (not its `*_test.yaml`). */
export function readPolicyDir(dir: string, bag: DiagnosticBag, limits: Limits = DEFAULT_LIMITS): { path: string; text: string }[] {
  return readPolicyFolder(dir, bag, limits).texts;
}
