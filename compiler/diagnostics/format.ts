import type { Diagnostic } from './diagnostic.ts';

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

/** The code frame of a diagnostic: its first line with the span underlined (`^^^`). */
function frame(d: Located, lines: LineIndex, known: boolean): string[] {
  if (!known) return [];
  const text = lines.lineText(d.line);
  const gutter = String(d.line).length;
  const width = Math.max(1, (d.endLine === d.line ? d.endColumn : text.length + 1) - d.column);
  return [`${' '.repeat(gutter)} |`, `${d.line} | ${text}`, `${' '.repeat(gutter)} | ${' '.repeat(d.column - 1)}${'^'.repeat(width)}`];
}

/**
 * Human-readable output: `file:line:column: error PC3001: message`, a code frame with the
 * span underlined, then `help:` and related notes.
 */
export function formatText(list: readonly Diagnostic[], sources: Sources, displayPath: (file: string) => string = (f) => f): string {
  const cache = new Map<string, LineIndex>();
  const out: string[] = [];
  for (const d of locate(list, sources)) {
    const lines = index(sources, cache, d.file);
    out.push(`${displayPath(d.file)}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
    out.push(...frame(d, lines, sources.has(d.file)));
    if (d.help !== undefined) out.push(`  help: ${d.help}`);
    for (const r of d.related) {
      const p = index(sources, cache, r.file).position(r.start);
      out.push(`  note: ${r.message} at ${displayPath(r.file)}:${p.line}:${p.column}`);
    }
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
    message: d.message,
    ...(d.help === undefined ? {} : { help: d.help }),
    frame: frame(d, index(sources, cache, d.file), sources.has(d.file)).join('\n'),
    related: d.related.map((r) => {
      const p = index(sources, cache, r.file).position(r.start);
      return { file: displayPath(r.file), line: p.line, column: p.column, message: r.message };
    }),
  }));
  return JSON.stringify({ diagnostics: located }, null, 2);
}
