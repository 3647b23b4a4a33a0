/**
 * The rules of a large policy packed into one string (read by `packages/runtime/src/rules.ts`).
 * As rows of eleven comma-separated integers an 80,000-rule policy needs 3.6 MB; packed, each field
 * takes the bits its largest value needs and each character carries six bits, about ten characters
 * a rule.
 */

import { lit } from './literal.ts';

/** The characters of the packing, six bits each: code points 35–99 without the backslash (92), so the string needs no escape. */
function char(sixBits: number): string {
  const c = 35 + sixBits;
  return String.fromCharCode(c >= 92 ? c + 1 : c);
}

/** Base-64 characters needed for the numbers 0..count-1. */
export function packedDigits(count: number): number {
  let digits = 1;
  while (64 ** digits < count) digits++;
  return digits;
}

/** `n` as `digits` base-64 characters, most significant first (read by `packedNumbers` of the runtime). */
export function packedNumber(n: number, digits: number): string {
  let out = '';
  for (let k = 0, v = n; k < digits; k++, v = Math.floor(v / 64)) out = char(v % 64) + out;
  return out;
}

/** Bits needed to hold 0..max. */
function bitsFor(max: number): number {
  let bits = 0;
  while (2 ** bits <= max) bits++;
  return bits;
}

/**
 * Rows of eleven integers (each ≥ -1) as one string, every rule the same number of characters,
 * with the width in bits of each field. A field stores its value plus one, so -1 ("none") is 0.
 */
export function packRules(rows: readonly (readonly number[])[]): { text: string; bits: number[] } {
  const fields = rows[0]?.length ?? 11;
  const bits = Array.from({ length: fields }, (_, j) => bitsFor(rows.reduce((max, row) => Math.max(max, row[j]! + 1), 0)));
  const total = bits.reduce((a, b) => a + b, 0);
  const stride = Math.ceil(total / 6);
  const parts: string[] = [];
  for (const row of rows) {
    if (row.some((n) => !Number.isInteger(n) || n < -1 || n >= 2 ** 30)) throw new Error(`policyc internal error: a rule field out of range: ${row.join(',')}`);
    // the rule's bits, most significant first, then zeros up to a whole character
    let pending = 0;
    let pendingBits = 0;
    let out = '';
    row.forEach((n, j) => {
      const width = bits[j]!;
      for (let b = width - 1; b >= 0; b--) {
        pending = pending * 2 + (((n + 1) >>> b) & 1);
        if (++pendingBits === 6) {
          out += char(pending);
          pending = 0;
          pendingBits = 0;
        }
      }
    });
    if (pendingBits > 0) out += char(pending * 2 ** (6 - pendingBits));
    if (out.length !== stride) throw new Error('policyc internal error: a packed rule of the wrong length');
    parts.push(out);
  }
  return { text: parts.join(''), bits };
}

/**
 * String literals of packed data, written into the printed module after ts-morph has printed it:
 * its writer looks at every character, and a large policy's tables are over a megabyte on a few
 * lines. Each literal stands as a placeholder between NUL characters until {@link PackedLiterals.fill}
 * (no comment or quote character, which the writer would track); `lit` escapes NUL in every string
 * of the module, and `fill` refuses a module where a placeholder does not appear exactly once (a
 * NUL-bearing name in a comment), which is then laid out as code.
 */
export class PackedLiterals {
  private readonly texts: string[] = [];

  /** A placeholder for `lit(text)`. */
  literal(text: string): string {
    this.texts.push(text);
    return `\u0000packed ${this.texts.length - 1}\u0000`;
  }

  /** The printed module with every placeholder replaced by its string literal, or undefined when one is not printed exactly once. */
  fill(printed: string): string | undefined {
    const parts = printed.split(/\u0000packed (\d+)\u0000/);
    const printedOnce = new Set(parts.filter((_, i) => i % 2 === 1));
    if (parts.length !== 2 * this.texts.length + 1 || printedOnce.size !== this.texts.length) return undefined;
    return parts.map((part, i) => (i % 2 === 0 ? part : lit(this.texts[Number(part)]!))).join('');
  }
}
