/**
 * Diagnostics for CI systems: GitHub workflow annotations and SARIF 2.1.0 (code scanning).
 */
import { CODES } from './codes.ts';
import type { Diagnostic } from './diagnostic.ts';
import { escapeControls } from './display.ts';
import { locate, type Sources } from './format.ts';

// controls are escaped first (`\u{…}`), so `%0A` and friends come only from this function
const escapeData = (s: string): string => escapeControls(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error file=…,line=…,col=…::message` lines, which GitHub Actions shows on the pull request. */
export function formatGithub(list: readonly Diagnostic[], sources: Sources, displayPath: (file: string) => string): string {
  return locate(list, sources)
    .map((d) => {
      const props = [
        `file=${escapeProperty(displayPath(d.file))}`,
        `line=${d.line}`,
        `col=${d.column}`,
        `endLine=${d.endLine}`,
        `endColumn=${d.endColumn}`,
        `title=${escapeProperty(`policyc ${d.code}`)}`,
      ].join(',');
      const text = d.help === undefined ? d.message : `${d.message} (help: ${d.help})`;
      return `::${d.severity} ${props}::${escapeData(text)}`;
    })
    .join('\n');
}

/** A SARIF 2.1.0 log with one run; every code of the catalogue is a rule. */
export function formatSarif(list: readonly Diagnostic[], sources: Sources, displayPath: (file: string) => string, version: string): string {
  const rules = Object.entries(CODES).map(([name, { code, title }]) => ({ id: code, name, shortDescription: { text: title } }));
  const location = (file: string, line: number, column: number, endLine: number, endColumn: number) => ({
    physicalLocation: {
      artifactLocation: { uri: escapeControls(displayPath(file)).split('\\').join('/') },
      region: { startLine: line, startColumn: column, endLine, endColumn },
    },
  });
  const results = locate(list, sources).map((d) => ({
    ruleId: d.code,
    ruleIndex: rules.findIndex((r) => r.id === d.code),
    level: d.severity,
    message: { text: escapeControls(d.message) + (d.help === undefined ? '' : `\nhelp: ${escapeControls(d.help)}`) },
    locations: [location(d.file, d.line, d.column, d.endLine, d.endColumn)],
    ...(d.related.length > 0
      ? {
          relatedLocations: locate(
            d.related.map((r) => ({ ...r, code: d.code, severity: d.severity, help: undefined, related: [] })),
            sources,
          ).map((r, id) => ({ id, message: { text: escapeControls(r.message) }, ...location(r.file, r.line, r.column, r.endLine, r.endColumn) })),
        }
      : {}),
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'policyc', version, rules } }, results }],
  };
  return JSON.stringify(log, null, 2);
}
