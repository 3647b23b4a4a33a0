/**
 * `policyc matrix`: the effective role × resource × action levels in the seed's colours, with the
 * rule behind every cell — as markdown for a pull request and as a self-contained HTML page.
 */
import { COLOUR_OF, type Level, type PolicyModel, type Rule } from '../ir/model.ts';
import { code, conditionLabel, overridesOf, place, whenText } from './conditions.ts';
import { fieldMatrixMarkdown } from './fields-matrix.ts';
import { principalRows } from './principals.ts';

export interface MatrixCell {
  readonly role: string;
  /** The row: the role, or the role for users carrying another profile (`role (profile p)`, R-Z2). */
  readonly row: string;
  readonly resource: string;
  readonly action: string;
  /** `admin` for an administrator role, else the effective level. */
  readonly level: Level | 'admin';
  readonly rule: Rule;
  /** One line: what decides this cell and where it is written (with its conditions, if any). */
  readonly why: string;
  /**
   * The cell depends on a condition: its rule has a `when:` (or a shift), or stage and pipeline
   * overrides (R-K5) decide some records — each described in `conditions`, in the order the
   * checker tries them, e.g. ``in stage `won`: 🟥 (roles.yaml:12:9)``.
   */
  readonly conditional: boolean;
  readonly conditions: readonly string[];
}

const SQUARE: Readonly<Record<Level | 'admin', string>> = { deny: '🟥', own: '🟨', team: '🟦', all: '🟩', admin: '🟩' };

export function matrixCells(model: PolicyModel): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const { role, label } of principalRows(model)) {
    // a kind that follows its parent record (R-Z11) has no cells of its own
    for (const resource of model.resources.filter((r) => r.parent === undefined)) {
      for (const action of resource.actions) {
        const id = role.administratorRule ?? role.cells.get(resource.name)?.get(action);
        const rule = id === undefined ? undefined : model.rules[id];
        if (rule === undefined) throw new Error(`policyc internal error: no rule for ${role.name} / ${resource.name} / ${action}`);
        const at = `${rule.source.file}:${rule.source.line}:${rule.source.column}`;
        const inherited = rule.declaredIn === role.name ? '' : ` (from \`${rule.declaredIn}\`)`;
        const why =
          rule.kind === 'administrator'
            ? `administrator${inherited} at ${at}`
            : rule.kind === 'default'
              ? `no grant: default deny (role at ${at})`
              : rule.kind === 'public'
                ? `a yellow or blue grant${inherited} made green by the org-wide default at ${at}`
              : `${rule.level} (${COLOUR_OF[rule.level]})${inherited}${rule.condition?.kind === 'cel' ? ` when ${whenText(rule.condition)}` : ''} at ${at}`;
        const conditions = (role.administratorRule === undefined ? overridesOf(model, role, resource.name, action) : []).map((o) => {
          const label = conditionLabel(model, resource.name, o.condition!);
          return `${o.condition!.kind === 'equals' ? `in ${label}` : label}: ${SQUARE[o.level]} (${place(o)})`;
        });
        const conditional = conditions.length > 0 || rule.condition !== undefined;
        const level = rule.kind === 'administrator' ? 'admin' : rule.level;
        cells.push({ role: role.name, row: label, resource: resource.name, action, level, rule, why: [why, ...conditions].join('; '), conditional, conditions });
      }
    }
  }
  return cells;
}

/** Markdown-safe text: no table pipes, no markup, no line breaks. */
const md = (s: string): string => s.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/[\r\n\u2028\u2029]+/g, ' ');

