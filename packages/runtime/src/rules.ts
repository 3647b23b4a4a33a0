import type { PolicyData, RuleReader } from './types.js';

/**
 * Reading the rules of a policy in either encoding the compiler writes (`compiler/emit/packed-rules.ts`):
 *
 * - one string of eleven comma-separated integers per rule, readable in a review (small policies);
 * - packed (large policies, where the rows would be megabytes): one string in which every rule
 *   takes the same number of characters, each character six bits (code points 35–99 without the
 *   backslash, so the string needs no escape), and field `j` of a rule the next `ruleBits[j]` bits,
 *   most significant first, stored as the value plus one (so -1, "none", is 0).
 *
 * Both are read one rule at a time, when the rule first decides; field rules (`fields.ts`) are
 * encoded the same way, with nine fields. Nothing here throws: a row that does not decode is
 * `undefined`.
 */

/** Fields of a rule: kind, role, declaredIn, resource, action, level, file, line, column, name, condition. */
export const RULE_FIELDS = 11;

/** The six bits of the packed character at `i`: 0–63 whatever the character (or none, past the end). */
function sixBits(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return (c - 35 - (c > 92 ? 1 : 0)) & 63;
}

/**
 * The characters a packed row of `fields` fields takes: the sum of the widths in bits, when `bits`
 * is `fields` integers from 0 to 31, in sixes rounded up; 0 when it is not. Loops and integer
 * arithmetic only — no callbacks, no `Math.floor`/`Math.ceil` of a fraction: the import and the
 * first decision of a table-layout policy run this, and in a fresh process each of those costs
 * V8 more than the decoding (issue 17).
 */
function strideOf(bits: unknown, fields: number): number {
  if (!Array.isArray(bits) || bits.length !== fields) return 0;
  let total = 0;
  for (let j = 0; j < fields; j++) {
    const w: unknown = bits[j];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 31) return 0;
    total += w;
  }
  return (total + 5 - ((total + 5) % 6)) / 6;
}

/** Rows in a table of rows of `fields` integers: an array of comma-separated strings, or packed. */
export function rowCount(rows: unknown, bits: unknown, fields: number): number {
  if (typeof rows !== 'string') return Array.isArray(rows) ? rows.length : 0;
  const stride = strideOf(bits, fields);
  return stride === 0 ? 0 : (rows.length - (rows.length % stride)) / stride;
}

/** Row `id` of such a table, or `undefined` when there is no such row or it does not decode. */
export function tableRow(rows: unknown, bits: unknown, fields: number, id: number): number[] | undefined {
  if (!Number.isInteger(id) || id < 0 || id >= rowCount(rows, bits, fields)) return undefined;
  const row: number[] = [];
  if (typeof rows === 'string') {
    // rowCount has checked the widths
    const widths = bits as readonly number[];
    let at = id * strideOf(widths, fields) * 6;
    for (let j = 0; j < fields; j++) {
      let value = 0;
      for (const end = at + widths[j]!; at < end; at++) value = value * 2 + ((sixBits(rows, (at - (at % 6)) / 6) >> (5 - (at % 6))) & 1);
      row.push(value - 1);
    }
    return row;
  }
  const text: unknown = (rows as readonly unknown[])[id];
  if (typeof text !== 'string') return undefined;
  const parts = text.split(',');
  if (parts.length !== fields) return undefined;
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isInteger(n)) return undefined;
    row.push(n);
  }
  return row;
}

/** The `count` numbers of `digits` base-64 characters each from character `at` of a packed string. */
export function packedNumbers(text: string, at: number, count: number, digits: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    let v = 0;
    for (let i = at + k * digits; i < at + (k + 1) * digits; i++) v = v * 64 + sixBits(text, i);
    out.push(v);
  }
  return out;
}

/** How many rules the data holds. */
export const ruleCount = (data: PolicyData): number => rowCount(data.rules, data.ruleBits, RULE_FIELDS);

/** Rule `id`'s eleven integers, or `undefined` when there is no such rule or it does not decode. */
export const ruleRow = (data: PolicyData, id: number): number[] | undefined => tableRow(data.rules, data.ruleBits, RULE_FIELDS, id);

/**
 * The reader a large policy's module passes to `definePolicy`: packed rows. A small policy's
 * module passes none, so `can` alone bundles only the comma-separated reader (`policy.ts`).
 */
export const packedRules: RuleReader = { count: ruleCount, row: ruleRow };
