import { describe, expect, it } from 'vitest';
import { loadChecker } from './helpers/policy.ts';

describe('smoke', () => {
  it('R-K3 compiles and decides', async () => {
    const checker = await loadChecker('/tmp/p1');
    const d = checker.can({ id: 'u1', role: 'rep' }, 'view', { kind: 'lead', responsible: 'u1', responsibleRole: 'rep' });
    expect(d.allow).toBe(true);
    expect(d.code).toBe('own');
    console.log(d.reason);
    expect(checker.can({ id: 'u1', role: 'manager', groups: ['t'] }, 'view', { kind: 'lead', responsible: 'u2', team: 't' }).code).toBe('team');
  });
});
