import type { PolicyData } from './types.js';

/**
 * Reading the rules of a policy in either encoding the compiler writes (`compiler/emit/packed-rules.ts`):
 *
 * - one string of eleven comma-separated integers per rule, readable in a review (small policies);
 * - packed (large policies, where the rows would be megabytes): one string in which every rule
 *   takes the same number of characters, each character six bits (code points 35–99 without the
 *   backslash, so the string needs no escape), and field `j` of a rule the next `ruleBits[j]` bits,
 *   most significant first, stored as the value plus one (so -1, "none", is 0).
 *
 * Both are read one rule at a time, when the rule first decides. Nothing here throws: a row that
 * does not decode is `undefined`.
 */

/** Fields of a rule: kind, role, declaredIn, resource, action, level, file, line, column, name, condition. */
export const RULE_FIELDS = 11;

/** The six bits of the packed character at `i` (a character outside the alphabet reads as some other value, never NaN: `>>` makes it an integer). */
function sixBits(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c - 35 - (c > 92 ? 1 : 0);
}

/** Widths in bits of the fields of a packed rule, when they are eleven integers from 0 to 31. */
function widthsOf(bits: unknown): readonly number[] | undefined {
  if (!Array.isArray(bits) || bits.length !== RULE_FIELDS) return undefined;
  for (let j = 0; j < RULE_FIELDS; j++) {
    const w: unknown = bits[j];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 31) return undefined;
  }
  return bits as readonly number[];
}

/** How many rules the data holds. */
export function ruleCount(data: PolicyData): number {
  const rules: unknown = data.rules;
  if (typeof rules !== 'string') return Array.isArray(rules) ? rules.length : 0;
  const widths = widthsOf(data.ruleBits);
  const bits = widths === undefined ? 0 : widths.reduce((a, b) => a + b, 0);
  return bits === 0 ? 0 : Math.floor(rules.length / Math.ceil(bits / 6));
}

/** Rule `id`'s eleven integers, or `undefined` when there is no such rule or it does not decode. */
export function ruleRow(data: PolicyData, id: number): number[] | undefined {
  if (!Number.isInteger(id) || id < 0 || id >= ruleCount(data)) return undefined;
  const rules: unknown = data.rules;
  let row: number[];
  if (typeof rules === 'string') {
    const widths = widthsOf(data.ruleBits)!;
    const stride = Math.ceil(widths.reduce((a, b) => a + b, 0) / 6);
    const start = id * stride;
    row = [];
    let bit = 0;
    for (const width of widths) {
      let value = 0;
      for (let b = bit; b < bit + width; b++) value = value * 2 + ((sixBits(rules, start + Math.floor(b / 6)) >> (5 - (b % 6))) & 1);
      row.push(value - 1);
      bit += width;
    }
  } else {
    const text: unknown = (rules as readonly unknown[])[id];
    if (typeof text !== 'string') return undefined;
    row = text.split(',').map(Number);
  }
  return row.length === RULE_FIELDS && row.every((n) => Number.isInteger(n)) ? row : undefined;
}
