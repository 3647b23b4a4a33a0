/**
 * Declared pipelines and stages (issue 16, R-K5): `pipelines: { sales: [new, qualified, won,
 * lost] }` on a resource. A stage or pipeline rule naming an undeclared one is an error with a
 * suggestion (a typo no longer compiles into a rule that never matches), and a record in an
 * undeclared stage or pipeline is refused by `can` and left out of plans.
 */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../compiler/index.ts';
import { toPredicate } from '../packages/runtime/src/index.ts';
import { compileSources } from './helpers/policy.ts';

const RESOURCES = `
resources:
  lead:
    actions: [view, edit]
    attributes: { owner: string, stage: string, pipeline: string }
    owner: owner
    stage: stage
    pipeline: pipeline
    pipelines:
      sales: [new, qualified, won, lost]
      partners: [new, signed]
`;

const diagnostics = (roles: string) => {
  const text = `${RESOURCES}${roles}`;
  return checkSources('pipelines', [{ path: 'policy.yaml', text }]).diagnostics.map((d) => ({ code: d.code, message: d.message, help: d.help, text: text.slice(d.start, d.end) }));
};

describe('R-K5 declared pipelines and stages', () => {
  it('R-K5 a stage typo is an error on the stage, with did-you-mean', () => {
    expect(diagnostics(`
roles:
  rep:
    grants: { lead: own }
    stages: { lead: { wn: { edit: deny } } }
`)).toEqual([{ code: 'PC3024', message: '`lead` declares no stage `wn`', help: 'did you mean `won`?', text: 'wn' }]);
  });

  it('R-K5 a pipeline typo in a role or a group is an error too; declared ones compile', () => {
    const found = diagnostics(`
roles:
  rep:
    grants: { lead: own }
    pipelines: { lead: { partner: red, sales: green } }
groups:
  interns:
    pipelines: { lead: { Sales: red } }
`);
    expect(found.map((d) => [d.code, d.text, d.help])).toEqual([
      ['PC3024', 'partner', 'did you mean `partners`?'],
      ['PC3024', 'Sales', 'did you mean `sales`?'],
    ]);
    expect(diagnostics(`
roles:
  rep:
    grants: { lead: own }
    stages: { lead: { won: { edit: deny }, signed: red } }
`)).toEqual([]);
  });

  it('R-K5 fail closed: a record in an undeclared stage or pipeline is refused, whatever the role; plans leave it out', async () => {
    const checker = await compileSources({ 'policy.yaml': `${RESOURCES}
roles:
  admin: { administrator: true }
  rep:
    grants: { lead: all }
    stages: { lead: { won: { edit: deny } } }
` });
    const rep = { id: 'u1', role: 'rep' };
    const lead = (stage: unknown, pipeline: unknown = 'sales') => ({ kind: 'lead', owner: 'u1', stage, pipeline });
    expect(checker.can(rep, 'edit', lead('new')).code).toBe('all');
    expect(checker.can(rep, 'edit', lead('won')).code).toBe('denied');
    for (const [stage, pipeline] of [['Won', 'sales'], ['won ', 'sales'], [7, 'sales'], [null, 'sales'], ['__proto__', 'sales'], ['new', 'Sales'], ['new', 'toString']]) {
      const d = checker.can(rep, 'view', lead(stage, pipeline));
      expect(d, `${String(stage)} ${String(pipeline)}`).toMatchObject({ allow: false, code: 'invalid-request' });
      expect(d.reason).toContain('not one its resource declares');
      expect(checker.can({ id: 'a', role: 'admin' }, 'view', lead(stage, pipeline)).allow).toBe(false);
    }
    // a record without a stage (a lead being created) is not refused for it
    expect(checker.can(rep, 'view', { kind: 'lead', owner: 'u1' }).code).toBe('all');
    const listed = toPredicate(checker.plan(rep, 'view', 'lead'));
    expect([listed(lead('new')), listed(lead('Won')), listed(lead('new', 'other')), listed({ kind: 'lead', owner: 'u1' })]).toEqual([true, false, false, true]);
  });
});
