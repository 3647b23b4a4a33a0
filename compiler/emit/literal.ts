/**
 * The only ways text from a policy reaches generated code. Every name and value goes
 * through `lit` (a string literal) or `identifier` (a sanitised, deduplicated name), so no
 * policy text can end a string, open a template, close a comment or start a new line.
 */

/** A JavaScript string literal for any string: JSON escaping plus the two JS-only line terminators and `*\/`. */
export function lit(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029').replace(/\*\//g, '*\\/');
}

/** A comment-safe rendering of policy text: a literal, so it holds no line break and no `*\/`. */
export function quoted(value: string): string {
  return lit(value);
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
