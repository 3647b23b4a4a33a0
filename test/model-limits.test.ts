/**
 * Limits of the policy model said in its own words (issue 16): 31 shifts are "at most 30 shifts"
 * (R-Z10), on the first shift past the limit, not ajv's "must NOT have more than 30 properties".
 */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../compiler/index.ts';

const shifts = (n: number) =>
  `shifts:\n${Array.from({ length: n }, (_, i) => `  s${i + 1}: { days: [mon], start: '08:00', end: '09:00', timeZone: UTC }\n`).join('')}resources:\n  lead: { actions: [view] }\nroles:\n  a: { grants: { lead: all } }\n`;

const found = (text: string) => checkSources('limits', [{ path: 'policy.yaml', text }]).diagnostics.map((d) => ({ code: d.code, message: d.message, help: d.help, text: text.slice(d.start, d.end) }));

describe('R-Z10 at most 30 shifts', () => {
  it('R-Z10 30 shifts compile; 31 are an error on the 31st, in the language\'s words', () => {
    expect(found(shifts(30))).toEqual([]);
    expect(found(shifts(31))).toEqual([{ code: 'PC2004', message: 'at most 30 shifts, found 31', help: 'remove 1 of them', text: 's31' }]);
  });

  it('a sharing rule party with two entries says it takes one', () => {
    const text = `resources:\n  lead: { actions: [view], attributes: { owner: string, ownerRole: string }, owner: owner, ownerRole: ownerRole }\nroles:\n  a: { grants: { lead: own } }\n  b: { grants: { lead: own } }\nsharingRules:\n  s: { resource: lead, from: { role: a, group: g }, to: { role: b }, access: read-only }\n`;
    expect(found(text).map((d) => [d.code, d.message])).toContainEqual(['PC2004', '`from` takes one entry, found 2']);
  });
});
