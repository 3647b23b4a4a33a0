/**
 * The only ways text from a policy reaches generated code. Every name and value goes
 * through `lit` (a string literal) or `IdentifierPool` (sanitised, deduplicated names), so no
 * policy text can end a string, open a template, close a comment or start a new line.
 */

/**
 * A JavaScript string literal for any string: JSON escaping plus the two JS-only line
 * terminators and `*\/`. Also the only way policy text enters a comment, so a comment never
 * holds a line break or closes early.
 */
export function lit(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029').replace(/\*\//g, '*\\/');
}

/** Hands out readable, unique identifiers built from policy names (`lead`, `view` → `can_lead_view`). */
export class IdentifierPool {
  private readonly used = new Set<string>();
  take(...parts: string[]): string {
    const base = parts.map((p) => p.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'x').join('_');
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }
}
