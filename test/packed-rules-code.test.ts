/**
 * Rules packed in the code layout (issue 17, import and first decision): from PACK_FROM_RULES
 * rules a policy's rule rows and field rules are one packed string, which parses sooner than a
 * row each; a small policy keeps a row per rule. Decisions, reasons, rules and field masks are the
 * same either way.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleChecker } from '../compiler/bundle/bundle.ts';
import { emitChecker, PACK_FROM_RULES } from '../compiler/emit/checker.ts';
import { compileDir, DEFAULT_RUNTIME_IMPORT } from '../compiler/index.ts';
import type { Checker } from '../packages/runtime/src/index.ts';
import { importBundle } from './helpers/policy.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function checkerFrom(checkerTs: string): Promise<Checker> {
  return (await importBundle(await bundleChecker(checkerTs, DEFAULT_RUNTIME_IMPORT, '// test'))).checker as Checker;
}

describe('issue 17: rules packed in the code layout', () => {
  it(`R-K3 R-K6 kommo-crm (over ${PACK_FROM_RULES} rules) packs them and decides, explains and masks fields exactly as with a row per rule`, async () => {
    const result = await compileDir(join(root, 'policies', 'kommo-crm'));
    const model = result.model!;
    expect(model.rules.length).toBeGreaterThanOrEqual(PACK_FROM_RULES);
    const packedTs = result.output!.checkerTs;
    const rowsTs = emitChecker(model, { runtimeImport: DEFAULT_RUNTIME_IMPORT, pack: false });
    expect(packedTs).toContain('packedRules');
    expect(rowsTs).not.toContain('packedRules');
    expect(packedTs.length).toBeLessThan(rowsTs.length);
    const [packed, rows] = await Promise.all([checkerFrom(packedTs), checkerFrom(rowsTs)]);
    let compared = 0;
    for (const role of model.roles) {
      for (const resource of model.resources) {
        const records = [{ kind: resource.name }, { kind: resource.name, responsible: 'u1', team: 'g1', stage: 'won', pipeline: 'partners', amount: 5 }, { kind: resource.name, responsible: 'u2', team: 'g2', stage: 'lost', amount: 50_000 }];
        for (const principal of [{ id: 'u1', role: role.name, groups: ['g1'] }, { id: 'u3', role: role.name, groups: ['interns'] }]) {
          for (const action of resource.actions) {
            for (const record of records) {
              expect(packed.can(principal, action, record)).toEqual(rows.can(principal, action, record));
              compared++;
            }
            expect(packed.plan(principal, action, resource.name)).toEqual(rows.plan(principal, action, resource.name));
          }
          expect(packed.fields(principal, records[1]!)).toEqual(rows.fields(principal, records[1]!));
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it(`a policy of fewer than ${PACK_FROM_RULES} rules keeps a row per rule, for review`, async () => {
    const result = await compileDir(join(root, 'bench', 'leads-policy'));
    expect(result.model!.rules.length).toBeLessThan(PACK_FROM_RULES);
    expect(result.output!.checkerTs).not.toContain('packedRules');
  });
});
