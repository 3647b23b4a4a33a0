/** Printing diagnostics in each `--format`, shared by the commands that compile. */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import pc from 'picocolors';
import { formatGithub, formatSarif } from '../diagnostics/ci-formats.ts';
import { formatJson, formatText } from '../diagnostics/format.ts';
import type { CheckResult } from '../index.ts';
import type { Io } from './io.ts';

export function report(result: Pick<CheckResult, 'diagnostics' | 'sources'>, dir: string, format: string, io: Io): void {
  const display = (file: string): string => relative(io.cwd, resolve(io.cwd, dir, file)) || file;
  if (format === 'json') {
    io.out(formatJson(result.diagnostics, result.sources, display) + '\n');
    return;
  }
  if (format === 'sarif') {
    io.out(formatSarif(result.diagnostics, result.sources, display, version()) + '\n');
    return;
  }
  if (format === 'github') {
    if (result.diagnostics.length > 0) io.out(formatGithub(result.diagnostics, result.sources, display) + '\n');
    return;
  }
  if (result.diagnostics.length === 0) return;
  const c = pc.createColors(io.color);
  const text = formatText(result.diagnostics, result.sources, display);
  io.err(
    text
      .split('\n')
      .map((line) => line.replace(/^(\S+: )(error|warning)( PC\d+)/, (_, at: string, sev: string, code: string) => at + (sev === 'error' ? c.red(sev) : c.yellow(sev)) + code))
      .join('\n') + '\n',
  );
}

/** policyc's version, from its package.json (found from this file in the sources and in `dist/`). */
export function version(): string {
  for (const up of ['../../package.json', '../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'policyc' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}
