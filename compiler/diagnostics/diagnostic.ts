import { CODES, type CodeName } from './codes.ts';
import { escapeControls } from './display.ts';

/** A span in one policy file, as character offsets (turned into line:column only when printed). */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export interface Related extends Span {
  readonly message: string;
}

export interface Diagnostic extends Span {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /** One line, lowercase, no final period; user values in backticks. */
  readonly message: string;
  readonly help: string | undefined;
  readonly related: readonly Related[];
}

export interface DiagnosticInit {
  readonly help?: string | undefined;
  readonly related?: readonly Related[];
  readonly severity?: 'error' | 'warning';
}

export function diagnostic(name: CodeName, span: Span, message: string, init: DiagnosticInit = {}): Diagnostic {
  return {
    file: span.file,
    start: span.start,
    end: span.end,
    code: CODES[name].code,
    severity: init.severity ?? 'error',
    message,
    help: init.help,
    related: init.related ?? [],
  };
}

/** Collects the diagnostics of one run; phases report, they never throw for user mistakes. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  report(name: CodeName, span: Span, message: string, init?: DiagnosticInit): void {
    this.items.push(diagnostic(name, span, message, init));
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** Sorted by file, position and code, so output is the same whatever order phases ran in. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.start - b.start ||
      a.end - b.end ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** A user value in a message, in backticks, its control characters escaped (display.ts). */
export function tick(value: string): string {
  return '`' + escapeControls(value) + '`';
}
