import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDir, checkSources } from '../compiler/index.ts';
import { matrixCells, matrixHtml, matrixMarkdown } from '../compiler/review/matrix.ts';
import { browserRequired, findChromium, INSTALL_CHROMIUM } from './helpers/chromium.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const kommo = checkDir(join(root, 'policies', 'kommo-crm')).model!;
/** An example set without conditions. */
const gtg = checkDir(join(root, 'policies', 'gtg-marketing')).model!;

describe('permission matrix', () => {
  it('R-K3 every cell has the level `can` decides with and names the rule that decides it', async () => {
    const zoho = checkDir(join(root, 'policies', 'zoho-hierarchy')).model!;
    for (const model of [kommo, zoho]) {
      for (const cell of matrixCells(model)) {
        expect(cell.why).toMatch(/at [\w-]+\.yaml:\d+:\d+\)?($|; )/);
        if (cell.level === 'admin') expect(cell.rule.kind).toBe('administrator');
        else expect(cell.rule.level).toBe(cell.level);
      }
    }
  });

  it('R-K3 markdown: one table per resource, a colour square per role × action', () => {
    const text = matrixMarkdown(kommo);
    const lead = text.split('## lead')[1]!.split('\n## ')[0]!;
    const rows = lead.trim().split('\n\n')[0]!.split('\n').slice(2);
    expect(rows).toHaveLength(kommo.roles.length);
    for (const row of rows) expect(row.split('|').slice(2, -1).every((c) => /^ (🟥|🟨|🟦|🟩)(\\\*)?( A)? $/.test(c))).toBe(true);
    expect(text).toContain('| sales\\_rep |');
  });

  it('R-K6 markdown: a role × field table for each resource where some field is not read-write', () => {
    const text = matrixMarkdown(kommo);
    const fields = text.split('## fields (R-K6, R-Z9)')[1]!;
    expect(fields).toContain('### fields of lead');
    expect(fields).not.toContain('### fields of contact');
    expect(fields).toContain('| marketer | ✏️ read-write | ✏️ read-write | 🚫 hidden | ✏️ read-write | ✏️ read-write |');
  });

  it('policy names cannot break the markdown or the page', async () => {
    const model = checkSources('t', [
      { path: 'p.yaml', text: 'resources:\n  "<b>|x":\n    actions: ["</td><script>alert(1)</script>"]\nroles:\n  "r|`*":\n    grants: { "<b>|x": green }\n' },
    ]).model!;
    const page = matrixHtml(model);
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<b>');
    expect(matrixMarkdown(model)).toContain('| r\\|\\`\\* | 🟩 |');
  });
});

const CONDITIONAL = checkSources('cond', [
  {
    path: 'roles.yaml',
    text: `resources:
  lead:
    actions: [view, edit, delete]
    attributes: { owner: string, stage: string, pipeline: string, amount: number }
    owner: owner
    stage: stage
    pipeline: pipeline
roles:
  sales_rep:
    grants: { lead: { view: all, edit: { level: own, when: 'resource.amount < 1000.0' }, delete: own } }
    stages: { lead: { won: { edit: red } } }
    pipelines: { lead: { partners: deny } }
  admin:
    administrator: true
`,
  },
]).model!;

describe('permission matrix with conditions', () => {
  it('R-K5 a cell with overrides or a condition is marked and lists them in the checker\'s order, each with its place', () => {
    const cells = matrixCells(CONDITIONAL);
    const edit = cells.find((c) => c.role === 'sales_rep' && c.action === 'edit')!;
    expect(edit).toMatchObject({ level: 'own', conditional: true, conditions: ['in pipeline `partners`: 🟥 (roles.yaml:12:36)', 'in stage `won`: 🟥 (roles.yaml:11:36)'] });
    expect(edit.why).toBe('own (yellow) when `resource.amount < 1000.0` at roles.yaml:10:49; in pipeline `partners`: 🟥 (roles.yaml:12:36); in stage `won`: 🟥 (roles.yaml:11:36)');
    expect(cells.find((c) => c.role === 'sales_rep' && c.action === 'view')).toMatchObject({ conditional: true, conditions: ['in pipeline `partners`: 🟥 (roles.yaml:12:36)'] });
    // administrators are not subject to overrides
    expect(cells.filter((c) => c.role === 'admin').every((c) => !c.conditional && c.conditions.length === 0)).toBe(true);
  });

  it('R-K5 markdown: a marker in the cell, the conditions listed under the table', () => {
    const text = matrixMarkdown(CONDITIONAL);
    expect(text).toContain('**A** administrator · \\* conditional (listed below the table)');
    expect(text).toContain('| sales\\_rep | 🟩\\* | 🟨\\* | 🟨\\* |');
    expect(text).toContain('| admin | 🟩 A | 🟩 A | 🟩 A |');
    expect(text).toContain('Conditional cells:\n\n- `sales_rep` · `view`: 🟩 (roles.yaml:10:29); in pipeline `partners`: 🟥 (roles.yaml:12:36)\n');
    expect(text).toContain('- `sales_rep` · `edit`: 🟨 when `resource.amount < 1000.0` (roles.yaml:10:49); in pipeline `partners`: 🟥 (roles.yaml:12:36); in stage `won`: 🟥 (roles.yaml:11:36)\n');
    // without conditions nothing changes
    expect(matrixMarkdown(gtg)).not.toContain('conditional');
  });

  it('R-Z10 a duringShift grant reads as words, not as its generated CEL', () => {
    const model = checkSources('shift', [
      {
        path: 'roles.yaml',
        text: "resources:\n  lead: { actions: [view], attributes: { owner: string }, owner: owner }\nshifts:\n  office: { days: [mon], start: '09:00', end: '17:00', timeZone: UTC }\nroles:\n  rep:\n    shift: office\n    grants: { lead: { view: { level: all, duringShift: true } } }\n",
      },
    ]).model!;
    const [cell] = matrixCells(model);
    expect(cell).toMatchObject({ conditional: true, conditions: [], why: "all (green) when during the user's shift (`office` unless the user has another) at roles.yaml:8:38" });
    expect(matrixMarkdown(model)).toContain("- `rep` · `view`: 🟩 when during the user's shift (`office` unless the user has another) (roles.yaml:8:38)");
  });

  it('R-K5 HTML: the marker in the cell and the conditions in its tooltip', () => {
    const page = matrixHtml(CONDITIONAL);
    expect(page).toContain('<td class="cell own conditional" tabindex="0" title="own (yellow) when `resource.amount &#60; 1000.0` at roles.yaml:10:49; in pipeline `partners`: 🟥 (roles.yaml:12:36); in stage `won`: 🟥 (roles.yaml:11:36)"');
    expect(page).toContain('* = conditional');
    expect(matrixHtml(gtg)).not.toContain('conditional');
  });
});

