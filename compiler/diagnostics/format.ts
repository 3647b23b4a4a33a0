import type { Diagnostic } from './diagnostic.ts';
import { escapeControls, frameLine } from './display.ts';

/** Line starts of a text, for offset → line:column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low]! + 1 };
  }
  lineText(line: number): string {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line];
    return this.text.slice(start, next === undefined ? undefined : next - 1).replace(/\r$/, '');
  }
}

export type Sources = ReadonlyMap<string, string>;

function index(sources: Sources, cache: Map<string, LineIndex>, file: string): LineIndex {
  let found = cache.get(file);
  if (!found) {
    found = new LineIndex(sources.get(file) ?? '');
    cache.set(file, found);
  }
  return found;
}

export interface Located extends Diagnostic {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export function locate(list: readonly Diagnostic[], sources: Sources): Located[] {
  const cache = new Map<string, LineIndex>();
  return list.map((d) => {
    const lines = index(sources, cache, d.file);
    const start = lines.position(d.start);
    const end = lines.position(Math.max(d.start, d.end));
    return { ...d, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  });
}

/**
 * The code frame of a diagnostic: its first line with the span underlined (`^^^`) by display
 * width, controls escaped, a long line cut around the span.
 */
function frame(d: Located, lines: LineIndex, known: boolean): string[] {
  if (!known) return [];
  const text = lines.lineText(d.line);
  const gutter = String(d.line).length;
  const shown = frameLine(text, d.column - 1, d.endLine === d.line ? d.endColumn - 1 : text.length + 1);
  return [`${' '.repeat(gutter)} |`, `${d.line} | ${shown.text}`, `${' '.repeat(gutter)} | ${' '.repeat(shown.pad)}${'^'.repeat(shown.width)}`];
}

/** Errors the text format prints before it says how many more there are (JSON, SARIF and GitHub keep all). */
export const TEXT_ERROR_LIMIT = 50;

/**
 * Human-readable output: `file:line:column: error PC3001: message`, a code frame with the
 * span underlined, then `help:` and related notes. After `maxErrors` errors the rest are
 * counted, not printed: the first ones are the causes, and a log of thousands helps nobody.
 */
export function formatText(
  list: readonly Diagnostic[],
  sources: Sources,
  displayPath: (file: string) => string = (f) => f,
  maxErrors: number = TEXT_ERROR_LIMIT,
): string {
  const cache = new Map<string, LineIndex>();
  const out: string[] = [];
  const path = (file: string): string => escapeControls(displayPath(file));
  let printed = 0;
  let errorsPrinted = 0;
  for (const d of locate(list, sources)) {
    if (errorsPrinted >= maxErrors) break;
    const lines = index(sources, cache, d.file);
    out.push(`${path(d.file)}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${escapeControls(d.message)}`);
    out.push(...frame(d, lines, sources.has(d.file)));
    if (d.help !== undefined) out.push(`  help: ${escapeControls(d.help)}`);
    for (const r of d.related) {
      const p = index(sources, cache, r.file).position(r.start);
      out.push(`  note: ${escapeControls(r.message)} at ${path(r.file)}:${p.line}:${p.column}`);
    }
    out.push('');
    printed++;
    if (d.severity === 'error') errorsPrinted++;
  }
  if (printed < list.length) {
    out.push(`… and ${list.length - printed} more (\`--format json\` lists them all)`);
    out.push('');
  }
  const errors = list.filter((d) => d.severity === 'error').length;
  const warnings = list.length - errors;
  out.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return out.join('\n');
}

export function formatJson(list: readonly Diagnostic[], sources: Sources, displayPath: (file: string) => string = (f) => f): string {
  const cache = new Map<string, LineIndex>();
  const located = locate(list, sources).map((d) => ({
    file: displayPath(d.file),
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    severity: d.severity,
    code: d.code,
    message: escapeControls(d.message),
    ...(d.help === undefined ? {} : { help: escapeControls(d.help) }),
    frame: frame(d, index(sources, cache, d.file), sources.has(d.file)).join('\n'),
    related: d.related.map((r) => {
      const p = index(sources, cache, r.file).position(r.start);
      return { file: displayPath(r.file), line: p.line, column: p.column, message: escapeControls(r.message) };
    }),
  }));
  return JSON.stringify({ diagnostics: located }, null, 2);
}