/** One table per resource: a row per role, a column per action, a colour square per cell. */
export function matrixMarkdown(model: PolicyModel): string {
  const cells = matrixCells(model);
  const marker = cells.some((c) => c.conditional) ? ' · \\* conditional (listed below the table)' : '';
  const out = [`# Permission matrix: ${md(model.name)}`, '', `🟩 all (green) · 🟦 team (blue) · 🟨 own (yellow) · 🟥 denied (red) · **A** administrator${marker}`, ''];
  for (const resource of model.resources) {
    out.push(`## ${md(resource.name)}${resource.kind === 'module' ? ' (module)' : ''}`, '');
    out.push(`| role | ${resource.actions.map(md).join(' | ')} |`);
    out.push(`|---|${resource.actions.map(() => ':---:').join('|')}|`);
    for (const { label } of principalRows(model)) {
      const row = cells.filter((c) => c.row === label && c.resource === resource.name);
      out.push(`| ${md(label)} | ${row.map((c) => `${SQUARE[c.level]}${c.conditional ? '\\*' : ''}${c.level === 'admin' ? ' A' : ''}`).join(' | ')} |`);
    }
    out.push('');
    // what the marked cells depend on: the grant's condition, then each override
    const marked = cells.filter((c) => c.resource === resource.name && c.conditional);
    if (marked.length > 0) {
      out.push('Conditional cells:', '');
      for (const c of marked) {
        const when = c.rule.condition?.kind === 'cel' ? ` when ${whenText(c.rule.condition)}` : '';
        out.push(`- ${code(c.row)} · ${code(c.action)}: ${SQUARE[c.level]}${when} (${place(c.rule)})${c.conditions.map((x) => `; ${x}`).join('')}`);
      }
      out.push('');
    }
  }
  const fields = model.resources.flatMap((resource) => fieldMatrixMarkdown(model, resource, md));
  if (fields.length > 0) out.push('## fields (R-K6, R-Z9)', '', '✏️ read-write · 👁️ read-only · 🚫 hidden; tables only for resources where some field is not read-write', '', ...fields);
  return out.join('\n');
}

const html = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A self-contained page (no network): filter by role and resource; hovering or clicking a cell
 * shows the rule that decides it and where it is written.
 */
export function matrixHtml(model: PolicyModel): string {
  const cells = matrixCells(model);
  const tables = model.resources.map((resource) => {
    const head = resource.actions.map((a) => `<th>${html(a)}</th>`).join('');
    const rows = principalRows(model).map(({ name, label }) => {
      const tds = cells
        .filter((c) => c.row === label && c.resource === resource.name)
        .map((c) => `<td class="cell ${c.level}${c.conditional ? ' conditional' : ''}" tabindex="0" title="${html(c.why)}" data-why="${html(`${c.row} · ${c.resource} · ${c.action}: ${c.why}`)}">${c.level === 'admin' ? 'A' : ''}${c.conditional ? '*' : ''}</td>`)
        .join('');
      return `<tr data-role="${html(name)}"><th scope="row">${html(label)}</th>${tds}</tr>`;
    });
    return `<section data-resource="${html(resource.name)}"><h2>${html(resource.name)}</h2><table><thead><tr><th>role</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
  });
  const options = (names: readonly string[]) => names.map((n) => `<option value="${html(n)}">${html(n)}</option>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Permission matrix: ${html(model.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; margin-bottom: 1rem; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: center; }
th[scope=row] { text-align: left; }
.cell { width: 3rem; height: 1.4rem; cursor: pointer; font-weight: bold; }
.deny { background: #e53935; } .own { background: #fdd835; } .team { background: #1e88e5; } .all, .admin { background: #43a047; }
#why { min-height: 1.5rem; padding: 4px 8px; background: #f5f5f5; font-family: monospace; }
.legend span { display: inline-block; width: 1rem; height: 1rem; vertical-align: middle; margin: 0 4px 0 12px; }
</style></head><body>
<h1>Permission matrix: ${html(model.name)}</h1>
<p class="legend"><span class="all"></span>all (green)<span class="team"></span>team (blue)<span class="own"></span>own (yellow)<span class="deny"></span>denied (red) · A = administrator${cells.some((c) => c.conditional) ? ' · * = conditional (stages, pipelines, conditions: see the cell)' : ''}</p>
<p><label>role <select id="role"><option value="">all</option>${options(model.roles.map((r) => r.name))}</select></label>
<label>resource <select id="resource"><option value="">all</option>${options(model.resources.map((r) => r.name))}</select></label></p>
<div id="why" aria-live="polite">hover or click a cell to see the rule that decides it</div>
${tables.join('\n')}
<script>
const why = document.getElementById('why');
for (const cell of document.querySelectorAll('.cell')) {
  const show = () => { why.textContent = cell.dataset.why; };
  cell.addEventListener('mouseenter', show);
  cell.addEventListener('click', show);
  cell.addEventListener('focus', show);
}
const role = document.getElementById('role');
const resource = document.getElementById('resource');
const filter = () => {
  for (const row of document.querySelectorAll('tr[data-role]')) row.hidden = role.value !== '' && row.dataset.role !== role.value;
  for (const section of document.querySelectorAll('section')) section.hidden = resource.value !== '' && section.dataset.resource !== resource.value;
};
role.addEventListener('change', filter);
resource.addEventListener('change', filter);
</script>
</body></html>
`;
}