const chromiumPath = findChromium();
if (chromiumPath === undefined && !browserRequired()) console.warn(`skipped: permission matrix page in a real headless Chromium — ${INSTALL_CHROMIUM}`);

describe.skipIf(chromiumPath === undefined && !browserRequired())('permission matrix page in a real headless Chromium', () => {
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    if (chromiumPath === undefined) throw new Error(`${INSTALL_CHROMIUM} (CI needs it)`);
    const dir = mkdtempSync(join(tmpdir(), 'policyc-matrix-'));
    const file = join(dir, 'matrix.html');
    writeFileSync(file, matrixHtml(kommo));
    url = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('R-K3 cells are painted in the four colours, and a click shows the deciding rule', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    const colours = (await page.evaluate(
      `[...new Set([...document.querySelectorAll('section[data-resource="lead"] td.cell')].map((td) => getComputedStyle(td).backgroundColor))]`,
    )) as string[];
    expect(colours.sort()).toEqual(['rgb(229, 57, 53)', 'rgb(253, 216, 53)', 'rgb(30, 136, 229)', 'rgb(67, 160, 71)'].sort());

    const repRow = page.locator('section[data-resource="lead"] tr[data-role="sales_rep"]');
    await repRow.locator('td.cell').nth(2).click(); // edit
    await expect.poll(() => page.textContent('#why')).toMatch(/^sales_rep · lead · edit: own \(yellow\) at roles\.yaml:\d+:\d+(; .*)?$/);

    // a screenshot of one cell of each level really shows its colour (pixels decoded by the
    // browser, on a blank page: the matrix page's content policy forbids data: images)
    const decoder = await browser.newPage();
    for (const [level, rgb] of [['deny', [229, 57, 53]], ['own', [253, 216, 53]], ['team', [30, 136, 229]], ['all', [67, 160, 71]]] as const) {
      const png = await page.locator(`section[data-resource="contact"] td.cell.${level}:not(.conditional)`).first().screenshot();
      const pixel = await decoder.evaluate(`(async () => {
        const img = new Image();
        img.src = 'data:image/png;base64,${png.toString('base64')}';
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        return [...ctx.getImageData(img.width >> 1, img.height >> 1, 1, 1).data.slice(0, 3)];
      })()`);
      expect(pixel, level).toEqual(rgb);
    }
    await decoder.close();
    await page.selectOption('#role', 'sales_rep');
    expect(await page.locator('tr[data-role="administrator"]').first().isHidden()).toBe(true);
    await page.selectOption('#resource', 'contact');
    expect(await page.locator('section[data-resource="lead"]').isHidden()).toBe(true);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    await page.close();
  });

  it('R-K5 clicking a conditional cell shows its conditions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policyc-matrix-'));
    writeFileSync(join(dir, 'matrix.html'), matrixHtml(CONDITIONAL));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(dir, 'matrix.html')).href);
    const edit = page.locator('section[data-resource="lead"] tr[data-role="sales_rep"] td.cell').nth(1);
    expect(await edit.textContent()).toBe('*');
    await edit.click();
    await expect.poll(() => page.textContent('#why')).toBe('sales_rep · lead · edit: own (yellow) when `resource.amount < 1000.0` at roles.yaml:10:49; in pipeline `partners`: 🟥 (roles.yaml:12:36); in stage `won`: 🟥 (roles.yaml:11:36)');
    await page.close();
  });
});
