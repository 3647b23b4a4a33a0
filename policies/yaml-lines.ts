/**
 * Finds the line of a YAML policy file on which a grant is written, by searching the text, so
 * decision tests can check `rule.file` / `rule.line` without hard-coding line numbers.
 */
import { readFileSync } from 'node:fs';

/**
 * The 1-based line inside the block of `role` (from the line `  <role>:` to the next role or
 * section) that matches the last of `patterns`, each pattern being searched after the line
 * the previous one matched (e.g. `[/^ +lead:/, /view:/]` = the `view:` line under `lead:`).
 */
export function grantLine(folder: URL, file: string, role: string, ...patterns: RegExp[]): number {
  const lines = readFileSync(new URL(file, folder), 'utf8').split(/\r?\n/);
  const start = lines.findIndex((l) => l.replace(/\s+#.*$/, '') === `  ${role}:`);
  if (start < 0) throw new Error(`role ${role} not found in ${file}`);
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (/^ {0,2}[^\s#]/.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  let at = start;
  for (const pattern of patterns) {
    let found = -1;
    for (let i = at + 1; i < end; i++) {
      if (pattern.test(lines[i]!.replace(/\s+#.*$/, ''))) {
        found = i;
        break;
      }
    }
    if (found < 0) throw new Error(`${pattern} not found in role ${role} of ${file} after line ${at + 1}`);
    at = found;
  }
  return at + 1;
}
